# Everything that differs between dev, staging and production; values live in <env>.tfvars
# (weights in traffic.auto.tfvars.json). Switches named enable_* / create_* / run_* exist for
# the moto run of `make tf-check` (terraform/README.md "moto switches"); real envs keep them on.

################################################################################
# Identity and placement
################################################################################

variable "stage" {
  description = "Environment name: dev, staging or production (STAGE, names and tags)."
  type        = string
  nullable    = false
  validation {
    condition     = contains(["dev", "staging", "production"], var.stage)
    error_message = "stage must be dev, staging or production."
  }
}

variable "region" {
  description = "AWS region of the env (seed: us-east-1)."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "project" {
  description = "Name prefix of every resource (seed: lego-api-{function}-{stage})."
  type        = string
  default     = "lego-api"
  nullable    = false
}

variable "artifacts_dir" {
  description = "Directory holding the build artefacts <function>.zip + <function>.json; null means <repo>/dist (make build)."
  type        = string
  default     = null
}

variable "app_version" {
  description = "Build version handed to every function as APP_VERSION (e.g. the git sha)."
  type        = string
  default     = "unknown"
  nullable    = false
}

################################################################################
# Sizes
################################################################################

variable "vpc_cidr" {
  description = "IPv4 CIDR of the env's VPC."
  type        = string
  nullable    = false
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR such as 10.20.0.0/16."
  }
}

variable "availability_zones" {
  description = "Availability zones of the private subnets (2+; production 3)."
  type        = list(string)
  nullable    = false
}

variable "db" {
  description = "RDS PostgreSQL sizing and safety."
  type = object({
    instance_class        = string
    allocated_storage_gb  = optional(number, 20)
    multi_az              = optional(bool, false)
    backup_retention_days = optional(number, 7)
    deletion_protection   = optional(bool, true)
  })
  nullable = false
}

variable "cache" {
  description = "ElastiCache Redis sizing (seed: cache.t4g.micro dev, cache.r6g.large production)."
  type = object({
    node_type  = string
    node_count = optional(number, 1)
  })
  nullable = false
}

variable "search" {
  description = "OpenSearch sizing (seed: 1 x t3.small.search / 20 GB dev; 3 x r6g.large.search + dedicated masters / 100 GB production)."
  type = object({
    instance_type         = string
    instance_count        = optional(number, 1)
    dedicated_master_type = optional(string)
    volume_size_gb        = optional(number, 20)
  })
  nullable = false
}

variable "functions" {
  description = "Functions to deploy, by folder name, with seed 001 sizes; each needs <artifacts_dir>/<name>.json + .zip. migrate is the migration runner."
  type = map(object({
    memory_mb            = number
    timeout_s            = number
    reserved_concurrency = optional(number)
  }))
  default = {
    health     = { memory_mb = 512, timeout_s = 10, reserved_concurrency = 5 }
    mocs       = { memory_mb = 1024, timeout_s = 30 }
    gallery    = { memory_mb = 2048, timeout_s = 60 }
    wishlist   = { memory_mb = 1024, timeout_s = 30 }
    profile    = { memory_mb = 1024, timeout_s = 30 }
    upload     = { memory_mb = 2048, timeout_s = 120 }
    csv_parser = { memory_mb = 512, timeout_s = 300 }
    migrate    = { memory_mb = 512, timeout_s = 300 }
  }
  nullable = false
  validation {
    condition     = contains(keys(var.functions), "migrate") && contains(keys(var.functions), "csv_parser")
    error_message = "functions must include migrate (migrations on deploy) and csv_parser (upload's async target)."
  }
}

variable "log_retention_days" {
  description = "Retention of function, API, database and network log groups."
  type        = number
  default     = 30
  nullable    = false
}

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "INFO"
  nullable    = false
}

################################################################################
# Web, API and DNS
################################################################################

