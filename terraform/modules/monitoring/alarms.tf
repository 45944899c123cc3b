# Seed 001 "Monitoring & Observability": every alarm with its threshold, on the critical or warning topic.

################################################################################
# Critical alarms
################################################################################

resource "aws_cloudwatch_metric_alarm" "lambda_error_rate" {
  for_each = var.functions

  alarm_name          = "${each.value.name}-error-rate"
  alarm_description   = "Lambda error rate > ${local.t.lambda_error_rate_percent} % over 5 min (seed: critical)"
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.t.lambda_error_rate_percent
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this["critical"].arn]
  ok_actions          = [aws_sns_topic.this["critical"].arn]

  metric_query {
    id          = "rate"
    expression  = "IF(invocations > 0, 100 * errors / invocations, 0)"
    label       = "Error rate (%)"
    return_data = true
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = each.value.name }
      period      = 300
      stat        = "Sum"
    }
  }
  metric_query {
    id = "invocations"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = { FunctionName = each.value.name }
      period      = 300
      stat        = "Sum"
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  alarm_name          = "${var.name}-api-5xx-rate"
  alarm_description   = "API Gateway 5xx rate > ${local.t.api_5xx_rate_percent} % over 5 min (seed: critical)"
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.t.api_5xx_rate_percent
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this["critical"].arn]
  ok_actions          = [aws_sns_topic.this["critical"].arn]

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * server_errors / requests, 0)"
    label       = "5xx rate (%)"
    return_data = true
  }
  metric_query {
    id = "server_errors"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "5xx"
      dimensions  = local.api_dims
      period      = 300
      stat        = "Sum"
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      dimensions  = local.api_dims
      period      = 300
      stat        = "Sum"
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.name}-rds-cpu"
  alarm_description   = "RDS CPU > ${local.t.rds_cpu_percent} % for 10 min (seed: critical)"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.db_instance_id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.t.rds_cpu_percent
  treat_missing_data  = "missing"
  alarm_actions       = [aws_sns_topic.this["critical"].arn]
  ok_actions          = [aws_sns_topic.this["critical"].arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "opensearch_red" {
  count = var.search_domain_name != null ? 1 : 0

  alarm_name          = "${var.name}-opensearch-red"
  alarm_description   = "OpenSearch cluster status RED (seed: critical)"
  namespace           = "AWS/ES"
  metric_name         = "ClusterStatus.red"
  dimensions          = { DomainName = var.search_domain_name, ClientId = local.account_id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "missing"
  alarm_actions       = [aws_sns_topic.this["critical"].arn]
  ok_actions          = [aws_sns_topic.this["critical"].arn]

  tags = var.tags
}

# Cold starts: Lambda's JSON platform.report carries initDurationMs only on a cold start. A metric
# filter rather than Lambda Insights: no extension layer in every zip (which would lengthen the
# very cold start it measures), no extra IAM or per-function cost; Lambda's own report is the source.
# It needs JSON system logs, which the function module turns on (switches.lambda_json_logging).
resource "aws_cloudwatch_log_metric_filter" "cold_start" {
  for_each = var.functions

  name           = "${each.value.name}-cold-start"
  log_group_name = each.value.log_group_name
  pattern        = "{ $.type = \"platform.report\" && $.record.metrics.initDurationMs > 0 }"

  metric_transformation {
    name      = each.value.name
    namespace = local.cold_start_namespace
    value     = "$.record.metrics.initDurationMs"
    unit      = "Milliseconds"
  }
}

resource "aws_cloudwatch_metric_alarm" "cold_start_p99" {
  for_each = var.functions

  alarm_name          = "${each.value.name}-cold-start-p99"
  alarm_description   = "Cold start p99 > ${local.t.cold_start_p99_ms} ms (seed: critical)"
  namespace           = local.cold_start_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.cold_start[each.key].metric_transformation[0].name
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.t.cold_start_p99_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this["critical"].arn]
  ok_actions          = [aws_sns_topic.this["critical"].arn]

  tags = var.tags
}

################################################################################
# Warning alarms
################################################################################

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = var.functions

  alarm_name          = "${each.value.name}-throttles"
  alarm_description   = "Lambda throttles > ${local.t.lambda_throttles} in 5 min (seed: warning)"
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.t.lambda_throttles
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this["warning"].arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_latency_p99" {
  alarm_name          = "${var.name}-api-latency-p99"
  alarm_description   = "API Gateway latency p99 > ${local.t.api_latency_p99_ms} ms (seed: warning)"
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = local.api_dims
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.t.api_latency_p99_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this["warning"].arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_free_memory" {
  alarm_name          = "${var.name}-rds-free-memory"
  alarm_description   = "RDS freeable memory < ${local.t.rds_free_memory_bytes} bytes (seed: warning, 1 GB)"
  namespace           = "AWS/RDS"
  metric_name         = "FreeableMemory"
  dimensions          = { DBInstanceIdentifier = var.db_instance_id }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = local.t.rds_free_memory_bytes
  treat_missing_data  = "missing"
  alarm_actions       = [aws_sns_topic.this["warning"].arn]

  tags = var.tags
}

# A MOC delete that left files behind (issue 13 item 1): lego_mocs emits MocObjectsNotDeleted with
# the number of objects it could not remove. Warning, not critical: the user's request succeeded and
# the leftovers are swept later; any at all means S3 or the mocs role is refusing deletes.
resource "aws_cloudwatch_metric_alarm" "moc_objects_not_deleted" {
  for_each = { for fn, f in var.functions : fn => f if fn == "mocs" }

  alarm_name          = "${each.value.name}-objects-not-deleted"
  alarm_description   = "A MOC delete left files in the bucket in the last 5 min (MocObjectsNotDeleted > 0)"
  namespace           = local.app_metrics.namespace
  metric_name         = "MocObjectsNotDeleted"
  dimensions          = { Function = each.value.name, Service = local.app_metrics.service }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this["warning"].arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "redis_evictions" {
  for_each = toset(var.cache_cluster_ids)

  alarm_name          = "${each.key}-redis-evictions"
  alarm_description   = "Redis evictions > ${local.t.redis_evictions_per_min} per minute (seed: warning)"
  namespace           = "AWS/ElastiCache"
  metric_name         = "Evictions"
  dimensions          = { CacheClusterId = each.key }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.t.redis_evictions_per_min
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this["warning"].arn]

  tags = var.tags
}
