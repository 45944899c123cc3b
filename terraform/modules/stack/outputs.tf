output "api_endpoint" {
  description = "Default endpoint of the HTTP API."
  value       = module.api.api_endpoint
}

output "api_domain_name" {
  description = "Public hostname (weighted blue/green)."
  value       = var.dns.api_domain_name
}

output "traffic" {
  description = "What lego-traffic needs: zone id, record name/type, set identifiers and the weights applied."
  value = {
    zone_id         = module.traffic.zone_id
    record_name     = module.traffic.record_name
    record_type     = module.traffic.record_type
    set_identifiers = module.traffic.set_identifiers
    weights         = module.traffic.weights
  }
}

output "function_names" {
  description = "Lambda function names by function key."
  value       = merge({ for fn, f in module.function : fn => f.function_name }, { migrate = module.migrate.function_name })
}

output "user_pool_id" {
  description = "Cognito user pool id."
  value       = module.auth.user_pool_id
}

output "user_pool_client_id" {
  description = "Cognito app client id (JWT audience)."
  value       = module.auth.client_id
}

output "bucket_name" {
  description = "Files/images bucket."
  value       = module.storage.bucket_name
}

output "assets_base_url" {
  description = "Base URL of public images."
  value       = module.storage.assets_base_url
}

output "db_credentials_secret_arn" {
  description = "ARN of the generated database credentials (the value is only in Secrets Manager)."
  value       = module.database.credentials_secret_arn
}

output "alarm_topic_arns" {
  description = "SNS topics of the alarms by severity."
  value       = module.monitoring.topic_arns
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.monitoring.dashboard_name
}

output "undeployed_functions" {
  description = "Functions of var.functions with no artefacts in the artifacts directory (not built yet, so not deployed, and their routes not created)."
  value       = sort([for fn in keys(var.functions) : fn if !contains(keys(local.functions), fn)])
}
