output "topic_arns" {
  description = "SNS topic ARNs by severity: critical, warning."
  value       = { for severity, topic in aws_sns_topic.this : severity => topic.arn }
}

output "dashboard_name" {
  description = "CloudWatch dashboard name."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_thresholds" {
  description = "Alarm name => threshold, for review and tests."
  value = merge(
    { for alarm in aws_cloudwatch_metric_alarm.lambda_error_rate : alarm.alarm_name => alarm.threshold },
    { for alarm in aws_cloudwatch_metric_alarm.cold_start_p99 : alarm.alarm_name => alarm.threshold },
    { for alarm in aws_cloudwatch_metric_alarm.lambda_throttles : alarm.alarm_name => alarm.threshold },
    { for alarm in aws_cloudwatch_metric_alarm.redis_evictions : alarm.alarm_name => alarm.threshold },
    { for alarm in aws_cloudwatch_metric_alarm.opensearch_red : alarm.alarm_name => alarm.threshold },
    { for alarm in aws_cloudwatch_metric_alarm.moc_objects_not_deleted : alarm.alarm_name => alarm.threshold },
    {
      (aws_cloudwatch_metric_alarm.api_5xx_rate.alarm_name)    = aws_cloudwatch_metric_alarm.api_5xx_rate.threshold
      (aws_cloudwatch_metric_alarm.rds_cpu.alarm_name)         = aws_cloudwatch_metric_alarm.rds_cpu.threshold
      (aws_cloudwatch_metric_alarm.api_latency_p99.alarm_name) = aws_cloudwatch_metric_alarm.api_latency_p99.threshold
      (aws_cloudwatch_metric_alarm.rds_free_memory.alarm_name) = aws_cloudwatch_metric_alarm.rds_free_memory.threshold
    },
  )
}

output "budget_name" {
  description = "Budget name, or null when budgets are off."
  value       = var.enable_budget ? aws_budgets_budget.this[0].name : null
}
