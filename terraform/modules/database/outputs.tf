output "proxy_endpoint" {
  description = "RDS Proxy endpoint the functions connect to (DB_HOST)."
  value       = aws_db_proxy.this.endpoint
}

output "port" {
  description = "PostgreSQL port (DB_PORT)."
  value       = 5432
}

output "database_name" {
  description = "Application database name (DB_NAME)."
  value       = var.database_name
}

output "username" {
  description = "Login the functions use with an IAM token through the proxy (DB_USER): the app role."
  value       = var.app_username
}

output "migrator_username" {
  description = "Login of the migrate function alone (DB_USER there): the master, which owns the schema."
  value       = var.master_username
}

output "credentials_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret with the master credentials (never the value)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "app_secret_arn" {
  description = "ARN of the app login's secret (the proxy's, and migrate's APP_DB_SECRET_ARN; never the value)."
  value       = aws_secretsmanager_secret.app.arn
}

output "connect_resource_arn" {
  description = "rds-db:connect resource ARN for the proxy and the app login (every function but migrate)."
  value       = "${local.connect_arn_prefix}/${var.app_username}"
}

output "migrator_connect_resource_arn" {
  description = "rds-db:connect resource ARN for the proxy and the master login (the migrate function alone)."
  value       = "${local.connect_arn_prefix}/${var.master_username}"
}

output "instance_id" {
  description = "DB instance identifier (alarm dimension)."
  value       = aws_db_instance.this.identifier
}

output "proxy_name" {
  description = "RDS Proxy name (dashboard dimension)."
  value       = aws_db_proxy.this.name
}

output "proxy_target_id" {
  description = "Id of the proxy target: exists once the instance is registered (migrations wait for it)."
  value       = aws_db_proxy_target.this.id
}
