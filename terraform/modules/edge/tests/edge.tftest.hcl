mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name               = "lego-api-production"
  domain_name        = "api.lego-moc.example.com"
  certificate_arn    = "arn:aws:acm:us-east-1:123456789012:certificate/edge"
  origin_domain_name = "abc123.execute-api.us-east-1.amazonaws.com"
  kms_key_arn        = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "waf_with_managed_rules_and_a_rate_limit" {
  command = apply

  assert {
    condition     = aws_wafv2_web_acl.this.scope == "CLOUDFRONT" && aws_cloudfront_distribution.this.web_acl_id == aws_wafv2_web_acl.this.arn
    error_message = "a CLOUDFRONT-scope web ACL is attached to the distribution"
  }
  assert {
    condition = toset(flatten([
      for rule in aws_wafv2_web_acl.this.rule : [for group in rule.statement[0].managed_rule_group_statement : group.name]
    ])) == toset(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"])
    error_message = "the AWS managed common and known-bad-inputs rule groups"
  }
  assert {
    condition = one(flatten([
      for rule in aws_wafv2_web_acl.this.rule : [
        for rate in rule.statement[0].rate_based_statement : rate.limit if rate.aggregate_key_type == "IP" && try(length(rule.action[0].block), 0) == 1
      ]
    ])) == 3000
    error_message = "a per-IP rate rule blocks above 3000 requests in 5 minutes"
  }
  assert {
    condition     = one(aws_wafv2_web_acl_logging_configuration.this.redacted_fields).single_header[0].name == "authorization" && startswith(aws_cloudwatch_log_group.waf.name, "aws-waf-logs-")
    error_message = "WAF logs every request with the bearer token redacted"
  }
}

run "distribution_forwards_everything_uncached_to_the_api" {
  command = plan

  assert {
    condition     = aws_cloudfront_distribution.this.aliases == toset(["api.lego-moc.example.com"])
    error_message = "the distribution answers the public API hostname"
  }
  assert {
    condition     = one(aws_cloudfront_distribution.this.origin).domain_name == var.origin_domain_name && one(aws_cloudfront_distribution.this.origin).custom_origin_config[0].origin_protocol_policy == "https-only"
    error_message = "the origin is the API's execute-api host over HTTPS"
  }
  assert {
    condition     = aws_cloudfront_distribution.this.default_cache_behavior[0].cache_policy_id == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" && aws_cloudfront_distribution.this.default_cache_behavior[0].origin_request_policy_id == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    error_message = "nothing is cached (CachingDisabled) and every viewer header but Host reaches the API (AllViewerExceptHostHeader)"
  }
  assert {
    condition     = length(aws_cloudfront_distribution.this.default_cache_behavior[0].allowed_methods) == 7 && aws_cloudfront_distribution.this.default_cache_behavior[0].viewer_protocol_policy == "https-only"
    error_message = "every API method passes; plain HTTP is refused (a redirect would turn a POST into a GET)"
  }
  assert {
    condition     = aws_cloudfront_distribution.this.viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021" && aws_cloudfront_distribution.this.viewer_certificate[0].acm_certificate_arn == var.certificate_arn
    error_message = "own certificate, TLS 1.2 at least"
  }
}

run "other_region_refused" {
  command = plan

  override_data {
    target = data.aws_region.current
    values = { name = "eu-west-1" }
  }

  expect_failures = [aws_wafv2_web_acl.this]
}

run "certificate_outside_us_east_1_rejected" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/edge"
  }

  expect_failures = [var.certificate_arn]
}

run "origin_with_scheme_rejected" {
  command = plan

  variables {
    origin_domain_name = "https://abc123.execute-api.us-east-1.amazonaws.com"
  }

  expect_failures = [var.origin_domain_name]
}
