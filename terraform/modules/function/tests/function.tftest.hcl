mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name     = "lego-api-upload-dev"
  stage    = "dev"
  zip_path = "dist/upload.zip"
  build = {
    function         = "upload"
    zip              = "dist/upload.zip"
    handler          = "lego_upload.handler.lambda_handler"
    runtime          = "python3.13"
    architecture     = "arm64"
    source_code_hash = "jelBl/pPonu36GDmwztgftUhouDTTDbIfz4+NxlZ9qY="
  }
  memory_mb            = 2048
  timeout_s            = 120
  subnet_ids           = ["subnet-a", "subnet-b"]
  security_group_ids   = ["sg-lambda"]
  kms_key_arn          = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  kms_decrypt_services = ["s3"]
  environment = {
    DB_HOST                  = "proxy.example"
    S3_BUCKET                = "lego-moc-files-dev"
    CSV_PARSER_FUNCTION_NAME = "lego-api-csv-parser-dev"
  }
  policy_statements = {
    UseObjects      = { actions = ["s3:PutObject", "s3:GetObject"], resources = ["arn:aws:s3:::lego-moc-files-dev/mocs/*"] }
    InvokeCsvParser = { actions = ["lambda:InvokeFunction"], resources = ["arn:aws:lambda:us-east-1:123456789012:function:lego-api-csv-parser-dev"] }
  }
}

run "lambda_from_sidecar_with_seed_settings" {
  command = apply

  assert {
    condition     = aws_lambda_function.this.runtime == "python3.13" && aws_lambda_function.this.architectures == tolist(["arm64"]) && aws_lambda_function.this.handler == "lego_upload.handler.lambda_handler"
    error_message = "runtime, architecture and handler come from the sidecar"
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == "jelBl/pPonu36GDmwztgftUhouDTTDbIfz4+NxlZ9qY=" && aws_lambda_function.this.filename == "dist/upload.zip"
    error_message = "the zip and its sidecar hash are deployed as given"
  }
  assert {
    condition     = aws_lambda_function.this.memory_size == 2048 && aws_lambda_function.this.timeout == 120 && aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "seed table: upload 2048 MB / 120 s, no reservation"
  }
  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "Active" && length(aws_lambda_function.this.vpc_config[0].subnet_ids) == 2
    error_message = "X-Ray active and in the VPC"
  }
  assert {
    condition     = aws_lambda_function.this.kms_key_arn == var.kms_key_arn && aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "environment and logs encrypted with the env key; logs kept 30 days"
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_format == "JSON" && aws_cloudwatch_log_group.this.name == "/aws/lambda/lego-api-upload-dev"
    error_message = "JSON logs into its own group"
  }
}

run "contract_environment" {
  command = apply

  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      SERVICE_NAME             = "lego-projects-api"
      STAGE                    = "dev"
      DEPLOY_COLOUR            = "green"
      APP_VERSION              = "unknown"
      LOG_LEVEL                = "INFO"
      TRACING_ENABLED          = "true"
      DB_HOST                  = "proxy.example"
      S3_BUCKET                = "lego-moc-files-dev"
      CSV_PARSER_FUNCTION_NAME = "lego-api-csv-parser-dev"
    })
    error_message = "docs/contracts.md runtime variables: the module's six plus the caller's"
  }
}

run "least_privilege_role" {
  command = apply

  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
      "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "kms:Decrypt",
      "s3:PutObject", "s3:GetObject", "lambda:InvokeFunction",
    ])
    error_message = "the role holds exactly the base actions plus the granted ones"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Resource if s.Sid == "WriteOwnLogs"]) == ["arn:aws:logs:us-east-1:123456789012:log-group:mock:*"]
    error_message = "logs only into its own group"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Resource if s.Sid == "UseObjects"]) == ["arn:aws:s3:::lego-moc-files-dev/mocs/*"]
    error_message = "S3 only under its prefix"
  }
  assert {
    condition     = join(",", one([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Condition.StringEquals["kms:ViaService"] if s.Sid == "DecryptEnvironment"])) == "lambda.us-east-1.amazonaws.com,s3.us-east-1.amazonaws.com"
    error_message = "kms:Decrypt only through Lambda (environment) and the services named (s3 here)"
  }
  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal.Service == "lambda.amazonaws.com"
    error_message = "only Lambda assumes the role"
  }
}

run "health_reserves_five" {
  command = plan

  variables {
    name                 = "lego-api-health-dev"
    memory_mb            = 512
    timeout_s            = 10
    reserved_concurrency = 5
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 5 && aws_lambda_function.this.memory_size == 512 && aws_lambda_function.this.timeout == 10
    error_message = "seed table: health 512 MB / 10 s / reserved 5"
  }
}

run "async_function_keeps_failed_events" {
  command = apply

  variables {
    name                     = "lego-api-csv-parser-dev"
    enable_dead_letter_queue = true
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].destination_config[0].on_failure[0].destination == aws_sqs_queue.dead_letter[0].arn && aws_sqs_queue.dead_letter[0].kms_master_key_id == var.kms_key_arn
    error_message = "failed async events go to an encrypted queue"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Action if s.Sid == "SendToDeadLetterQueue"]) == ["sqs:SendMessage"]
    error_message = "the role may only send to its own queue"
  }
}

run "json_logging_switch_off" {
  command = plan

  variables {
    enable_json_logging = false
  }

  assert {
    condition     = length(aws_lambda_function.this.logging_config) == 0
    error_message = "the moto switch drops logging_config"
  }
}

run "wildcard_action_rejected" {
  command = plan

  variables {
    policy_statements = { Everything = { actions = ["s3:*"], resources = ["*"] } }
  }

  expect_failures = [var.policy_statements]
}

run "unknown_environment_variable_rejected" {
  command = plan

  variables {
    environment = { DB_PASSWORD = "secret" }
  }

  expect_failures = [var.environment]
}

run "bad_hash_rejected" {
  command = plan

  variables {
    build = { handler = "x.handler", source_code_hash = "not-a-hash" }
  }

  expect_failures = [var.build]
}

run "provisioned_concurrency_off_by_default" {
  command = plan

  assert {
    condition     = length(aws_lambda_alias.live) == 0 && length(aws_lambda_provisioned_concurrency_config.live) == 0 && aws_lambda_function.this.publish == false
    error_message = "without provisioned concurrency nothing is published and there is no alias"
  }
  assert {
    condition     = output.qualifier == null
    error_message = "callers invoke the unqualified function"
  }
}

run "provisioned_concurrency_on_an_alias" {
  command = apply

  variables {
    reserved_concurrency    = 5
    provisioned_concurrency = 5
  }

  assert {
    condition     = aws_lambda_function.this.publish && aws_lambda_alias.live[0].name == "live" && aws_lambda_provisioned_concurrency_config.live[0].qualifier == "live"
    error_message = "a published version behind the alias live holds the provisioned concurrency"
  }
  assert {
    condition     = aws_lambda_provisioned_concurrency_config.live[0].provisioned_concurrent_executions == 5 && output.qualifier == "live"
    error_message = "seed: health keeps 5 warm in production; the API invokes the alias"
  }
}

run "provisioned_above_reserved_rejected" {
  command = plan

  variables {
    reserved_concurrency    = 2
    provisioned_concurrency = 5
  }

  expect_failures = [var.provisioned_concurrency]
}
