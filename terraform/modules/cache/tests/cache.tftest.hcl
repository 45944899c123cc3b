mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name              = "lego-api-dev"
  subnet_ids        = ["subnet-a", "subnet-b"]
  security_group_id = "sg-redis"
  kms_key_arn       = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  node_type         = "cache.t4g.micro"
}

run "encrypted_with_auth_token" {
  command = apply

  assert {
    condition     = tobool(aws_elasticache_replication_group.this.at_rest_encryption_enabled) && aws_elasticache_replication_group.this.transit_encryption_enabled
    error_message = "encryption at rest and in transit"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.kms_key_id == var.kms_key_arn && aws_secretsmanager_secret.auth.kms_key_id == var.kms_key_arn
    error_message = "the env key encrypts the data and the token secret"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.auth_token == "mock-token-0123456789" && aws_secretsmanager_secret_version.auth.secret_string_wo_version == 1
    error_message = "the AUTH token comes from the secret"
  }
  assert {
    condition     = startswith(aws_elasticache_replication_group.this.engine_version, "7.") && one([for p in aws_elasticache_parameter_group.this[0].parameter : p.value if p.name == "maxmemory-policy"]) == "allkeys-lru"
    error_message = "Redis 7 with allkeys-lru (seed)"
  }
  assert {
    condition     = !aws_elasticache_replication_group.this.automatic_failover_enabled && !aws_elasticache_replication_group.this.multi_az_enabled
    error_message = "one node: no failover"
  }
  assert {
    condition     = startswith(output.url, "rediss://") && endswith(output.url, ":6379/0") && output.member_cluster_ids == ["lego-api-dev-001"]
    error_message = "REDIS_URL is rediss:// and member ids are known at plan time"
  }
}

# Issue 13 item 7: a bump of auth_token_version must reach the group, not only the secret (the
# group used to ignore auth_token, so a rotation left Redis on the old token and the functions
# on the new one). The mock secret returns the rotated value once the new version is written.
run "rotation_gives_the_group_the_new_token" {
  command = apply

  variables {
    auth_token_version = 2
  }

  override_data {
    target = data.aws_secretsmanager_secret_version.auth
    values = { secret_string = "mock-token-rotated" }
  }

  assert {
    condition     = aws_secretsmanager_secret_version.auth.secret_string_wo_version == 2
    error_message = "the bump writes a new secret version"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.auth_token == "mock-token-rotated"
    error_message = "the group takes the token of the new secret version in the same apply"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.auth_token_update_strategy == "ROTATE"
    error_message = "step 1 rotates: the group accepts the new and the previous token"
  }
  assert {
    condition     = data.aws_secretsmanager_secret_version.auth.version_id == aws_secretsmanager_secret_version.auth.version_id
    error_message = "the token is read from the version just written, not from whatever is current"
  }
}

run "set_drops_the_previous_token" {
  command = apply

  variables {
    auth_token_version         = 2
    auth_token_update_strategy = "SET"
  }

  override_data {
    target = data.aws_secretsmanager_secret_version.auth
    values = { secret_string = "mock-token-rotated" }
  }

  assert {
    condition     = aws_elasticache_replication_group.this.auth_token_update_strategy == "SET" && aws_elasticache_replication_group.this.auth_token == "mock-token-rotated"
    error_message = "step 2 keeps the new token and drops the previous one (SET)"
  }
}

run "delete_strategy_rejected" {
  command = plan

  variables {
    auth_token_update_strategy = "DELETE"
  }

  expect_failures = [var.auth_token_update_strategy]
}

run "token_version_cannot_be_zero" {
  command = plan

  variables {
    auth_token_version = 0
  }

  expect_failures = [var.auth_token_version]
}

run "two_nodes_fail_over_across_zones" {
  command = plan

  variables {
    node_count = 2
  }

  assert {
    condition     = aws_elasticache_replication_group.this.automatic_failover_enabled && aws_elasticache_replication_group.this.multi_az_enabled
    error_message = "2+ nodes turn on automatic failover and multi-AZ"
  }
  assert {
    condition     = output.member_cluster_ids == ["lego-api-dev-001", "lego-api-dev-002"]
    error_message = "one alarm dimension per member"
  }
}

run "redis_6_rejected" {
  command = plan

  variables {
    engine_version = "6.2"
  }

  expect_failures = [var.engine_version]
}

run "token_secret_recoverable_by_default" {
  command = plan

  assert {
    condition     = aws_secretsmanager_secret.auth.recovery_window_in_days == 30
    error_message = "a deleted AUTH token secret stays recoverable for 30 days unless the env says otherwise"
  }
}

run "token_secret_deleted_at_once_when_asked" {
  command = plan

  variables {
    secret_recovery_window_days = 0
  }

  assert {
    condition     = aws_secretsmanager_secret.auth.recovery_window_in_days == 0
    error_message = "dev deletes the secret at once (moto, tear-down)"
  }
}

run "recovery_window_below_seven_rejected" {
  command = plan

  variables {
    secret_recovery_window_days = 3
  }

  expect_failures = [var.secret_recovery_window_days]
}
