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
  value       = { for tier, sg in aws_security_group.this : tier => sg.id }
}

output "availability_zones" {
  description = "Availability zones of the private subnets."
  value       = local.azs
}
