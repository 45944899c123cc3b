output "url" {
  description = "https:// URL of the VPC endpoint (OPENSEARCH_URL)."
  value       = "https://${aws_opensearch_domain.this.endpoint}"
}

output "domain_arn" {
  description = "Domain ARN (function role policies use <arn>/*)."
  value       = aws_opensearch_domain.this.arn
}

output "domain_name" {
  description = "Domain name (alarm dimension)."
  value       = aws_opensearch_domain.this.domain_name
}
