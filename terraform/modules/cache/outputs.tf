output "url" {
  description = "rediss:// URL of the primary endpoint, database 0 (REDIS_URL); the token is not in it."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:6379/0"
}

output "primary_endpoint" {
  description = "Primary endpoint hostname."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "auth_secret_arn" {
  description = "ARN of the secret holding the AUTH token (REDIS_AUTH_SECRET_ARN)."
  value       = aws_secretsmanager_secret.auth.arn
}

output "replication_group_id" {
  description = "Replication group id."
  value       = aws_elasticache_replication_group.this.id
}

output "member_cluster_ids" {
  description = "Cache cluster ids of the members (CacheClusterId alarm dimension), known at plan time: ElastiCache names them <group>-001, -002, ..."
  value       = [for index in range(var.node_count) : format("%s-%03d", var.name, index + 1)]
}
