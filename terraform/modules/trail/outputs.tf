output "trail_arn" {
  description = "ARN of the trail."
  value       = aws_cloudtrail.this.arn
}

output "bucket_name" {
  description = "Bucket holding the log files (AWSLogs/<account id>/CloudTrail/...)."
  value       = module.bucket.id
}
