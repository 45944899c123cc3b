################################################################################
# Dashboard (seed "Dashboard: LEGO-API-Serverless-{Stage}")
################################################################################

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = "LEGO-API-Serverless-${var.stage}"
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title = "Lambda invocations / errors / throttles", region = local.region, stat = "Sum", period = 300
          metrics = flatten([for fn in values(var.functions) : [
            ["AWS/Lambda", "Invocations", "FunctionName", fn.name],
            ["AWS/Lambda", "Errors", "FunctionName", fn.name],
            ["AWS/Lambda", "Throttles", "FunctionName", fn.name],
          ]])
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title = "Lambda duration p95 / p99 and concurrency", region = local.region, period = 300
          metrics = flatten([for fn in values(var.functions) : [
            ["AWS/Lambda", "Duration", "FunctionName", fn.name, { stat = "p95" }],
            ["AWS/Lambda", "Duration", "FunctionName", fn.name, { stat = "p99" }],
            ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", fn.name, { stat = "Maximum" }],
          ]])
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title   = "Cold starts (init duration p99)", region = local.region, period = 300, stat = "p99"
          metrics = [for fn in values(var.functions) : [local.cold_start_namespace, fn.name]]
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title = "API requests, 4xx, 5xx, latency", region = local.region, period = 300
          metrics = [
            ["AWS/ApiGateway", "Count", "ApiId", var.api.id, "Stage", var.api.stage, { stat = "Sum" }],
            ["AWS/ApiGateway", "4xx", "ApiId", var.api.id, "Stage", var.api.stage, { stat = "Sum" }],
            ["AWS/ApiGateway", "5xx", "ApiId", var.api.id, "Stage", var.api.stage, { stat = "Sum" }],
            ["AWS/ApiGateway", "Latency", "ApiId", var.api.id, "Stage", var.api.stage, { stat = "p50" }],
            ["AWS/ApiGateway", "Latency", "ApiId", var.api.id, "Stage", var.api.stage, { stat = "p95" }],
            ["AWS/ApiGateway", "Latency", "ApiId", var.api.id, "Stage", var.api.stage, { stat = "p99" }],
          ]
        }
      },
      {
        type = "metric", x = 0, y = 12, width = 12, height = 6
        properties = {
          title = "RDS and RDS Proxy", region = local.region, period = 300
          metrics = [
            ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.db_instance_id, { stat = "Average" }],
            ["AWS/RDS", "FreeableMemory", "DBInstanceIdentifier", var.db_instance_id, { stat = "Minimum" }],
            ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", var.db_instance_id, { stat = "Maximum" }],
            ["AWS/RDS", "ClientConnections", "ProxyName", var.db_proxy_name, { stat = "Maximum" }],
            ["AWS/RDS", "DatabaseConnectionsBorrowLatency", "ProxyName", var.db_proxy_name, { stat = "p95" }],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 12, width = 12, height = 6
        properties = {
          title = "Redis and OpenSearch", region = local.region, period = 300
          metrics = concat(
            flatten([for id in var.cache_cluster_ids : [
              ["AWS/ElastiCache", "Evictions", "CacheClusterId", id, { stat = "Sum" }],
              ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", id, { stat = "Maximum" }],
              ["AWS/ElastiCache", "CacheHitRate", "CacheClusterId", id, { stat = "Average" }],
            ]]),
            var.search_domain_name == null ? [] : [
              ["AWS/ES", "ClusterStatus.red", "DomainName", var.search_domain_name, "ClientId", local.account_id, { stat = "Maximum" }],
              ["AWS/ES", "IndexingRate", "DomainName", var.search_domain_name, "ClientId", local.account_id, { stat = "Average" }],
              ["AWS/ES", "SearchLatency", "DomainName", var.search_domain_name, "ClientId", local.account_id, { stat = "Average" }],
            ],
          )
        }
      },
    ]
  })
}
