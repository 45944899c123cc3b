output "user_pool_id" {
  description = "User pool id (COGNITO_USER_POOL_ID)."
  value       = local.pool_id
}

output "user_pool_arn" {
  description = "User pool ARN (profile function's cognito-idp permissions)."
  value       = "arn:${data.aws_partition.current.partition}:cognito-idp:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:userpool/${local.pool_id}"
}

output "client_id" {
  description = "App client id: the JWT authorizer's audience."
  value       = local.client_id
}

output "issuer_url" {
  description = "JWT issuer of the pool: the JWT authorizer's issuer."
  value       = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${local.pool_id}"
}
