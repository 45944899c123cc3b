# One Lambda function from its build artefact (seed 001 "Lambda Functions Specification"):
# python3.13 on arm64, X-Ray active, in the VPC, its own log group and its own least-privilege
# role (logs of its group, X-Ray, its ENIs, plus only the statements the caller grants).

data "aws_region" "current" {}

locals {
  log_group_name = "/aws/lambda/${var.name}"

  # docs/contracts.md "Runtime environment": the module owns these names.
  environment = merge(var.environment, {
    SERVICE_NAME    = "lego-projects-api"
    STAGE           = var.stage
    DEPLOY_COLOUR   = "green"
    APP_VERSION     = var.app_version
    LOG_LEVEL       = var.log_level
    TRACING_ENABLED = "true"
  })

  base_statements = {
    WriteOwnLogs = {
      actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
    }
    # X-Ray and ENI management take no resource-level permissions (service authorization reference).
    WriteTraces = {
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
    ManageVpcInterfaces = {
      actions   = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      resources = ["*"]
    }
    # Only when a service decrypts on the function's behalf: Lambda (its environment) and the
    # services the caller names (s3 for SSE-KMS objects, secretsmanager for secrets).
    DecryptEnvironment = {
      actions   = ["kms:Decrypt"]
      resources = [var.kms_key_arn]
      condition = { StringEquals = { "kms:ViaService" = [for service in concat(["lambda"], var.kms_decrypt_services) : "${service}.${data.aws_region.current.name}.amazonaws.com"] } }
    }
  }
  dlq_statements = var.enable_dead_letter_queue ? {
    SendToDeadLetterQueue = { actions = ["sqs:SendMessage"], resources = [aws_sqs_queue.dead_letter[0].arn] }
  } : {}
  statements = merge(local.base_statements, local.dlq_statements, var.policy_statements)

  provisioned = var.provisioned_concurrency > 0
}

################################################################################
# Role
################################################################################

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name = "least-privilege"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [for sid, statement in local.statements : merge(
      { Sid = sid, Effect = "Allow", Action = statement.actions, Resource = statement.resources },
      try(statement.condition, null) == null ? {} : { Condition = statement.condition },
    )]
  })
}

################################################################################
# Logs
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

################################################################################
# Dead-letter queue (asynchronous invocations)
################################################################################

# An on-failure destination rather than dead_letter_config: it keeps the whole request and
# response, and dead_letter_config does not read back in moto.

resource "aws_sqs_queue" "dead_letter" {
  count = var.enable_dead_letter_queue ? 1 : 0

  name                      = "${var.name}-dlq"
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 1209600 # 14 days, the SQS maximum

  tags = var.tags
}

################################################################################
# Function
################################################################################

resource "aws_lambda_function" "this" {
  function_name                  = var.name
  role                           = aws_iam_role.this.arn
  filename                       = var.zip_path
  source_code_hash               = var.build.source_code_hash
  handler                        = var.build.handler
  runtime                        = var.build.runtime
  architectures                  = [var.build.architecture]
  memory_size                    = var.memory_mb
  timeout                        = var.timeout_s
  reserved_concurrent_executions = coalesce(var.reserved_concurrency, -1)
  kms_key_arn                    = var.kms_key_arn
  # A version for the alias that holds provisioned concurrency; off, nothing is published.
  publish = local.provisioned

  environment {
    variables = local.environment
  }

  tracing_config {
    mode = "Active"
  }


  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  dynamic "logging_config" {
    for_each = var.enable_json_logging ? [local.log_group_name] : []
    content {
      log_format            = "JSON"
      log_group             = logging_config.value
      application_log_level = var.log_level == "WARNING" ? "WARN" : var.log_level
      system_log_level      = "INFO"
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  count = var.enable_dead_letter_queue ? 1 : 0

  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = aws_sqs_queue.dead_letter[0].arn
    }
  }
}

################################################################################
# Provisioned concurrency (seed "Performance Optimization": production, busy functions)
################################################################################

# Provisioned concurrency needs a version or an alias; the alias "live" follows each published
# version, and the API invokes the alias (output invoke_arn) so requests land on warm instances.
resource "aws_lambda_alias" "live" {
  count = local.provisioned ? 1 : 0

  name             = "live"
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}

resource "aws_lambda_provisioned_concurrency_config" "live" {
  count = local.provisioned ? 1 : 0

  function_name                     = aws_lambda_alias.live[0].function_name
  qualifier                         = aws_lambda_alias.live[0].name
  provisioned_concurrent_executions = var.provisioned_concurrency
}
