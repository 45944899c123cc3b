output "api_id" {
  description = "HTTP API id (alarm dimension ApiId)."
  value       = aws_apigatewayv2_api.this.id
}

output "api_endpoint" {
  description = "Default https endpoint of the API."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "endpoint_host" {
  description = "Host of the default execute-api endpoint (green's Route53 health check probes it: the custom domain target answers only its own hostname)."
  value       = trimprefix(aws_apigatewayv2_api.this.api_endpoint, "https://")
}

output "stage_name" {
  description = "Stage name (alarm dimension Stage)."
  value       = aws_apigatewayv2_stage.this.name
}

output "green_target" {
  description = "Hostname the green weighted record points at: the custom domain's regional target, or the default endpoint host when no domain is set."
  value       = var.domain_name != null ? aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name : trimprefix(aws_apigatewayv2_api.this.api_endpoint, "https://")
}

output "route_keys" {
  description = "Route keys deployed, by authorization."
  value = {
    public    = sort(keys(aws_apigatewayv2_route.public))
    protected = sort(keys(aws_apigatewayv2_route.protected))
  }
}
