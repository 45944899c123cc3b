mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name                   = "lego-api-dev"
  kms_key_arn            = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  data_event_bucket_arns = ["arn:aws:s3:::lego-moc-files-dev"]
}

run "audit_record_is_encrypted_validated_and_kept_a_year" {
  command = apply

  assert {
    condition     = aws_cloudtrail.this.enable_log_file_validation && aws_cloudtrail.this.kms_key_id == var.kms_key_arn && aws_cloudtrail.this.is_multi_region_trail
    error_message = "log file validation, SSE-KMS with the env key, every region"
  }
  assert {
    condition     = one([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : rule.expiration[0].days]) == 365
    error_message = "log files are kept a year by default"
  }
  assert {
    condition     = module.bucket.kms_key_arn == var.kms_key_arn && module.bucket.public_access_blocked && module.bucket.versioning_status == "Enabled"
    error_message = "the log bucket is private, versioned and encrypted with the env key"
  }
  assert {
    condition     = module.bucket.name == "lego-api-dev-trail-123456789012" && aws_cloudtrail.this.s3_bucket_name == module.bucket.id && output.bucket_name == module.bucket.id
    error_message = "one log bucket per env and account, the trail's"
  }
  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.bucket == module.bucket.id && aws_s3_bucket_policy.this.bucket == module.bucket.id
    error_message = "retention and the CloudTrail-only policy apply to the hardened bucket"
  }
}

run "data_events_cover_the_env_buckets" {
  command = plan

  assert {
    condition = anytrue([
      for selector in aws_cloudtrail.this.advanced_event_selector : anytrue([
        for field in selector.field_selector : field.field == "resources.ARN" && try(contains(field.starts_with, "arn:aws:s3:::lego-moc-files-dev/"), false)
      ])
    ])
    error_message = "every object call on the files bucket is a data event"
  }
  assert {
    condition = anytrue([
      for selector in aws_cloudtrail.this.advanced_event_selector : anytrue([
        for field in selector.field_selector : field.field == "eventCategory" && try(contains(field.equals, "Management"), false)
      ])
    ])
    error_message = "management events are recorded by default"
  }
}

run "only_this_trail_may_write" {
  command = plan

  assert {
    condition = alltrue([
      for statement in jsondecode(aws_s3_bucket_policy.this.policy).Statement :
      statement.Condition.StringEquals["aws:SourceArn"] == "arn:aws:cloudtrail:us-east-1:123456789012:trail/lego-api-dev"
      if statement.Effect == "Allow"
    ])
    error_message = "the bucket admits CloudTrail only for this env's trail (aws:SourceArn)"
  }
}

run "management_events_can_be_left_to_an_organisation_trail" {
  command = plan

  variables {
    include_management_events = false
  }

  assert {
    condition     = length(aws_cloudtrail.this.advanced_event_selector) == 2
    error_message = "only the two data-event selectors remain"
  }
}

run "retention_below_a_year_rejected" {
  command = plan

  variables {
    retention_days = 90
  }

  expect_failures = [var.retention_days]
}
