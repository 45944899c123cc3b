# This env is one call of the stack module with the values of <env>.tfvars (and the weights of
# traffic.auto.tfvars.json, written by lego-traffic). Deploy: terraform apply -var-file=<env>.tfvars

module "stack" {
  source = "../../modules/stack"

  stage                          = var.stage
  artifacts_dir                  = var.artifacts_dir
  app_version                    = var.app_version
  enable_provisioned_concurrency = var.enable_provisioned_concurrency
  reserved_concurrency           = var.reserved_concurrency
  log_retention_days             = var.log_retention_days
  log_level                      = var.log_level
  network                        = var.network
  db                             = var.db
  cache                          = var.cache
  search                         = var.search
  deletion_protection            = var.deletion_protection
  force_destroy                  = var.force_destroy
  secret_recovery_window_days    = var.secret_recovery_window_days
  bucket_name                    = var.bucket_name
  cors_allowed_origins           = var.cors_allowed_origins
  throttling_burst_limit         = var.throttling_burst_limit
  throttling_rate_limit          = var.throttling_rate_limit
  dns                            = var.dns
  blue_weight                    = var.blue_weight
  green_weight                   = var.green_weight
  create_user_pool               = var.create_user_pool
  existing_user_pool             = var.existing_user_pool
  user_pool_email                = var.user_pool_email
  monitoring                     = var.monitoring
  require_alarm_subscribers      = var.require_alarm_subscribers
  switches                       = var.switches
}

# The stack's outputs under the names `terraform output` has always shown (lego-traffic reads traffic).
output "api_endpoint" {
  description = "Default endpoint of the HTTP API."
  value       = module.stack.api_endpoint
}

output "api_domain_name" {
  description = "Public hostname (weighted blue/green)."
  value       = module.stack.api_domain_name
}

output "traffic" {
  description = "What lego-traffic needs: zone id, record name/type, set identifiers and the weights applied."
  value       = module.stack.traffic
}

output "function_names" {
  description = "Lambda function names by function key."
  value       = module.stack.function_names
}

output "user_pool_id" {
  description = "Cognito user pool id."
  value       = module.stack.user_pool_id
}

output "user_pool_client_id" {
  description = "Cognito app client id (JWT audience)."
  value       = module.stack.user_pool_client_id
}

output "bucket_name" {
  description = "Files/images bucket."
  value       = module.stack.bucket_name
}

output "assets_base_url" {
  description = "Base URL of public images."
  value       = module.stack.assets_base_url
}

output "db_credentials_secret_arn" {
  description = "ARN of the generated database credentials (the value is only in Secrets Manager)."
  value       = module.stack.db_credentials_secret_arn
}

output "alarm_topic_arns" {
  description = "SNS topics of the alarms by severity."
  value       = module.stack.alarm_topic_arns
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.stack.dashboard_name
}

output "undeployed_functions" {
  description = "Functions of the stack's functions map with no artefacts yet (not deployed, routes not created)."
  value       = module.stack.undeployed_functions
}

################################################################################
# The composition lived in this directory until issue 12; state applied then moves here.
################################################################################

moved {
  from = module.kms
  to   = module.stack.module.kms
}

moved {
  from = module.network
  to   = module.stack.module.network
}

moved {
  from = module.database
  to   = module.stack.module.database
}

moved {
  from = module.cache
  to   = module.stack.module.cache
}

moved {
  from = module.search
  to   = module.stack.module.search
}

moved {
  from = module.storage
  to   = module.stack.module.storage
}

moved {
  from = module.auth
  to   = module.stack.module.auth
}

moved {
  from = module.function
  to   = module.stack.module.function
}

moved {
  from = module.api
  to   = module.stack.module.api
}

moved {
  from = aws_lambda_invocation.migrate
  to   = module.stack.aws_lambda_invocation.migrate
}

moved {
  from = aws_route53_zone.this
  to   = module.stack.aws_route53_zone.this
}

moved {
  from = module.traffic
  to   = module.stack.module.traffic
}

moved {
  from = module.monitoring
  to   = module.stack.module.monitoring
}
