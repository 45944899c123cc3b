output "id" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.id
}

output "name" {
  description = "Bucket name as configured: the same value as id, but known at plan time."
  value       = aws_s3_bucket.this.bucket
}

output "arn" {
  description = "Bucket ARN."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional endpoint of the bucket (a CloudFront origin, or the base URL of objects)."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "kms_key_arn" {
  description = "KMS key of the bucket's default encryption (SSE-KMS, bucket key on), as configured."
  value       = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].kms_master_key_id
}

output "versioning_status" {
  description = "Versioning status as configured (Enabled)."
  value       = aws_s3_bucket_versioning.this.versioning_configuration[0].status
}

output "public_access_blocked" {
  description = "True when all four public access blocks are on."
  value = alltrue([
    aws_s3_bucket_public_access_block.this.block_public_acls,
    aws_s3_bucket_public_access_block.this.block_public_policy,
    aws_s3_bucket_public_access_block.this.ignore_public_acls,
    aws_s3_bucket_public_access_block.this.restrict_public_buckets,
  ])
}
