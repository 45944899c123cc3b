mock_provider "aws" {
  source = "../../tests/mocks"
}

variables {
  name  = "lego-api-dev"
  stage = "dev"
  functions = {
    mocs   = { name = "lego-api-mocs-dev", log_group_name = "/aws/lambda/lego-api-mocs-dev" }
    health = { name = "lego-api-health-dev", log_group_name = "/aws/lambda/lego-api-health-dev" }
  }
  api                = { id = "abc123", stage = "$default" }
  db_instance_id     = "lego-api-dev"
  db_proxy_name      = "lego-api-dev"
  cache_cluster_ids  = ["lego-api-dev-001"]
  search_domain_name = "lego-api-dev"
  kms_key_arn        = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  alarm_emails       = ["oncall@example.com"]
}

run "critical_alarms_match_the_seed" {
  command = apply

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.lambda_error_rate : a.threshold == 5 && a.comparison_operator == "GreaterThanThreshold" && a.evaluation_periods == 1 && alltrue([for q in a.metric_query : try(q.metric[0].period, 300) == 300])])
    error_message = "Lambda error rate > 5 % over 5 min, per function"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.lambda_error_rate) == 2 && strcontains(one([for q in aws_cloudwatch_metric_alarm.lambda_error_rate["mocs"].metric_query : q.expression if q.id == "rate"]), "100 * errors / invocations")
    error_message = "the error alarm is a rate (errors / invocations), one per function"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.api_5xx_rate.threshold == 3 && strcontains(one([for q in aws_cloudwatch_metric_alarm.api_5xx_rate.metric_query : q.expression if q.id == "rate"]), "server_errors / requests")
    error_message = "API 5xx rate > 3 %"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.rds_cpu.threshold == 80 && aws_cloudwatch_metric_alarm.rds_cpu.period * aws_cloudwatch_metric_alarm.rds_cpu.evaluation_periods == 600
    error_message = "RDS CPU > 80 % for 10 min"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.opensearch_red[0].metric_name == "ClusterStatus.red" && aws_cloudwatch_metric_alarm.opensearch_red[0].threshold == 1 && aws_cloudwatch_metric_alarm.opensearch_red[0].comparison_operator == "GreaterThanOrEqualToThreshold"
    error_message = "OpenSearch cluster RED"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.cold_start_p99 : a.threshold == 2000 && a.extended_statistic == "p99"])
    error_message = "cold start p99 > 2 s"
  }
  assert {
    condition     = aws_cloudwatch_log_metric_filter.cold_start["mocs"].metric_transformation[0].value == "$.record.metrics.initDurationMs" && aws_cloudwatch_log_metric_filter.cold_start["mocs"].log_group_name == "/aws/lambda/lego-api-mocs-dev"
    error_message = "cold starts come from the platform.report init duration of each function's log group"
  }
  assert {
    condition     = alltrue([for fn, f in aws_cloudwatch_log_metric_filter.cold_start : strcontains(f.pattern, "$.type = \"platform.report\"") && strcontains(f.pattern, "$.record.metrics.initDurationMs > 0") && f.metric_transformation[0].unit == "Milliseconds"])
    error_message = "only cold starts count: platform.report records that carry an init duration (ms)"
  }
  assert {
    condition     = alltrue([for fn, a in aws_cloudwatch_metric_alarm.cold_start_p99 : a.namespace == aws_cloudwatch_log_metric_filter.cold_start[fn].metric_transformation[0].namespace && a.metric_name == aws_cloudwatch_log_metric_filter.cold_start[fn].metric_transformation[0].name && a.period == 300 && a.alarm_actions == toset([aws_sns_topic.this["critical"].arn]) && a.ok_actions == toset([aws_sns_topic.this["critical"].arn])])
    error_message = "each function's cold-start alarm reads the metric its own filter writes and pages (and clears) on the critical topic"
  }
  assert {
    condition     = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.lambda_error_rate), [aws_cloudwatch_metric_alarm.api_5xx_rate, aws_cloudwatch_metric_alarm.rds_cpu]) : a.alarm_actions == toset([aws_sns_topic.this["critical"].arn])])
    error_message = "critical alarms notify the critical topic"
  }
}

