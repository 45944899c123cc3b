mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  bucket_name = "lego-moc-files-dev"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "private_encrypted_versioned_bucket" {
  command = apply

  assert {
    condition     = aws_s3_bucket.this.bucket == "lego-moc-files-dev" && !aws_s3_bucket.this.force_destroy
    error_message = "the bucket has the given name and destroy does not empty it by default"
  }
  assert {
    condition = (aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy
    && aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets)
    error_message = "all four public access blocks are on"
  }
  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs are disabled: the bucket owner owns every object"
  }
  assert {
    condition = (one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"
      && one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == var.kms_key_arn
    && one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled)
    error_message = "SSE-KMS with the given key and a bucket key"
  }
  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "versioning is on"
  }
  assert {
    condition = alltrue([for bucket in [
      aws_s3_bucket_public_access_block.this.bucket, aws_s3_bucket_ownership_controls.this.bucket,
      aws_s3_bucket_server_side_encryption_configuration.this.bucket, aws_s3_bucket_versioning.this.bucket,
    ] : bucket == aws_s3_bucket.this.id])
    error_message = "every setting applies to this bucket"
  }
  assert {
    condition = (output.id == aws_s3_bucket.this.id && output.name == "lego-moc-files-dev" && output.arn == "arn:aws:s3:::mock-bucket"
    && output.bucket_regional_domain_name == "mock-bucket.s3.us-east-1.amazonaws.com")
    error_message = "the outputs are the bucket's id, name, ARN and regional endpoint"
  }
  assert {
    condition     = output.kms_key_arn == var.kms_key_arn && output.versioning_status == "Enabled" && output.public_access_blocked
    error_message = "the outputs callers assert on report the key, versioning and the public access blocks"
  }
}

run "disposable_bucket_with_tags" {
  command = plan

  variables {
    force_destroy = true
    tags          = { Environment = "dev" }
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy && aws_s3_bucket.this.tags == tomap({ Environment = "dev" })
    error_message = "force_destroy and tags reach the bucket"
  }
}

run "invalid_bucket_name_rejected" {
  command = plan

  variables {
    bucket_name = "Lego_MOC_Files"
  }

  expect_failures = [var.bucket_name]
}

run "key_alias_rejected" {
  command = plan

  variables {
    kms_key_arn = "alias/lego-api-dev"
  }

  expect_failures = [var.kms_key_arn]
}
