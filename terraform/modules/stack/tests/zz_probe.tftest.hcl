# The composition on the shared mocks, run by scripts/tf-check.sh:
#   terraform -chdir=terraform/modules/stack test -var artifacts_dir=<dir with every <fn>.json>
# Least privilege per function (seed 001 "Lambda IAM Roles"), contract env vars, seed sizes,
# route table and traffic wiring, provisioned concurrency, env differences as inputs.

mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  stage                          = "dev"
  network                        = { cidr_block = "10.20.0.0/16", availability_zone_ids = ["use1-az1", "use1-az2"] }
  db                             = { instance_class = "db.t4g.micro" }
  cache                          = { node_type = "cache.t4g.micro" }
  search                         = { instance_type = "t3.small.search" }
  deletion_protection            = false
  force_destroy                  = true
  secret_recovery_window_days    = 0
  enable_provisioned_concurrency = false
  bucket_name                    = "lego-moc-files-dev"
  cors_allowed_origins           = ["http://localhost:3002"]
  dns = {
    api_domain_name  = "api.dev.lego-moc.example.com"
    hosted_zone_name = "dev.lego-moc.example.com"
    hosted_zone_id   = "Z00000000000000000DEV"
    certificate_arn  = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000dev"
    legacy_target    = "legacy-api-dev.lego-moc.example.com"
  }
  blue_weight      = 90
  green_weight     = 10
  create_user_pool = true
}
run "probe" {
  command = apply
}
