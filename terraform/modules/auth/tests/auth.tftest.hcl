mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_secretsmanager_secret_version" {
    defaults = { secret_string = "mock-token-0123456789" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:mock" }
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
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }
}

variables {
  name = "lego-api-dev"
}

run "creates_pool_and_public_client" {
  command = apply

  assert {
    condition     = length(aws_cognito_user_pool.this) == 1 && aws_cognito_user_pool.this[0].password_policy[0].minimum_length >= 12
    error_message = "a pool with a 12+ character password policy"
  }
  assert {
    condition     = !aws_cognito_user_pool_client.this[0].generate_secret && aws_cognito_user_pool_client.this[0].prevent_user_existence_errors == "ENABLED"
    error_message = "browser client: no secret, no user enumeration"
  }
  assert {
    condition     = output.issuer_url == "https://cognito-idp.us-east-1.amazonaws.com/${aws_cognito_user_pool.this[0].id}" && output.client_id == aws_cognito_user_pool_client.this[0].id
    error_message = "issuer and audience of the created pool"
  }
  assert {
    condition     = aws_cognito_user_pool.this[0].deletion_protection == "ACTIVE"
    error_message = "deletion protection by default"
  }
}

run "existing_legacy_pool" {
  command = apply

  variables {
    existing_user_pool = { id = "us-east-1_Legacy", client_id = "legacy-client" }
  }

  assert {
    condition     = length(aws_cognito_user_pool.this) == 0 && length(aws_cognito_user_pool_client.this) == 0
    error_message = "an existing pool creates nothing"
  }
  assert {
    condition     = output.issuer_url == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Legacy" && output.client_id == "legacy-client"
    error_message = "issuer and audience point at the legacy pool"
  }
  assert {
    condition     = output.user_pool_arn == "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Legacy"
    error_message = "the ARN (profile's permissions) is built for the legacy pool"
  }
}
