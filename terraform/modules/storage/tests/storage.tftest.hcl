mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  bucket_name = "lego-moc-files-dev"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  cors        = { allowed_origins = ["http://localhost:3002"] }
}

run "private_encrypted_versioned_bucket" {
  command = apply

  # The hardening itself (public access blocks, BucketOwnerEnforced, SSE-KMS, versioning) is
  # modules/private_bucket's, tested there; here: this bucket gets it, with the env key.
  assert {
    condition     = module.bucket.public_access_blocked
    error_message = "all four public access blocks are on"
  }
  assert {
    condition     = module.bucket.kms_key_arn == var.kms_key_arn
    error_message = "SSE-KMS by default, with the env key"
  }
  assert {
    condition     = module.bucket.versioning_status == "Enabled"
    error_message = "versioning is on"
  }
  assert {
    condition     = output.bucket_name == module.bucket.id && aws_s3_bucket_lifecycle_configuration.this.bucket == module.bucket.id && aws_s3_bucket_policy.this.bucket == module.bucket.id && aws_s3_bucket_cors_configuration.this.bucket == module.bucket.id
    error_message = "lifecycle, CORS and policy apply to the hardened bucket"
  }
  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.rule[0].noncurrent_version_expiration[0].noncurrent_days == 30 && aws_s3_bucket_lifecycle_configuration.this.rule[0].abort_incomplete_multipart_upload[0].days_after_initiation == 1
    error_message = "old versions expire after 30 days, incomplete uploads after 1"
  }
  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.rule[1].filter[0].prefix == "uploads/" && aws_s3_bucket_lifecycle_configuration.this.rule[1].expiration[0].days == 1
    error_message = "unconfirmed direct uploads (uploads/) expire after a day (issue 14)"
  }
  assert {
    condition     = one(aws_s3_bucket_cors_configuration.this.cors_rule).allowed_origins == toset(["http://localhost:3002"])
    error_message = "CORS allows the web app origin"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this.policy).Statement[0].Effect == "Deny" && jsondecode(aws_s3_bucket_policy.this.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "plain HTTP is denied"
  }
}

run "cloudfront_reads_only_public_prefixes_through_oac" {
  command = apply

  assert {
    condition     = aws_cloudfront_origin_access_control.this[0].signing_behavior == "always" && aws_cloudfront_origin_access_control.this[0].origin_access_control_origin_type == "s3"
    error_message = "origin access control signs every request"
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this.policy).Statement[1].Resource == ["arn:aws:s3:::mock-bucket/images/*", "arn:aws:s3:::mock-bucket/wishlist/*", "arn:aws:s3:::mock-bucket/avatars/*"]
    error_message = "CloudFront may read only images/, wishlist/ and avatars/"
  }
  assert {
    condition     = aws_cloudfront_distribution.this[0].default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https"
    error_message = "viewers are sent to HTTPS"
  }
  assert {
    condition     = output.assets_base_url == "https://dmock.cloudfront.net"
    error_message = "ASSETS_BASE_URL is the distribution"
  }
}

run "default_certificate_without_a_domain" {
  command = plan

  assert {
    condition     = aws_cloudfront_distribution.this[0].viewer_certificate[0].cloudfront_default_certificate && length(aws_cloudfront_distribution.this[0].aliases) == 0
    error_message = "without cdn_domain the *.cloudfront.net certificate serves (CloudFront keeps TLSv1 as its minimum)"
  }
}

# Issue 13 item 17 (CKV_AWS_174, CKV2_AWS_42): an own certificate and TLS 1.2 at least.
run "own_domain_serves_tls_1_2_only" {
  command = apply

  variables {
    cdn_domain = { name = "assets.lego-moc.example.com", certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/assets" }
  }

  assert {
    condition     = aws_cloudfront_distribution.this[0].viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021" && aws_cloudfront_distribution.this[0].viewer_certificate[0].ssl_support_method == "sni-only"
    error_message = "with a certificate the distribution refuses TLS 1.0 and 1.1"
  }
  assert {
    condition     = aws_cloudfront_distribution.this[0].viewer_certificate[0].acm_certificate_arn == var.cdn_domain.certificate_arn && !aws_cloudfront_distribution.this[0].viewer_certificate[0].cloudfront_default_certificate
    error_message = "the ACM certificate replaces the default one"
  }
  assert {
    condition     = aws_cloudfront_distribution.this[0].aliases == toset(["assets.lego-moc.example.com"]) && output.assets_base_url == "https://assets.lego-moc.example.com"
    error_message = "the distribution answers the own name and ASSETS_BASE_URL uses it"
  }
}

run "certificate_outside_us_east_1_rejected" {
  command = plan

  variables {
    cdn_domain = { name = "assets.lego-moc.example.com", certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/assets" }
  }

  expect_failures = [var.cdn_domain]
}

run "cdn_off_serves_from_bucket" {
  command = plan

  variables {
    enable_cdn = false
  }

  assert {
    condition     = length(aws_cloudfront_distribution.this) == 0 && length(jsondecode(aws_s3_bucket_policy.this.policy).Statement) == 1
    error_message = "without the CDN there is no distribution and no CloudFront grant"
  }
}

run "wildcard_origin_rejected" {
  command = plan

  variables {
    cors = { allowed_origins = ["*"] }
  }

  expect_failures = [var.cors]
}
