mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name   = "lego-api-dev"
  routes = jsondecode(file("../../../functions/routes.json")).routes
  functions = {
    for fn in ["health", "mocs", "gallery", "wishlist", "profile", "upload"] : fn => {
      name       = "lego-api-${fn}-dev"
      invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:lego-api-${fn}-dev/invocations"
    }
  }
  jwt_issuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Mock"
  jwt_audience = ["client-id"]
  cors         = { allow_origins = ["http://localhost:3002"] }
  kms_key_arn  = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "every_route_of_routes_json_is_deployed" {
  command = apply

  assert {
    condition     = toset(concat(keys(aws_apigatewayv2_route.public), keys(aws_apigatewayv2_route.protected))) == toset(keys(var.routes))
    error_message = "every routeKey of functions/routes.json has a route"
  }
  assert {
    condition     = keys(aws_apigatewayv2_route.public) == ["GET /health"] && aws_apigatewayv2_route.public["GET /health"].authorization_type == "NONE"
    error_message = "only GET /health is public"
  }
  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.protected : r.authorization_type == "JWT" && r.authorizer_id == aws_apigatewayv2_authorizer.jwt.id])
    error_message = "every other route uses the Cognito JWT authorizer"
  }
  assert {
    condition     = alltrue([for key, r in aws_apigatewayv2_route.protected : r.target == "integrations/${aws_apigatewayv2_integration.this[var.routes[key].function].id}"])
    error_message = "each route targets its function's integration"
  }
  assert {
    condition     = alltrue([for i in aws_apigatewayv2_integration.this : i.payload_format_version == "2.0" && i.integration_type == "AWS_PROXY"])
    error_message = "payload format 2.0 on every integration"
  }
}

run "authorizer_cors_throttling_logs" {
  command = apply

  assert {
    condition     = aws_apigatewayv2_authorizer.jwt.jwt_configuration[0].issuer == var.jwt_issuer && aws_apigatewayv2_authorizer.jwt.jwt_configuration[0].audience == toset(["client-id"])
    error_message = "JWT issuer and audience from Cognito"
  }
  assert {
    condition     = aws_apigatewayv2_api.this.cors_configuration[0].allow_origins == toset(["http://localhost:3002"]) && aws_apigatewayv2_api.this.cors_configuration[0].allow_credentials && aws_apigatewayv2_api.this.cors_configuration[0].max_age == 3600
    error_message = "CORS from the variable, seed defaults"
  }
  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 500 && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 1000
    error_message = "seed rate limiting: burst 500, rate 1000/s"
  }
  assert {
    condition     = jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format).requestId == "$context.requestId" && aws_apigatewayv2_stage.this.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.access.arn
    error_message = "JSON access logs into the access log group"
  }
  assert {
    condition     = alltrue([for p in aws_lambda_permission.this : p.principal == "apigateway.amazonaws.com" && p.source_arn == "arn:aws:execute-api:us-east-1:123456789012:abc123/*/*"])
    error_message = "only this API may invoke the functions"
  }
  assert {
    condition     = length(aws_apigatewayv2_domain_name.this) == 0 && output.green_target == "abc123.execute-api.us-east-1.amazonaws.com"
    error_message = "without a custom domain the green target is the default endpoint host"
  }
}

run "custom_domain_and_route_throttling" {
  command = plan

  variables {
    domain_name     = "api.dev.lego-moc.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/mock"
    throttling = {
      routes = { "POST /api/mocs/{id}/files" = { burst_limit = 100, rate_limit = 100 } }
    }
  }

  assert {
    condition     = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].security_policy == "TLS_1_2" && aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].endpoint_type == "REGIONAL"
    error_message = "regional custom domain with TLS 1.2"
  }
  assert {
    condition     = one(aws_apigatewayv2_stage.this.route_settings).route_key == "POST /api/mocs/{id}/files" && one(aws_apigatewayv2_stage.this.route_settings).throttling_rate_limit == 100
    error_message = "seed: upload routes 100 requests/second"
  }
}

run "domain_without_certificate_rejected" {
  command = plan

  variables {
    domain_name = "api.dev.lego-moc.example.com"
  }

  expect_failures = [var.certificate_arn]
}

run "unknown_authorization_rejected" {
  command = plan

  variables {
    routes = { "GET /x" = { function = "mocs", authorization = "IAM" } }
  }

  expect_failures = [var.routes]
}
