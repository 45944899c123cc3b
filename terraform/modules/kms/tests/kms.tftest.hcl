mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name = "lego-api-dev"
}

run "key_rotates_and_grants_only_named_services" {
  command = apply

  assert {
    condition     = aws_kms_key.this.enable_key_rotation && aws_kms_key.this.deletion_window_in_days == 30
    error_message = "the key must rotate and keep the 30-day deletion window"
  }
  assert {
    condition     = aws_kms_alias.this.name == "alias/lego-api-dev"
    error_message = "alias must be alias/<name>"
  }
  assert {
    condition = toset(flatten([for s in jsondecode(aws_kms_key.this.policy).Statement : try(s.Principal.Service, [])])) == toset([
      "logs.us-east-1.amazonaws.com", "cloudwatch.amazonaws.com", "budgets.amazonaws.com", "cloudfront.amazonaws.com",
    ])
    error_message = "only logs, cloudwatch, budgets and cloudfront may use the key as services"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_kms_key.this.policy).Statement : try(s.Principal.AWS, "") != "*"])
    error_message = "no wildcard principal"
  }
}

run "short_deletion_window_rejected" {
  command = plan

  variables {
    deletion_window_days = 3
  }

  expect_failures = [var.deletion_window_days]
}
