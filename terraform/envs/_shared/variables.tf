# The values this env passes to the stack, from <env>.tfvars (weights from
# traffic.auto.tfvars.json). Types only: modules/stack validates and documents each input.

variable "stage" {
  description = "Environment name (stack input stage)."
  type        = string
}

variable "region" {
  description = "AWS region of the provider (seed: us-east-1)."
  type        = string
}

variable "artifacts_dir" {
  description = "Build artefacts directory; null means <repo>/dist (make build)."
  type        = string
  default     = null
}

variable "app_version" {
  description = "APP_VERSION of every function, e.g. -var app_version=$(git rev-parse --short HEAD)."
  type        = string
  default     = null
}

variable "enable_provisioned_concurrency" {
  description = "Provisioned concurrency on the busy functions (stack input)."
  type        = bool
}

variable "reserved_concurrency" {
  description = "Reserved concurrency by function key, over the stack's defaults (stack input; production: docs/capacity.md)."
  type        = map(number)
  default     = {}
}

variable "log_retention_days" {
  description = "Log retention in days (stack input)."
  type        = number
}

variable "log_level" {
  description = "LOG_LEVEL of every function; null means the stack's INFO."
  type        = string
  default     = null
}

variable "network" {
  description = "VPC CIDR and availability zone ids (stack input)."
  type = object({
    cidr_block            = string
    availability_zone_ids = list(string)
  })
}

variable "db" {
  description = "RDS sizing (stack input)."
  type = object({
    instance_class        = string
    allocated_storage_gb  = number
    multi_az              = bool
    backup_retention_days = number
    # share of max_connections the RDS Proxy pool may open; null keeps the stack's 100
    proxy_max_connections_percent = optional(number)
  })
}

variable "cache" {
  description = "Redis sizing (stack input)."
  type = object({
    node_type  = string
    node_count = number
  })
}

variable "search" {
  description = "OpenSearch sizing (stack input)."
  type = object({
    instance_type         = string
    instance_count        = number
    dedicated_master_type = optional(string)
    volume_size_gb        = number
  })
}

variable "deletion_protection" {
  description = "Deletion protection of the database and the user pool (stack input)."
  type        = bool
}

variable "secret_recovery_window_days" {
  description = "Recovery window of the generated Redis AUTH secret (stack input)."
  type        = number
}

variable "force_destroy" {
  description = "Destroy may empty the bucket and the created zone (stack input)."
  type        = bool
}

variable "bucket_name" {
  description = "Files/images bucket (stack input)."
  type        = string
}

variable "throttling_burst_limit" {
  description = "API stage burst per route (stack input)."
  type        = number
  default     = 500
}

variable "throttling_rate_limit" {
  description = "API stage rate per route, requests/second (stack input)."
  type        = number
  default     = 1000
}

variable "cors_allowed_origins" {
  description = "Web app origins (stack input)."
  type        = list(string)
}

variable "dns" {
  description = "API hostname, zone, certificate, legacy target, health checks (stack input)."
  type = object({
    api_domain_name   = string
    hosted_zone_name  = string
    hosted_zone_id    = optional(string)
    certificate_arn   = optional(string)
    legacy_target     = string
    health_checks     = optional(bool, false)
    blue_health_path  = optional(string)
    green_health_path = optional(string)
  })
}

variable "blue_weight" {
  description = "Weight of blue (legacy): only in traffic.auto.tfvars.json, written by lego-traffic."
  type        = number
}

variable "green_weight" {
  description = "Weight of green (this API): only in traffic.auto.tfvars.json, written by lego-traffic."
  type        = number
}

variable "create_user_pool" {
  description = "Create a new Cognito pool (dev); false uses existing_user_pool (stack input)."
  type        = bool
}

variable "user_pool_email" {
  description = "SES sender of the created pool's emails (stack input)."
  type = object({
    source_arn        = string
    from_address      = string
    reply_to_address  = optional(string)
    configuration_set = optional(string)
  })
  default = null
}

variable "existing_user_pool" {
  description = "Legacy Cognito pool and client to trust; null creates a pool (stack input)."
  type = object({
    id        = string
    client_id = string
  })
  default = null
}

variable "monitoring" {
  description = "Alarm emails and monthly budget (stack input)."
  type = object({
    alarm_emails                 = optional(list(string), [])
    budget_limit_usd             = optional(number, 200)
    activate_cost_allocation_tag = optional(bool, true)
  })
  default = {}
}

variable "require_alarm_subscribers" {
  description = "Refuse a plan without real alarm subscribers (stack input; true in staging and production)."
  type        = bool
  default     = false
}

variable "switches" {
  description = "Parts moto cannot run, all on for real AWS: set only by terraform/moto/moto.tfvars (stack input)."
  type = object({
    search               = optional(bool, true)
    cache                = optional(bool, true)
    custom_domain        = optional(bool, true)
    create_hosted_zone   = optional(bool, false)
    cdn                  = optional(bool, true)
    budget               = optional(bool, true)
    cost_allocation_tag  = optional(bool, true)
    performance_insights = optional(bool, true)
    parameter_groups     = optional(bool, true)
    lambda_json_logging  = optional(bool, true)
    migrations_on_apply  = optional(bool, true)
  })
  default = {
    search               = true
    cache                = true
    custom_domain        = true
    create_hosted_zone   = false
    cdn                  = true
    budget               = true
    cost_allocation_tag  = true
    performance_insights = true
    parameter_groups     = true
    lambda_json_logging  = true
    migrations_on_apply  = true
  }
}