variable "bucket_name" {
  description = "Files/images bucket (seed: lego-moc-files-{stage}); globally unique."
  type        = string
  nullable    = false
}

variable "cors_allowed_origins" {
  description = "Web app origins allowed by the API and the bucket CORS (seed \"CORS Configuration\")."
  type        = list(string)
  nullable    = false
}

variable "api_domain_name" {
  description = "Public API hostname: the weighted blue/green record and the API Gateway custom domain."
  type        = string
  nullable    = false
}

variable "certificate_arn" {
  description = "Regional ACM certificate covering api_domain_name (used when enable_custom_domain)."
  type        = string
  default     = null
}

variable "hosted_zone_name" {
  description = "Route53 zone of api_domain_name (created only when create_hosted_zone)."
  type        = string
  nullable    = false
}

variable "hosted_zone_id" {
  description = "Id of the existing Route53 zone holding api_domain_name (ignored when create_hosted_zone)."
  type        = string
  default     = null
}

variable "legacy_target" {
  description = "Hostname of the legacy (blue) service the weighted record points at, e.g. its ALB."
  type        = string
  nullable    = false
}

variable "blue_weight" {
  description = "Route53 weight of blue (legacy), 0-255. Set only in traffic.auto.tfvars.json (lego-traffic writes it), never in <env>.tfvars."
  type        = number
  nullable    = false
}

variable "green_weight" {
  description = "Route53 weight of green (this API), 0-255. Set only in traffic.auto.tfvars.json (lego-traffic writes it), never in <env>.tfvars."
  type        = number
  nullable    = false
}

variable "enable_traffic_health_checks" {
  description = "Route53 health checks on /health of each colour."
  type        = bool
  default     = false
  nullable    = false
}

variable "existing_user_pool" {
  description = "The legacy Cognito pool and app client to trust ({ id, client_id }); null creates a pool."
  type = object({
    id        = string
    client_id = string
  })
  default = null
}

################################################################################
# Monitoring
################################################################################

variable "alarm_emails" {
  description = "Emails subscribed to the alarm topics."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "budget_limit_usd" {
  description = "Monthly budget in USD (seed: 200) with alerts at 80 % and 100 %."
  type        = number
  default     = 200
  nullable    = false
}

################################################################################
# Switches (all on for real AWS; tf-check's moto run turns some off, see terraform/README.md)
################################################################################

variable "enable_search" {
  description = "Create the OpenSearch domain (functions fall back to PostgreSQL without it). moto: off, the provider waits ~10 min for the domain."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_cache" {
  description = "Create the ElastiCache Redis replication group (functions run without a cache when REDIS_URL is unset). moto: off, the provider reads member cache clusters back and moto does not register them."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_custom_domain" {
  description = "API Gateway custom domain for api_domain_name. moto: off, the domain never reaches AVAILABLE."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_hosted_zone" {
  description = "Create the Route53 zone hosted_zone_name instead of using hosted_zone_id. moto: on, moto picks zone ids itself."
  type        = bool
  default     = false
  nullable    = false
}

variable "enable_cdn" {
  description = "CloudFront + origin access control for public images. moto: off, OAC and behaviours do not read back."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_budget" {
  description = "AWS Budgets budget. moto: off, DescribeSubscribersForNotification is not implemented."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_performance_insights" {
  description = "RDS Performance Insights. moto: off, it does not read back."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_parameter_groups" {
  description = "Custom RDS and ElastiCache parameter groups (force SSL, logging, allkeys-lru). moto: off, values do not read back."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_lambda_json_logging" {
  description = "Lambda logging_config with JSON format (feeds the cold-start metric filter). moto: off, it does not read back."
  type        = bool
  default     = true
  nullable    = false
}

variable "run_migrations_on_apply" {
  description = "Invoke the migrate function on apply after the database exists (and again when its code changes). moto: off, invoking needs Docker there."
  type        = bool
  default     = true
  nullable    = false
}
