# Blue/green cutover for the API hostname (seed 001 "Blue/Green Deployment Plan"):
# two weighted CNAMEs of one name; lego-traffic moves the weights 10 -> 50 -> 100.

locals {
  targets = {
    blue  = { target = var.blue_target, weight = var.blue_weight, path = var.health_check_paths.blue }
    green = { target = var.green_target, weight = var.green_weight, path = var.health_check_paths.green }
  }
  # A colour without a path gets no health check: Route53 then treats it as always healthy.
  checked = var.enable_health_checks ? { for colour, t in local.targets : colour => t if t.path != null } : {}
}

################################################################################
# Health checks (optional)
################################################################################

resource "aws_route53_health_check" "this" {
  for_each = local.checked

  fqdn              = coalesce(var.health_check_fqdns[each.key], each.value.target)
  type              = "HTTPS"
  port              = 443
  resource_path     = each.value.path
  request_interval  = 30
  failure_threshold = 3
  measure_latency   = true

  tags = merge(var.tags, { Name = "${var.record_name}-${each.key}" })
}

################################################################################
# Weighted records
################################################################################

resource "aws_route53_record" "this" {
  for_each = local.targets

  zone_id        = var.zone_id
  name           = var.record_name
  type           = "CNAME"
  ttl            = var.ttl_seconds
  records        = [each.value.target]
  set_identifier = each.key
  # Blue may exist before the first apply: `lego-traffic adopt` turns the legacy plain record
  # into it (Route53 refuses weighted records beside a plain one), and Terraform takes it over.
  allow_overwrite = each.key == "blue"
  health_check_id = contains(keys(local.checked), each.key) ? aws_route53_health_check.this[each.key].id : null

  weighted_routing_policy {
    weight = each.value.weight
  }
}
