# staging: production-like shape at smaller sizes, for E2E and load tests (seed Phase 2).
# blue_weight / green_weight live in traffic.auto.tfvars.json (written by lego-traffic).
stage  = "staging"
region = "us-east-1"

network = {
  cidr_block = "10.30.0.0/16"
  # zone ids, not names (names differ per account); make preflight checks they exist here
  availability_zone_ids = ["use1-az1", "use1-az2"]
}

db = {
  instance_class        = "db.t4g.medium"
  allocated_storage_gb  = 50
  multi_az              = false
  backup_retention_days = 7
}

cache = {
  node_type  = "cache.t4g.small"
  node_count = 2
}

search = {
  instance_type  = "t3.medium.search"
  instance_count = 2
  volume_size_gb = 50
}

deletion_protection            = true
force_destroy                  = false
secret_recovery_window_days    = 7
enable_provisioned_concurrency = false # seed: production only

log_retention_days = 30

bucket_name          = "lego-moc-files-staging"
cors_allowed_origins = ["https://staging.lego-moc.example.com"]

dns = {
  api_domain_name  = "api.staging.lego-moc.example.com"
  certificate_arn  = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-0000staging"
  hosted_zone_name = "staging.lego-moc.example.com"
  hosted_zone_id   = "Z0000000000000STAGING"
  legacy_target    = "legacy-api-staging.lego-moc.example.com"
}

# The legacy Cognito pool (its users, its tokens): green's JWT authorizer trusts the same issuer
# and client id as blue, so a user moved between colours keeps working. Replace with the real ids
# (make preflight ENV=staging checks the pool exists).
create_user_pool = false
existing_user_pool = {
  id        = "us-east-1_LegacyStg"
  client_id = "legacy-web-client-staging"
}

# Alarms must reach someone here: the plan refuses an empty list or the placeholder below (the
# reserved .invalid domain). A deploy puts the on-call addresses in its place; each confirms the
# SNS subscription mail.
require_alarm_subscribers = true
monitoring = {
  budget_limit_usd = 100
  alarm_emails     = ["oncall-staging@REPLACE-BEFORE-DEPLOY.invalid"]
}
