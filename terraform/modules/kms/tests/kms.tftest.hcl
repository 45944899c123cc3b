mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name                         = "lego-api-dev"
  cloudfront_distribution_arns = ["arn:aws:cloudfront::123456789012:distribution/E2ABCDEF123456"]
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

run "cloudfront_only_for_the_distribution" {
  command = apply

  assert {
    condition     = one([for s in jsondecode(aws_kms_key.this.policy).Statement : s.Condition.StringEquals["aws:SourceArn"] if s.Sid == "CloudFrontReadsImages"]) == ["arn:aws:cloudfront::123456789012:distribution/E2ABCDEF123456"]
    error_message = "CloudFront may decrypt only for the named distribution (aws:SourceArn), not any in the account"
  }
}

run "no_cloudfront_grant_without_a_distribution" {
  command = apply

  variables {
    cloudfront_distribution_arns = []
  }

  assert {
    condition     = length([for s in jsondecode(aws_kms_key.this.policy).Statement : s if s.Sid == "CloudFrontReadsImages"]) == 0
    error_message = "without a distribution CloudFront gets nothing"
  }
}

run "malformed_distribution_arn_rejected" {
  command = plan

  variables {
    cloudfront_distribution_arns = ["E2ABCDEF123456"]
  }

  expect_failures = [var.cloudfront_distribution_arns]
}

run "cloudtrail_only_for_the_trail" {
  command = apply

  variables {
    cloudtrail_trail_arns = ["arn:aws:cloudtrail:us-east-1:123456789012:trail/lego-api-dev"]
  }

  assert {
    condition     = one([for s in jsondecode(aws_kms_key.this.policy).Statement : s.Condition.StringEquals["aws:SourceArn"] if s.Sid == "CloudTrailEncryptsLogs"]) == ["arn:aws:cloudtrail:us-east-1:123456789012:trail/lego-api-dev"]
    error_message = "CloudTrail may encrypt only for this env's trail (aws:SourceArn)"
  }
  assert {
    condition     = one([for s in jsondecode(aws_kms_key.this.policy).Statement : s.Action if s.Sid == "CloudTrailEncryptsLogs"]) == ["kms:GenerateDataKey*", "kms:DescribeKey"]
    error_message = "CloudTrail encrypts; it never decrypts"
  }
}

run "no_cloudtrail_grant_without_a_trail" {
  command = apply

  assert {
    condition     = length([for s in jsondecode(aws_kms_key.this.policy).Statement : s if s.Sid == "CloudTrailEncryptsLogs"]) == 0
    error_message = "without a trail CloudTrail gets nothing"
  }
}
