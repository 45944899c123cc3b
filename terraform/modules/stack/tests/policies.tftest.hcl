# The planned role policies, for tests/iam/test_function_policies.py (issue 13 item 1): it runs
#   terraform test -filter=tests/policies.tftest.hcl -verbose -json
# and evaluates each function's policy from the state against the AWS calls its code makes
# (tests/iam/aws_calls.json). The overrides give each resource a policy names its own ARN, so
# a grant on the wrong secret or bucket cannot pass for the right one.

mock_provider "aws" {
  source = "../../tests/mocks"
}

override_resource {
  target = module.storage.module.bucket.aws_s3_bucket.this
  values = { arn = "arn:aws:s3:::lego-moc-files-dev", bucket = "lego-moc-files-dev" }
}

override_resource {
  target = module.cache[0].aws_secretsmanager_secret.auth
  values = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:lego-api-dev-redis-auth-AbCdEf" }
}

override_resource {
  target = module.database.aws_secretsmanager_secret.app
  values = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:lego-api-dev-db-lego_app-AbCdEf" }
}

override_resource {
  target = module.auth.aws_cognito_user_pool.this[0]
  values = { id = "us-east-1_Mock", arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Mock" }
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

run "planned_policies" {
  command = apply

  assert {
    condition     = length(local.policy_statements) == length(var.functions)
    error_message = "every function has its policy (the stub artefacts build them all)"
  }
}
