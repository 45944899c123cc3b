# production: multi-AZ data stores, dedicated OpenSearch masters, deletion protection,
# provisioned concurrency on the busy functions.
# blue_weight / green_weight live in traffic.auto.tfvars.json (written by lego-traffic).
stage  = "production"
region = "us-east-1"

network = {
  cidr_block = "10.40.0.0/16"
  # zone ids, not names (names differ per account); make preflight checks they exist here
  availability_zone_ids = ["use1-az1", "use1-az2", "use1-az4"]
}

db = {
  instance_class        = "db.r6g.large"
  allocated_storage_gb  = 100
  multi_az              = true
  backup_retention_days = 14
  # docs/capacity.md: 30 % of max_connections (>= 486 of ~1,622) holds every container of the
  # reserved concurrency below even if each pinned its backend, and leaves the rest for
  # direct sessions; the seed's "Max Connections: 100" is the console's 100 % (AWS default).
  proxy_max_connections_percent = 30
}

cache = {
  node_type  = "cache.r6g.large"
  node_count = 2
}

search = {
  instance_type         = "r6g.large.search"
  instance_count        = 3
  dedicated_master_type = "r6g.large.search"
  volume_size_gb        = 100
}

deletion_protection            = true
force_destroy                  = false
secret_recovery_window_days    = 30   # a deleted Redis AUTH secret stays restorable
enable_provisioned_concurrency = true # seed "Performance Optimization": health 5, mocs 2, gallery 2

# docs/capacity.md: the 500 RPS spike at the seed's 500 ms average, +20 % for a shifted mix;
# upload is bounded by its 100 RPS route throttle, csv_parser kept small to spare the database.
# tests/test_capacity_model.py checks these against the proxy pool and the account quota.
reserved_concurrency = {
  health     = 15
  mocs       = 155
  gallery    = 60
  wishlist   = 45
  profile    = 30
  upload     = 60
  csv_parser = 10
}

log_retention_days = 90

bucket_name          = "lego-moc-files-production"
cors_allowed_origins = ["https://app.lego-moc.example.com"]

dns = {
  api_domain_name  = "api.lego-moc.example.com"
  certificate_arn  = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-production0"
  hosted_zone_name = "lego-moc.example.com"
  hosted_zone_id   = "Z000000000000000PROD0"
  legacy_target    = "legacy-api.lego-moc.example.com"
  health_checks    = true
  # blue_health_path: none. Only set it to a path the legacy service really answers (200),
  # or Route53 marks blue unhealthy and sends everyone to green (issue 20 item 6).
  green_health_path = "/health"
}

# The legacy Cognito pool (its users, its tokens): green's JWT authorizer trusts the same issuer
# and client id as blue, so a user moved between colours keeps working. Replace with the real ids
# (make preflight ENV=production checks the pool exists).
create_user_pool = false
existing_user_pool = {
  id        = "us-east-1_LegacyPrd"
  client_id = "legacy-web-client-production"
}

# Alarms must reach someone here: the plan refuses an empty list or the placeholder below (the
# reserved .invalid domain). A deploy puts the on-call addresses in its place; each confirms the
# SNS subscription mail.
require_alarm_subscribers = true
monitoring = {
  budget_limit_usd = 200
  alarm_emails     = ["oncall-production@REPLACE-BEFORE-DEPLOY.invalid"]
}
