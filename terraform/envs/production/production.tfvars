# production: multi-AZ data stores, dedicated OpenSearch masters, deletion protection,
# provisioned concurrency on the busy functions.
# blue_weight / green_weight live in traffic.auto.tfvars.json (written by lego-traffic).
stage  = "production"
region = "us-east-1"

network = {
  cidr_block         = "10.40.0.0/16"
  availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

db = {
  instance_class        = "db.r6g.large"
  allocated_storage_gb  = 100
  multi_az              = true
  backup_retention_days = 14
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
enable_provisioned_concurrency = true # seed "Performance Optimization": health 5, mocs 2, gallery 2

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
}

monitoring = {
  budget_limit_usd = 200
  alarm_emails     = []
}
