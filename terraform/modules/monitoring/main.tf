# Seed 001 "Monitoring & Observability": the alarm topics and the monthly budget with 80 % / 100 %
# alerts here; every alarm with its threshold in alarms.tf, the dashboard in dashboard.tf.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  t          = var.thresholds
  api_dims   = { ApiId = var.api.id, Stage = var.api.stage }
  severities = toset(["critical", "warning"])
  subscriptions = {
    for pair in setproduct(local.severities, var.alarm_emails) : "${pair[0]}:${pair[1]}" => { topic = pair[0], email = pair[1] }
  }
  cold_start_namespace = "LegoApi/ColdStart"
  # What lego_common/metrics.py writes (EMF): its NAMESPACE and the dimensions Service (the function
  # module's SERVICE_NAME) and Function (the Lambda function name). tests/test_alarm_metrics.py
  # holds the three together.
  app_metrics = { namespace = "LegoApi", service = "lego-projects-api" }
}

################################################################################
# Topics
################################################################################

resource "aws_sns_topic" "this" {
  for_each = local.severities

  name              = "${var.name}-${each.key}"
  kms_master_key_id = var.kms_key_arn

  tags = merge(var.tags, { Severity = each.key })
}

resource "aws_sns_topic_policy" "this" {
  for_each = local.severities

  arn = aws_sns_topic.this[each.key].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AlarmsAndBudgetsPublish"
      Effect    = "Allow"
      Principal = { Service = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.this[each.key].arn
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = local.subscriptions

  topic_arn = aws_sns_topic.this[each.value.topic].arn
  protocol  = "email"
  endpoint  = each.value.email
}

################################################################################
# Budget (seed "Cost Monitoring")
################################################################################

# The budget's filter counts only costs tagged Environment, and Billing ignores a tag key until
# it is activated as a cost-allocation tag (then from that day on, not retroactively).
resource "aws_ce_cost_allocation_tag" "environment" {
  count = var.activate_cost_allocation_tag ? 1 : 0

  tag_key = "Environment"
  status  = "Active"
}

resource "aws_budgets_budget" "this" {
  count = var.enable_budget ? 1 : 0

  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = format("%.2f", var.budget_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  cost_filter {
    name   = "TagKeyValue"
    values = [format("user:Environment$%s", var.stage)] # "$${" would be a literal "${" in HCL
  }

  dynamic "notification" {
    for_each = [80, 100]
    content {
      comparison_operator       = "GREATER_THAN"
      threshold                 = notification.value
      threshold_type            = "PERCENTAGE"
      notification_type         = "ACTUAL"
      subscriber_sns_topic_arns = [aws_sns_topic.this["critical"].arn]
    }
  }

  tags = var.tags
}
