output "bucket_name" {
  description = "Bucket name (S3_BUCKET)."
  value       = module.bucket.id
}

output "bucket_arn" {
  description = "Bucket ARN (function role policies scope to <arn>/<prefix>/*)."
  value       = module.bucket.arn
}

output "assets_base_url" {
  description = "Base URL of public images (ASSETS_BASE_URL): cdn_domain's name, else the CloudFront domain, or the bucket's regional endpoint when the CDN is off."
  value       = var.enable_cdn ? "https://${var.cdn_domain == null ? aws_cloudfront_distribution.this[0].domain_name : var.cdn_domain.name}" : "https://${module.bucket.bucket_regional_domain_name}"
}

output "distribution_id" {
  description = "CloudFront distribution id, or null when the CDN is off."
  value       = var.enable_cdn ? aws_cloudfront_distribution.this[0].id : null
}

output "distribution_arn" {
  description = "CloudFront distribution ARN (the KMS key's aws:SourceArn for OAC reads), or null when the CDN is off."
  value       = var.enable_cdn ? aws_cloudfront_distribution.this[0].arn : null
}

output "distribution_domain_name" {
  description = "The distribution's *.cloudfront.net name (target of an alias record for cdn_domain), or null when the CDN is off."
  value       = var.enable_cdn ? aws_cloudfront_distribution.this[0].domain_name : null
}
