# Cognito (seed 001 "Authentication Flow"): the API's JWT authorizer trusts this pool's issuer
# and the app client as audience. The legacy pool can be reused (existing_user_pool).

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  create    = var.existing_user_pool == null
  pool_id   = local.create ? aws_cognito_user_pool.this[0].id : var.existing_user_pool.id
  client_id = local.create ? aws_cognito_user_pool_client.this[0].id : var.existing_user_pool.client_id
}

################################################################################
# User pool
################################################################################

resource "aws_cognito_user_pool" "this" {
  count = local.create ? 1 : 0

  name                     = var.name
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  mfa_configuration        = "OPTIONAL"

  software_token_mfa_configuration {
    enabled = true
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = false
    temporary_password_validity_days = 3
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  # Cognito's own sender is capped at about 50 emails a day: a real env sends through SES.
  dynamic "email_configuration" {
    for_each = var.email == null ? [] : [var.email]

    content {
      email_sending_account  = "DEVELOPER"
      source_arn             = email_configuration.value.source_arn
      from_email_address     = email_configuration.value.from_address
      reply_to_email_address = email_configuration.value.reply_to_address
      configuration_set      = email_configuration.value.configuration_set
    }
  }

  tags = var.tags
}

resource "aws_cognito_user_pool_client" "this" {
  count = local.create ? 1 : 0

  name                          = "${var.name}-web"
  user_pool_id                  = aws_cognito_user_pool.this[0].id
  generate_secret               = false # browser app: a secret cannot be kept
  prevent_user_existence_errors = "ENABLED"
  explicit_auth_flows           = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  enable_token_revocation       = true
  access_token_validity         = 60
  id_token_validity             = 60
  refresh_token_validity        = 30
  callback_urls                 = var.callback_urls

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}
