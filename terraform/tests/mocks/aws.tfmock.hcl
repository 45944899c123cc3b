# Mock AWS values shared by every `terraform test` (modules and envs): ARNs, ids and
# endpoints the provider would compute. A test points at it with
# mock_provider "aws" { source = "../../tests/mocks" }.

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}

mock_data "aws_region" {
  defaults = { name = "us-east-1" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}

mock_data "aws_secretsmanager_random_password" {
  defaults = { random_password = "mock-token-0123456789" }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:mock" }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = { arn = "arn:aws:events:us-east-1:123456789012:rule/mock" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mock-AbCdEf" }
}

mock_resource "aws_db_proxy" {
  defaults = { arn = "arn:aws:rds:us-east-1:123456789012:db-proxy:prx-0123456789abcdef0", endpoint = "lego-api-dev.proxy-abc.us-east-1.rds.amazonaws.com" }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:us-east-1:123456789012:function:mock"
    invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock/invocations"
  }
}

mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:us-east-1:123456789012:mock" }
}

mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::mock-bucket", bucket_regional_domain_name = "mock-bucket.s3.us-east-1.amazonaws.com" }
}

mock_resource "aws_opensearch_domain" {
  defaults = { arn = "arn:aws:es:us-east-1:123456789012:domain/mock", endpoint = "vpc-mock.us-east-1.es.amazonaws.com" }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = { arn = "arn:aws:cloudfront::123456789012:distribution/EMOCK", domain_name = "dmock.cloudfront.net" }
}

mock_resource "aws_apigatewayv2_api" {
  defaults = { execution_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123", api_endpoint = "https://abc123.execute-api.us-east-1.amazonaws.com" }
}

mock_resource "aws_db_instance" {
  defaults = { master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-mock-AbCdEf", kms_key_id = "k", secret_status = "active" }] }
}

mock_resource "aws_db_proxy_default_target_group" {
  defaults = { name = "default" }
}

mock_resource "aws_cognito_user_pool" {
  defaults = { id = "us-east-1_Mock" }
}

mock_resource "aws_sqs_queue" {
  defaults = { arn = "arn:aws:sqs:us-east-1:123456789012:mock-dlq" }
}

mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
}

mock_data "aws_secretsmanager_secret_version" {
  defaults = { secret_string = "mock-token-0123456789" }
}

mock_resource "aws_wafv2_web_acl" {
  defaults = { arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/mock/00000000-0000-0000-0000-000000000000" }
}

mock_resource "aws_cloudtrail" {
  defaults = { arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/mock" }
}
