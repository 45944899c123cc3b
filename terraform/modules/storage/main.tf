# Files and images bucket (seed 001 "S3 Access Lambdas"): private, SSE-KMS, versioned, TLS only;
# CloudFront reads only the public image prefixes through origin access control.

locals {
  # Managed cache policy CachingOptimized (same id in every account).
  caching_optimized_policy_id = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  origin_id                   = "s3-${var.bucket_name}"
}

################################################################################
# Bucket
################################################################################

module "bucket" {
  source = "../private_bucket"

  bucket_name   = var.bucket_name
  kms_key_arn   = var.kms_key_arn
  force_destroy = var.force_destroy

  tags = var.tags
}

# The hardening resources lived here before modules/private_bucket: moved, not replaced.
moved {
  from = aws_s3_bucket.this
  to   = module.bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.this
  to   = module.bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.this
  to   = module.bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this
  to   = module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_versioning.this
  to   = module.bucket.aws_s3_bucket_versioning.this
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = module.bucket.id

  rule {
    id     = "expire-old-versions-and-abort-multipart"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  # Direct uploads are staged under uploads/ until the client confirms them; the confirm
  # deletes the staged object, so whatever is left after a day was never confirmed.
  rule {
    id     = "expire-unconfirmed-uploads"
    status = "Enabled"

    filter {
      prefix = "uploads/"
    }

    expiration {
      days = var.staged_upload_expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  depends_on = [module.bucket] # versioning on before the lifecycle rules
}

resource "aws_s3_bucket_cors_configuration" "this" {
  bucket = module.bucket.id

  cors_rule {
    allowed_origins = var.cors.allowed_origins
    allowed_methods = var.cors.allowed_methods
    allowed_headers = var.cors.allowed_headers
    expose_headers  = ["ETag"]
    max_age_seconds = var.cors.max_age_seconds
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = module.bucket.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [module.bucket.arn, "${module.bucket.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }],
      var.enable_cdn ? [{
        Sid       = "CloudFrontReadsPublicImages"
        Effect    = "Allow"
        Principal = { Service = "cloudfront.amazonaws.com" }
        Action    = "s3:GetObject"
        Resource  = [for pattern in var.cdn_path_patterns : "${module.bucket.arn}/${pattern}"]
        Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.this[0].arn } }
      }] : [],
    )
  })

  depends_on = [module.bucket] # public access blocked before the policy
}

################################################################################
# CloudFront (origin access control)
################################################################################

resource "aws_cloudfront_origin_access_control" "this" {
  count = var.enable_cdn ? 1 : 0

  name                              = var.bucket_name
  description                       = "CloudFront reads ${var.bucket_name} with SigV4"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "this" {
  count = var.enable_cdn ? 1 : 0

  name    = "${replace(var.bucket_name, ".", "-")}-security-headers"
  comment = "Security headers for public images"

  security_headers_config {
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  count = var.enable_cdn ? 1 : 0

  enabled         = true
  is_ipv6_enabled = true
  comment         = "Public images of ${var.bucket_name}"
  price_class     = var.cdn_price_class

  origin {
    domain_name              = module.bucket.bucket_regional_domain_name
    origin_id                = local.origin_id
    origin_access_control_id = aws_cloudfront_origin_access_control.this[0].id
  }

  # Everything outside the public prefixes is refused by the bucket policy (403).
  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_optimized_policy_id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this[0].id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  aliases = var.cdn_domain == null ? [] : [var.cdn_domain.name]

  # With the *.cloudfront.net certificate CloudFront keeps TLSv1 as the minimum whatever is
  # asked; only an own certificate lets TLS 1.0/1.1 go (TLSv1.2_2021).
  viewer_certificate {
    cloudfront_default_certificate = var.cdn_domain == null
    acm_certificate_arn            = var.cdn_domain == null ? null : var.cdn_domain.certificate_arn
    ssl_support_method             = var.cdn_domain == null ? null : "sni-only"
    minimum_protocol_version       = var.cdn_domain == null ? "TLSv1" : "TLSv1.2_2021"
  }

  tags = var.tags
}
