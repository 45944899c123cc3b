# dev: small and cheap, single AZ data stores, everything deletable.
# blue_weight / green_weight live in traffic.auto.tfvars.json (written by lego-traffic).
stage  = "dev"
region = "us-east-1"

network = {
  cidr_block = "10.20.0.0/16"
  # zone ids, not names (names differ per account); make preflight checks they exist here
  availability_zone_ids = ["use1-az1", "use1-az2"]
}

db = {
  instance_class        = "db.t4g.micro"
  allocated_storage_gb  = 20
  multi_az              = false
  backup_retention_days = 1
}

cache = {
  node_type  = "cache.t4g.micro"
  node_count = 1
}

search = {
  instance_type  = "t3.small.search"
  instance_count = 1
  volume_size_gb = 20
}

deletion_protection            = false # dev data is disposable
force_destroy                  = true
secret_recovery_window_days    = 0     # dev data is disposable; moto and tear-down recreate the secret
enable_provisioned_concurrency = false # seed: production only

log_retention_days = 14
log_level          = "DEBUG"

bucket_name          = "lego-moc-files-dev"
cors_allowed_origins = ["http://localhost:3002"]

# API stage limits per route (seed "Rate Limiting"); `make dev` reads these two lines too
throttling_burst_limit = 500
throttling_rate_limit  = 1000

dns = {
  api_domain_name  = "api.dev.lego-moc.example.com"
  certificate_arn  = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000dev"
  hosted_zone_name = "dev.lego-moc.example.com"
  hosted_zone_id   = "Z00000000000000000DEV"
  legacy_target    = "legacy-api-dev.lego-moc.example.com"
}

# A new, empty pool for dev; staging and production trust the legacy pool (issue 20 item 4).
create_user_pool = true

monitoring = {
  budget_limit_usd = 50
  alarm_emails     = []
}
