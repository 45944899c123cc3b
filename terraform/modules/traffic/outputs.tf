output "zone_id" {
  description = "Hosted zone id of the weighted records (lego-traffic changes weights here)."
  value       = var.zone_id
}

output "record_name" {
  description = "Name both weighted records answer for."
  value       = var.record_name
}

output "record_type" {
  description = "Record type of both weighted records."
  value       = "CNAME"
}

output "set_identifiers" {
  description = "Route53 set identifiers by colour: { blue = \"blue\", green = \"green\" }."
  value       = { for colour, record in aws_route53_record.this : colour => record.set_identifier }
}

output "weights" {
  description = "Weights applied, by colour."
  value       = { for colour, record in aws_route53_record.this : colour => one(record.weighted_routing_policy).weight }
}

output "health_check_ids" {
  description = "Route53 health check ids by colour (empty when health checks are off)."
  value       = { for colour, check in aws_route53_health_check.this : colour => check.id }
}
