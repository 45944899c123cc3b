variable "name" {
  description = "Name prefix of topics, alarms, dashboard and budget, e.g. lego-api-dev."
  type        = string
  nullable    = false
}

variable "stage" {
  description = "Environment: dashboard title LEGO-API-Serverless-<stage> and the budget's Environment tag filter."
  type        = string
  nullable    = false
  validation {
    condition     = contains(["dev", "staging", "production"], var.stage)
    error_message = "stage must be dev, staging or production."
  }
}

variable "functions" {
  description = "Lambda functions by function key ({ mocs = { name = \"lego-api-mocs-dev\", log_group_name = \"/aws/lambda/lego-api-mocs-dev\" } }): error-rate, throttle and cold-start alarms each."
  type = map(object({
    name           = string
    log_group_name = string
  }))
  nullable = false
}

variable "api" {
  description = "HTTP API to watch: { id, stage }."
  type = object({
    id    = string
    stage = string
  })
  nullable = false
}

variable "db_instance_id" {
  description = "RDS instance identifier (CPU and free-memory alarms)."
  type        = string
  nullable    = false
}

variable "db_proxy_name" {
  description = "RDS Proxy name (dashboard)."
  type        = string
  nullable    = false
}

variable "cache_cluster_ids" {
  description = "ElastiCache member cluster ids (evictions alarm each)."
  type        = list(string)
  nullable    = false
}

variable "search_domain_name" {
  description = "OpenSearch domain name (cluster-red alarm), or null when the env has no domain."
  type        = string
  default     = null
}

variable "thresholds" {
  description = "Alarm thresholds (seed 001 \"CloudWatch Alarms\")."
  type = object({
    lambda_error_rate_percent = optional(number, 5)
    api_5xx_rate_percent      = optional(number, 3)
    rds_cpu_percent           = optional(number, 80)
    cold_start_p99_ms         = optional(number, 2000)
    lambda_throttles          = optional(number, 10)
    api_latency_p99_ms        = optional(number, 1000)
    rds_free_memory_bytes     = optional(number, 1073741824)
    redis_evictions_per_min   = optional(number, 100)
  })
  default  = {}
  nullable = false
}

variable "alarm_emails" {
  description = "Emails subscribed to the critical and warning topics (confirmation required)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "budget_limit_usd" {
  description = "Monthly cost budget in USD (seed: $200) with alerts at 80 % and 100 %."
  type        = number
  default     = 200
  nullable    = false
  validation {
    condition     = var.budget_limit_usd > 0
    error_message = "budget_limit_usd must be positive."
  }
}

variable "activate_cost_allocation_tag" {
  description = "Activate Environment as a cost-allocation tag (account-wide, once per payer account: where envs share an account only one activates it). The budget's filter tracks $0 without it. The key must have been seen on a billed resource first (up to 24 h after the first tagged resource). moto switch: Cost Explorer UpdateCostAllocationTagsStatus is not implemented in moto."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_budget" {
  description = "Create the AWS Budgets budget. moto switch: Budgets DescribeSubscribersForNotification is not implemented in moto, so the moto run sets false."
  type        = bool
  default     = true
  nullable    = false
}

variable "kms_key_arn" {
  description = "KMS key of the SNS topics and metric-filter-free log data."
  type        = string
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
