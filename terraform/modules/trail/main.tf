# CloudTrail for one env: management events and the S3 data events of the env's buckets, to a
# dedicated bucket (SSE-KMS, versioned, kept retention_days), log file validation on. It is the
# audit record the checkov notes in terraform/.checkov.yaml rely on (S3 access logs, log retention).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  bucket_name = "${var.name}-trail-${local.account_id}"
  # Known before the trail exists: the bucket policy's and the key policy's aws:SourceArn.
  trail_arn = "arn:${local.partition}:cloudtrail:${data.aws_region.current.name}:${local.account_id}:trail/${var.name}"
}

################################################################################
# Log bucket
################################################################################

module "bucket" {
  source = "../private_bucket"

  bucket_name   = local.bucket_name
  kms_key_arn   = var.kms_key_arn
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = module.bucket.id

  rule {
    id     = "keep-retention-days"
    status = "Enabled"

    filter {}

    expiration {
      days = var.retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [module.bucket] # versioning on before the lifecycle rules
}

resource "aws_s3_bucket_policy" "this" {
  bucket = module.bucket.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [module.bucket.arn, "${module.bucket.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "CloudTrailChecksAcl"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = module.bucket.arn
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
      },
      {
        Sid       = "CloudTrailWritesLogs"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${module.bucket.arn}/AWSLogs/${local.account_id}/*"
        Condition = {
          StringEquals = { "aws:SourceArn" = local.trail_arn, "s3:x-amz-acl" = "bucket-owner-full-control" }
        }
      },
    ]
  })

  depends_on = [module.bucket] # public access blocked before the policy
}

################################################################################
# Trail
################################################################################

resource "aws_cloudtrail" "this" {
  name                          = var.name
  s3_bucket_name                = module.bucket.id
  kms_key_id                    = var.kms_key_arn
  enable_log_file_validation    = true
  is_multi_region_trail         = true
  include_global_service_events = true

  dynamic "advanced_event_selector" {
    for_each = var.include_management_events ? [1] : []
    content {
      name = "Management events"
      field_selector {
        field  = "eventCategory"
        equals = ["Management"]
      }
    }
  }

  # Who read, wrote or deleted which object of the env's buckets (the files and images).
  advanced_event_selector {
    name = "S3 objects of the env's buckets"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
    field_selector {
      field       = "resources.ARN"
      starts_with = [for arn in var.data_event_bucket_arns : "${arn}/"]
    }
  }

  # Who read the audit logs themselves; writes are CloudTrail's own deliveries (logging them
  # would log every delivery).
  advanced_event_selector {
    name = "Reads of the trail's own logs"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
    field_selector {
      field  = "readOnly"
      equals = ["true"]
    }
    field_selector {
      field       = "resources.ARN"
      starts_with = ["${module.bucket.arn}/"]
    }
  }

  tags = var.tags

  depends_on = [aws_s3_bucket_policy.this]
}
