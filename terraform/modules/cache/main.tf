# ElastiCache Redis 7 (seed 001 "Caching Architecture"): TLS in transit, KMS at rest, AUTH token
# generated into Secrets Manager; functions read the token from the secret (REDIS_AUTH_SECRET_ARN).

################################################################################
# AUTH token
################################################################################

# A fresh random value on every plan; it reaches the secret only when auth_token_version changes
# (write-only, secret_string_wo_version), so the token is stable and plans stay clean.
data "aws_secretsmanager_random_password" "auth" {
  password_length     = 64
  exclude_punctuation = true # Redis AUTH refuses some punctuation (@, ", /)
}

resource "aws_secretsmanager_secret" "auth" {
  name_prefix             = "${var.name}-redis-auth-"
  description             = "ElastiCache AUTH token of ${var.name}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "auth" {
  secret_id                = aws_secretsmanager_secret.auth.id
  secret_string_wo         = data.aws_secretsmanager_random_password.auth.random_password
  secret_string_wo_version = var.auth_token_version # bump to rotate (README "Rotating the token")
}

# The group takes its token from the version just written, so the secret and the group can never
# hold different tokens: a bump changes both in one apply (and the group is modified after the
# secret is written, with auth_token_update_strategy deciding whether the old token still works).
data "aws_secretsmanager_secret_version" "auth" {
  secret_id  = aws_secretsmanager_secret.auth.id
  version_id = aws_secretsmanager_secret_version.auth.version_id
}


################################################################################
# Replication group
################################################################################

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids

  tags = var.tags
}

resource "aws_elasticache_parameter_group" "this" {
  count = var.enable_parameter_group ? 1 : 0

  name   = "${var.name}-redis7"
  family = "redis7"

  parameter {
    name  = "maxmemory-policy"
    value = "allkeys-lru" # seed "Redis Configuration"
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "slow" {
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = var.name
  description                = "Redis cache of ${var.name}"
  engine                     = "redis"
  engine_version             = var.engine_version
  node_type                  = var.node_type
  num_cache_clusters         = var.node_count
  automatic_failover_enabled = var.node_count > 1
  multi_az_enabled           = var.node_count > 1
  port                       = 6379
  parameter_group_name       = var.enable_parameter_group ? aws_elasticache_parameter_group.this[0].name : "default.redis7"
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [var.security_group_id]
  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  # auth_token is not write-only in provider 5.100: it also lands (sensitive) in the encrypted state.
  auth_token                 = data.aws_secretsmanager_secret_version.auth.secret_string
  auth_token_update_strategy = var.auth_token_update_strategy
  snapshot_retention_limit   = var.snapshot_retention_days
  auto_minor_version_upgrade = true
  apply_immediately          = true

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.slow.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  tags = var.tags
}