run "warning_alarms_match_the_seed" {
  command = apply

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.lambda_throttles : a.threshold == 10 && a.period == 300 && a.statistic == "Sum"])
    error_message = "throttles > 10 in 5 min"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.api_latency_p99.threshold == 1000 && aws_cloudwatch_metric_alarm.api_latency_p99.extended_statistic == "p99"
    error_message = "API latency p99 > 1 s"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.rds_free_memory.threshold == 1073741824 && aws_cloudwatch_metric_alarm.rds_free_memory.comparison_operator == "LessThanThreshold"
    error_message = "RDS freeable memory < 1 GB"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.redis_evictions["lego-api-dev-001"].threshold == 100 && aws_cloudwatch_metric_alarm.redis_evictions["lego-api-dev-001"].period == 60
    error_message = "Redis evictions > 100 per minute"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.api_latency_p99.alarm_actions == toset([aws_sns_topic.this["warning"].arn])
    error_message = "warnings notify the warning topic"
  }
}

run "moc_objects_left_behind_alarm" {
  command = apply

  # Issue 13 item 1: what lego_mocs emits (lego_common/metrics.py EMF) when a delete left files.
  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.moc_objects_not_deleted) == ["mocs"]
    error_message = "one alarm, on the mocs function only"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.moc_objects_not_deleted["mocs"].namespace == "LegoApi" && aws_cloudwatch_metric_alarm.moc_objects_not_deleted["mocs"].metric_name == "MocObjectsNotDeleted" && aws_cloudwatch_metric_alarm.moc_objects_not_deleted["mocs"].dimensions == tomap({ Function = "lego-api-mocs-dev", Service = "lego-projects-api" })
    error_message = "the alarm reads the metric exactly as emitted: namespace LegoApi, dimensions Function (the Lambda name) and Service"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.moc_objects_not_deleted["mocs"].statistic == "Sum" && aws_cloudwatch_metric_alarm.moc_objects_not_deleted["mocs"].threshold == 0 && aws_cloudwatch_metric_alarm.moc_objects_not_deleted["mocs"].comparison_operator == "GreaterThanThreshold" && aws_cloudwatch_metric_alarm.moc_objects_not_deleted["mocs"].treat_missing_data == "notBreaching"
    error_message = "one object left behind is enough; no data means nothing was left"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.moc_objects_not_deleted["mocs"].alarm_actions == toset([aws_sns_topic.this["warning"].arn]) && output.alarm_thresholds["lego-api-mocs-dev-objects-not-deleted"] == 0
    error_message = "it notifies the warning topic and is listed with the other thresholds"
  }
}

run "topics_budget_dashboard" {
  command = apply

  assert {
    condition     = alltrue([for t in aws_sns_topic.this : t.kms_master_key_id == var.kms_key_arn])
    error_message = "topics are KMS-encrypted"
  }
  assert {
    condition     = length(aws_sns_topic_subscription.email) == 2
    error_message = "each email subscribes to both topics"
  }
  assert {
    condition     = aws_budgets_budget.this[0].limit_amount == "200.00" && toset([for n in aws_budgets_budget.this[0].notification : n.threshold]) == toset([80, 100])
    error_message = "budget $200 with alerts at 80 % and 100 %"
  }
  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == "LEGO-API-Serverless-dev" && length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 6
    error_message = "seed dashboard LEGO-API-Serverless-<stage>"
  }
}

run "no_search_no_budget" {
  command = plan

  variables {
    search_domain_name           = null
    enable_budget                = false
    activate_cost_allocation_tag = false
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.opensearch_red) == 0 && length(aws_budgets_budget.this) == 0 && length(aws_ce_cost_allocation_tag.environment) == 0
    error_message = "no domain, no RED alarm; the moto switches drop the budget and the tag activation"
  }
}

run "environment_tag_activated_for_the_budget" {
  command = plan

  assert {
    condition     = aws_ce_cost_allocation_tag.environment[0].tag_key == "Environment" && aws_ce_cost_allocation_tag.environment[0].status == "Active"
    error_message = "the Environment tag the budget filters on is an active cost-allocation tag (else the budget tracks $0)"
  }
  assert {
    condition     = join(",", one(aws_budgets_budget.this[0].cost_filter).values) == "user:Environment$dev"
    error_message = "the budget filters on that same tag key with the env value (user:Environment$dev, not a literal \"$${var.stage}\")"
  }
}

run "thresholds_are_overridable" {
  command = plan

  variables {
    thresholds = { lambda_error_rate_percent = 2 }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.lambda_error_rate["mocs"].threshold == 2 && aws_cloudwatch_metric_alarm.api_5xx_rate.threshold == 3
    error_message = "one threshold changes, the others keep the seed's"
  }
}
