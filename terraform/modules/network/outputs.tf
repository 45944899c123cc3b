output "vpc_id" {
  description = "Id of the VPC."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "Ids of the private subnets, one per availability zone (ordered by zone)."
  value       = [for az in local.azs : aws_subnet.private[az].id]
}

output "security_group_ids" {
  description = "Security group ids by tier: lambda, proxy, db, redis, opensearch, endpoints."
  value = merge(
    { lambda = aws_security_group.lambda.id, proxy = aws_security_group.proxy.id, db = aws_security_group.db.id },
    { for tier, sg in aws_security_group.from_lambda : tier => sg.id },
  )
}

output "availability_zone_ids" {
  description = "Availability zones of the private subnets."
  value       = local.azs
}

output "cognito_egress_security_group_id" {
  description = "Security group letting HTTPS out through the NAT gateway, for the functions that call Cognito (cognito_via_nat), or null when Cognito is reached through its endpoint."
  value       = var.cognito_via_nat ? aws_security_group.cognito_egress[0].id : null
}

output "interface_endpoint_services" {
  description = "Services reached through interface endpoints (cognito-idp is left out with cognito_via_nat)."
  value       = sort(keys(aws_vpc_endpoint.interface))
}
