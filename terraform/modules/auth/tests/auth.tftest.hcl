mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name = "lego-api-dev"
}

run "creates_pool_and_public_client" {
  command = apply

  assert {
    condition     = length(aws_cognito_user_pool.this) == 1 && aws_cognito_user_pool.this[0].password_policy[0].minimum_length >= 12
    error_message = "a pool with a 12+ character password policy"
  }
  assert {
    condition     = !aws_cognito_user_pool_client.this[0].generate_secret && aws_cognito_user_pool_client.this[0].prevent_user_existence_errors == "ENABLED"
    error_message = "browser client: no secret, no user enumeration"
  }
  assert {
    condition     = output.issuer_url == "https://cognito-idp.us-east-1.amazonaws.com/${aws_cognito_user_pool.this[0].id}" && output.client_id == aws_cognito_user_pool_client.this[0].id
    error_message = "issuer and audience of the created pool"
  }
  assert {
    condition     = aws_cognito_user_pool.this[0].deletion_protection == "ACTIVE"
    error_message = "deletion protection by default"
  }
}

run "existing_legacy_pool" {
  command = apply

  variables {
    existing_user_pool = { id = "us-east-1_Legacy", client_id = "legacy-client" }
  }

  assert {
    condition     = length(aws_cognito_user_pool.this) == 0 && length(aws_cognito_user_pool_client.this) == 0
    error_message = "an existing pool creates nothing"
  }
  assert {
    condition     = output.issuer_url == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Legacy" && output.client_id == "legacy-client"
    error_message = "issuer and audience point at the legacy pool"
  }
  assert {
    condition     = output.user_pool_arn == "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Legacy"
    error_message = "the ARN (profile's permissions) is built for the legacy pool"
  }
}

run "malformed_legacy_pool_id_is_refused" {
  command = plan

  variables {
    existing_user_pool = { id = "legacy", client_id = "legacy-client" }
  }

  expect_failures = [var.existing_user_pool]
}

run "email_through_ses" {
  command = apply

  variables {
    email = {
      source_arn   = "arn:aws:ses:us-east-1:123456789012:identity/lego-moc.example.com"
      from_address = "LEGO MOC <no-reply@lego-moc.example.com>"
    }
  }

  assert {
    condition     = aws_cognito_user_pool.this[0].email_configuration[0].email_sending_account == "DEVELOPER" && aws_cognito_user_pool.this[0].email_configuration[0].source_arn == "arn:aws:ses:us-east-1:123456789012:identity/lego-moc.example.com"
    error_message = "with email set, the pool sends through the SES identity (no 50-a-day cap)"
  }
}

run "email_default_sender_without_ses" {
  command = plan

  assert {
    condition     = length(aws_cognito_user_pool.this[0].email_configuration) == 0
    error_message = "without email, the pool keeps Cognito's default sender (dev)"
  }
}

run "malformed_ses_identity_is_refused" {
  command = plan

  variables {
    email = { source_arn = "no-reply@lego-moc.example.com", from_address = "no-reply@lego-moc.example.com" }
  }

  expect_failures = [var.email]
}
