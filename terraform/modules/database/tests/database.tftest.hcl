mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name                    = "lego-api-dev"
  subnet_ids              = ["subnet-a", "subnet-b"]
  db_security_group_id    = "sg-db"
  proxy_security_group_id = "sg-proxy"
  kms_key_arn             = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  instance_class          = "db.t4g.micro"
}

run "encrypted_private_iam_auth_and_protected" {
  command = apply

  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.kms_key_id == var.kms_key_arn
    error_message = "storage must be KMS-encrypted with the env key"
  }
  assert {
    condition     = !aws_db_instance.this.publicly_accessible && aws_db_instance.this.iam_database_authentication_enabled
    error_message = "private, with IAM database authentication"
  }
  assert {
    condition     = aws_db_instance.this.engine == "postgres" && aws_db_instance.this.engine_version == "15"
    error_message = "PostgreSQL 15 (seed)"
  }
  assert {
    condition     = aws_db_instance.this.deletion_protection && !aws_db_instance.this.skip_final_snapshot && aws_db_instance.this.final_snapshot_identifier == "lego-api-dev-final"
    error_message = "deletion protection and a final snapshot by default"
  }
  assert {
    condition     = aws_db_instance.this.backup_retention_period == 7 && aws_db_instance.this.performance_insights_enabled && aws_db_instance.this.performance_insights_kms_key_id == var.kms_key_arn
    error_message = "backups kept 7 days; Performance Insights on and encrypted"
  }
  assert {
    condition     = aws_db_instance.this.password == null && aws_db_instance.this.manage_master_user_password && aws_db_instance.this.master_user_secret_kms_key_id == var.kms_key_arn
    error_message = "RDS generates and keeps the password in Secrets Manager (never in tfvars or state)"
  }
  assert {
    condition     = one([for p in aws_db_parameter_group.this[0].parameter : p.value if p.name == "rds.force_ssl"]) == "1"
    error_message = "the parameter group forces SSL"
  }
}

run "proxy_requires_tls_and_iam" {
  command = apply

  assert {
    condition     = aws_db_proxy.this.require_tls && one(aws_db_proxy.this.auth).iam_auth == "REQUIRED" && one(aws_db_proxy.this.auth).secret_arn == aws_db_instance.this.master_user_secret[0].secret_arn
    error_message = "the proxy requires TLS and IAM auth and logs in with the generated secret"
  }
  assert {
    condition     = aws_db_proxy.this.idle_client_timeout == 1800 && one(aws_db_proxy_default_target_group.this.connection_pool_config).connection_borrow_timeout == 30
    error_message = "seed: idle timeout 1800 s, borrow timeout 30 s"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.proxy.policy).Statement[0].Action == ["secretsmanager:GetSecretValue"] && jsondecode(aws_iam_role_policy.proxy.policy).Statement[0].Resource == output.credentials_secret_arn
    error_message = "the proxy role reads only its own secret"
  }
  assert {
    condition     = output.connect_resource_arn == "arn:aws:rds-db:us-east-1:123456789012:dbuser:prx-0123456789abcdef0/lego_admin"
    error_message = "rds-db:connect resource is the proxy's resource id and DB_USER"
  }
}

run "proxy_pool_share_keeps_idle_within_it" {
  command = plan

  variables {
    proxy_max_connections_percent = 30 # production (docs/capacity.md)
  }

  assert {
    condition     = one(aws_db_proxy_default_target_group.this.connection_pool_config).max_connections_percent == 30 && one(aws_db_proxy_default_target_group.this.connection_pool_config).max_idle_connections_percent == 15
    error_message = "the pool takes its share of max_connections and keeps at most half of it idle (RDS refuses idle above the pool)"
  }
}

run "dev_without_protection_skips_final_snapshot" {
  command = plan

  variables {
    deletion_protection = false
  }

  assert {
    condition     = aws_db_instance.this.skip_final_snapshot && aws_db_instance.this.final_snapshot_identifier == null
    error_message = "dev may be destroyed without a snapshot"
  }
}

run "moto_switches_off" {
  command = plan

  variables {
    enable_performance_insights = false
    enable_parameter_group      = false
  }

  assert {
    condition     = length(aws_db_parameter_group.this) == 0 && !aws_db_instance.this.performance_insights_enabled
    error_message = "the moto switches drop the parameter group and Performance Insights"
  }
}

run "postgres_14_rejected" {
  command = plan

  variables {
    engine_version = "14.9"
  }

  expect_failures = [var.engine_version]
}

run "zero_backups_rejected" {
  command = plan

  variables {
    backup_retention_days = 0
  }

  expect_failures = [var.backup_retention_days]
}
