# Optional edge in front of the HTTP API (seed 001 lists WAF; HTTP APIs take no WAF association):
# a CloudFront distribution that answers the public API hostname and forwards everything,
# uncached, to the API's execute-api host, with a WAFv2 web ACL (scope CLOUDFRONT): AWS managed
# common and known-bad-inputs rule groups and a per-IP rate limit. The weighted green record
# then points at the distribution instead of the API (terraform/README.md "Edge").

data "aws_region" "current" {}

locals {
  origin_id = "api"
  # Managed policies (same ids in every account): no caching, every viewer header but Host (API
  # Gateway routes by its own host name; Authorization still reaches the JWT authorizer).
  caching_disabled_policy_id              = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  all_viewer_except_host_header_policy_id = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
}

################################################################################
# WAFv2 web ACL (CLOUDFRONT scope: lives in us-east-1)
################################################################################

resource "aws_wafv2_web_acl" "this" {
  name        = var.name
  description = "Edge rules of ${var.name}: AWS managed common + known bad inputs, rate limit per IP"
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  rule {
    name     = "aws-common"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"

        # The group blocks bodies over 8 KB; the API's own limits (body depth and size, 413)
        # decide, so this rule only counts.
        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-aws-common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet" # Log4j / JNDI lookups among them
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-aws-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-per-ip"
    priority = 30

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.rate_limit_per_ip
        evaluation_window_sec = 300
        aggregate_key_type    = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-rate-per-ip"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = data.aws_region.current.name == "us-east-1"
      error_message = "a CLOUDFRONT-scope web ACL (and the distribution's certificate) must be created in us-east-1; this env's region is ${data.aws_region.current.name}."
    }
  }
}

# Every request with the rule that decided it; the Authorization header (a bearer token) is
# redacted, so no token reaches the logs. WAF requires the aws-waf-logs- prefix.
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
}

################################################################################
# CloudFront distribution
################################################################################

# Security headers on every answer; CORS stays the API's own (the headers pass through).
resource "aws_cloudfront_response_headers_policy" "this" {
  name    = "${var.name}-edge-security-headers"
  comment = "Security headers for the API behind ${var.name}'s edge"

  security_headers_config {
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  enabled         = true
  is_ipv6_enabled = true
  comment         = "Edge of ${var.name}: ${var.domain_name} -> ${var.origin_domain_name}"
  aliases         = [var.domain_name]
  price_class     = var.price_class
  web_acl_id      = aws_wafv2_web_acl.this.arn
  http_version    = "http2and3"

  origin {
    domain_name = var.origin_domain_name
    origin_id   = local.origin_id

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
      # API Gateway ends every request at 30 s; CloudFront's default read timeout is 30 s too.
      origin_read_timeout = 30
    }
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "https-only" # a redirect would turn a POST into a GET
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_disabled_policy_id
    origin_request_policy_id   = local.all_viewer_except_host_header_policy_id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = var.certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }

  tags = var.tags
}
