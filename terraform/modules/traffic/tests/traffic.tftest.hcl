mock_provider "aws" {}

variables {
  zone_id      = "Z0123456789ABCDEFGHIJ"
  record_name  = "api.lego-moc.example.com"
  blue_target  = "legacy-alb-123.us-east-1.elb.amazonaws.com"
  green_target = "d-abc123.execute-api.us-east-1.amazonaws.com"
  blue_weight  = 90
  green_weight = 10
}

run "weighted_records_split_by_weight" {
  command = plan

  assert {
    condition     = aws_route53_record.this["blue"].weighted_routing_policy[0].weight == 90
    error_message = "blue record must carry blue_weight"
  }
  assert {
    condition     = aws_route53_record.this["green"].weighted_routing_policy[0].weight == 10
    error_message = "green record must carry green_weight"
  }
  assert {
    condition     = aws_route53_record.this["blue"].set_identifier == "blue" && aws_route53_record.this["green"].set_identifier == "green"
    error_message = "set identifiers must be exactly blue and green (lego-traffic relies on them)"
  }
  assert {
    condition     = alltrue([for r in aws_route53_record.this : r.ttl == 60 && r.type == "CNAME" && r.name == "api.lego-moc.example.com"])
    error_message = "both records must be CNAMEs of the same name with TTL 60"
  }
  assert {
    condition     = aws_route53_record.this["blue"].records == toset(["legacy-alb-123.us-east-1.elb.amazonaws.com"]) && aws_route53_record.this["green"].records == toset(["d-abc123.execute-api.us-east-1.amazonaws.com"])
    error_message = "blue must point at the legacy target and green at the API Gateway domain"
  }
  assert {
    condition     = length(aws_route53_health_check.this) == 0 && aws_route53_record.this["green"].health_check_id == null
    error_message = "health checks are off by default"
  }
  assert {
    condition     = output.record_type == "CNAME" && output.set_identifiers == { blue = "blue", green = "green" }
    error_message = "outputs must expose the record type and set identifiers"
  }
}

run "full_cutover_and_rollback_weights_are_valid" {
  command = plan

  variables {
    blue_weight  = 0
    green_weight = 255
  }

  assert {
    condition     = aws_route53_record.this["green"].weighted_routing_policy[0].weight == 255 && aws_route53_record.this["blue"].weighted_routing_policy[0].weight == 0
    error_message = "0 and 255 are valid weights"
  }
}

run "health_checks_on" {
  command = plan

  variables {
    enable_health_checks = true
    health_check_paths   = { blue = "/status" }
  }

  assert {
    condition     = length(aws_route53_health_check.this) == 2 && aws_route53_health_check.this["blue"].resource_path == "/status"
    error_message = "one health check per colour, each on its own path"
  }
  assert {
    condition     = aws_route53_health_check.this["green"].fqdn == "d-abc123.execute-api.us-east-1.amazonaws.com" && aws_route53_health_check.this["green"].resource_path == "/health" && aws_route53_health_check.this["green"].type == "HTTPS"
    error_message = "the green health check must probe /health over HTTPS on the green target"
  }
}

run "green_health_check_on_the_default_endpoint" {
  command = plan

  variables {
    enable_health_checks = true
    health_check_fqdns   = { green = "abc123.execute-api.us-east-1.amazonaws.com" }
    health_check_paths   = { blue = "/health" }
  }

  assert {
    condition     = aws_route53_health_check.this["green"].fqdn == "abc123.execute-api.us-east-1.amazonaws.com" && aws_route53_health_check.this["blue"].fqdn == "legacy-alb-123.us-east-1.elb.amazonaws.com"
    error_message = "green is probed on the execute-api host, blue on its target"
  }
}

run "weight_above_255_rejected" {
  command = plan

  variables {
    green_weight = 256
  }

  expect_failures = [var.green_weight]
}

run "negative_weight_rejected" {
  command = plan

  variables {
    blue_weight = -1
  }

  expect_failures = [var.blue_weight]
}

run "fractional_weight_rejected" {
  command = plan

  variables {
    blue_weight = 12.5
  }

  expect_failures = [var.blue_weight]
}

run "both_weights_zero_rejected" {
  command = plan

  variables {
    blue_weight  = 0
    green_weight = 0
  }

  expect_failures = [var.green_weight]
}

run "blue_without_a_path_is_not_checked" {
  command = plan

  variables {
    enable_health_checks = true
  }

  assert {
    condition     = keys(aws_route53_health_check.this) == ["green"] && aws_route53_health_check.this["green"].resource_path == "/health"
    error_message = "by default only green is checked (on /health): the legacy service may have no such path"
  }
  assert {
    condition     = aws_route53_record.this["blue"].health_check_id == null
    error_message = "blue's record carries no health check, so Route53 treats it as healthy"
  }
}

run "health_check_path_without_slash_rejected" {
  command = plan

  variables {
    health_check_paths = { blue = "status" }
  }

  expect_failures = [var.health_check_paths]
}

run "blue_record_taken_over_after_adopt" {
  command = plan

  assert {
    condition     = aws_route53_record.this["blue"].allow_overwrite && !aws_route53_record.this["green"].allow_overwrite
    error_message = "blue (made from the legacy record by lego-traffic adopt) is taken over by UPSERT; green is always created"
  }
}
