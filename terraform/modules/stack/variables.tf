# Everything that differs between dev, staging and production is an input here; the env
# directories hold the values (<env>.tfvars, weights in traffic.auto.tfvars.json). Defaults fit
# every env; per-env choices (names, sizes, protection) have none.

################################################################################
# Identity and build
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
# Functions
################################################################################

variable "functions" {
  description = "Everything about each function, by folder name (adding one is an entry here plus its zip): seed 001 memory/timeout, reserved and provisioned concurrency (the latter used only when enable_provisioned_concurrency), its S3 prefixes and actions, Redis, OpenSearch and Cognito actions, the functions it invokes asynchronously (<NAME>_FUNCTION_NAME + lambda:InvokeFunction), extra environment, a dead-letter queue (async targets), alarms, an EventBridge schedule that invokes it. migrate is the migration runner."
  type = map(object({
    memory_mb               = number
    timeout_s               = number
    reserved_concurrency    = optional(number)
    provisioned_concurrency = optional(number, 0)
    s3_prefixes             = optional(list(string), [])
    s3_actions              = optional(list(string), [])
    cache                   = optional(bool, false)
    search_actions          = optional(list(string), [])
    cognito_actions         = optional(list(string), [])
    invokes                 = optional(list(string), [])
    environment             = optional(map(string), {})
    dead_letter_queue       = optional(bool, false)
    alarms                  = optional(bool, true)
    schedule                = optional(string)
  }))
  default = {
    health = {
      memory_mb = 512, timeout_s = 10, reserved_concurrency = 5, provisioned_concurrency = 5
      cache     = true, search_actions = ["es:ESHttpGet", "es:ESHttpHead"]
    }
    # Routed functions: 29 s, under API Gateway's 30 s integration timeout (HTTP APIs answer 503
    # at 30 s): Lambda stops the function first, so nothing runs on after the client's answer,
    # and lego_common.deadline answers 504 GATEWAY_TIMEOUT a second before that.
    mocs = {
      memory_mb = 1024, timeout_s = 29, provisioned_concurrency = 2
      # files go when their MOC goes: ListBucket (s3:prefix mocs/*) finds them, DeleteObject
      # removes them; what could not go is retried by the schedule (issue 13 item 1)
      s3_prefixes = ["mocs"], s3_actions = ["s3:DeleteObject", "s3:ListBucket"]
      cache       = true, search_actions = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"]
      schedule    = "rate(1 hour)" # retries the MOC files a delete could not remove
    }
    gallery = {
      # 29 s, not the seed's 60: API Gateway ends the request at 30 s whatever the function's timeout.
      memory_mb   = 2048, timeout_s = 29, provisioned_concurrency = 2
      s3_prefixes = ["images", "uploads"], s3_actions = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"] # uploads/: staged direct uploads
      cache       = true, search_actions = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"]
    }
    wishlist = {
      memory_mb   = 1024, timeout_s = 29
      s3_prefixes = ["wishlist"], s3_actions = ["s3:PutObject", "s3:DeleteObject"] # item images: put in place, delete
      cache       = true, search_actions = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"]
    }
    profile = {
      memory_mb = 1024, timeout_s = 29
      # DeleteObjectVersion: an avatar's old and deleted versions go for good (issue 16);
      # AdminDeleteUserAttributes: DELETE /api/users/{id}/avatar removes `picture`.
      s3_prefixes = ["avatars"], s3_actions = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]
      cache       = true, cognito_actions = ["cognito-idp:AdminGetUser", "cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminDeleteUserAttributes"]
    }
    # upload: 29 s, not the seed's 120: API Gateway ends every synchronous request at 30 s, so
    # a longer timeout only keeps a container busy after the client got its 503. Files go to
    # S3 by presigned POST (signed with this role: PutObject); completion HEADs and reads the
    # first bytes (GetObject) and deletes bad files (DeleteObject).
    upload = {
      memory_mb   = 2048, timeout_s = 29
      s3_prefixes = ["mocs"], s3_actions = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
      cache       = true, invokes = ["csv_parser"]
      schedule    = "rate(1 hour)" # sweeps pending files whose 15-minute ticket expired (issue 17)
    }
    csv_parser = {
      memory_mb = 512, timeout_s = 300
      # GetObjectVersion: the parser reads the object version completion checked
      s3_prefixes = ["mocs"], s3_actions = ["s3:GetObject", "s3:GetObjectVersion"]
      cache       = true, dead_letter_queue = true # invoked asynchronously by upload: keep failed events
    }
    migrate = {
      # 420 s: up to 300 s waiting for the proxy (MIGRATE_CONNECT_TIMEOUT_S) + 60 s kept for the migrations.
      # SQL migrations only: packages/schema never calls OpenSearch.
      memory_mb = 512, timeout_s = 420, alarms = false
    }
  }
  nullable = false
  validation {
    condition     = contains(keys(var.functions), "migrate")
    error_message = "functions must include migrate (migrations on deploy)."
  }
  validation {
    condition     = alltrue(flatten([for f in values(var.functions) : [for target in f.invokes : contains(keys(var.functions), target)]]))
    error_message = "every name in a function's invokes must be a key of functions."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : f.schedule == null || can(regex("^(rate|cron)\\(.+\\)$", f.schedule))])
    error_message = "a function's schedule must be an EventBridge expression: rate(...) or cron(...)."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : (length(f.s3_prefixes) > 0) == (length(f.s3_actions) > 0)])
    error_message = "s3_prefixes and s3_actions go together: a function either names both or neither."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : f.provisioned_concurrency >= 0 && (f.reserved_concurrency == null || f.provisioned_concurrency <= coalesce(f.reserved_concurrency, 0))])
    error_message = "provisioned_concurrency must be >= 0 and at most reserved_concurrency when that is set."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency by function key, over the functions map's (production: the capacity model of docs/capacity.md; tests/test_capacity_model.py checks it). Absent keys keep the map's value."
  type        = map(number)
  default     = {}
  nullable    = false
  validation {
    condition     = alltrue([for name, value in var.reserved_concurrency : contains(keys(var.functions), name) && value >= 0 && floor(value) == value])
    error_message = "reserved_concurrency keys must be function keys of functions, and values whole numbers >= 0."
  }
}

variable "enable_provisioned_concurrency" {
  description = "Keep functions' provisioned_concurrency warm on the alias live (seed \"Performance Optimization\": production only). Off: no version, no alias, no cost."
  type        = bool
  nullable    = false
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
  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

################################################################################
# Sizes and safety
################################################################################

variable "network" {
  description = "The env's VPC: IPv4 CIDR, the availability zone ids (use1-az1, not names) of its private subnets (2+; production 3), and cognito_via_nat: true when the Cognito pool has a domain (PrivateLink does not support such pools), so the functions with cognito_actions reach Cognito through a NAT gateway (make preflight says when)."
  type = object({
    cidr_block            = string
    availability_zone_ids = list(string)
    cognito_via_nat       = optional(bool, false)
  })
  nullable = false
  validation {
    condition     = can(cidrhost(var.network.cidr_block, 0))
    error_message = "network.cidr_block must be a valid IPv4 CIDR such as 10.20.0.0/16."
  }
}

variable "db" {
  description = "RDS PostgreSQL sizing (seed: db.t4g.micro dev, multi-AZ db.r6g.large production) and the proxy's pool share of max_connections (docs/capacity.md)."
  type = object({
    instance_class                = string
    allocated_storage_gb          = optional(number, 20)
    multi_az                      = optional(bool, false)
    backup_retention_days         = optional(number, 7)
    proxy_max_connections_percent = optional(number, 100)
  })
  nullable = false
}

variable "cache" {
  description = "ElastiCache Redis sizing (seed: cache.t4g.micro dev, cache.r6g.large production) and the AUTH token's rotation: bump auth_token_version with ROTATE, recycle the functions, then SET (modules/cache README \"Rotating the token\")."
  type = object({
    node_type                  = string
    node_count                 = optional(number, 1)
    auth_token_version         = optional(number, 1)
    auth_token_update_strategy = optional(string, "ROTATE")
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

variable "deletion_protection" {
  description = "Deletion protection of the database (plus a final snapshot) and the Cognito user pool: false only where data is disposable (dev)."
  type        = bool
  nullable    = false
}

variable "secret_recovery_window_days" {
  description = "Days a deleted secret this stack generates (the Redis AUTH token) can be restored: 0 deletes at once (dev, so moto and tear-down can recreate it), 7-30 where it matters (production 30)."
  type        = number
  nullable    = false
  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 (delete at once) or 7 to 30."
  }
}

variable "force_destroy" {
  description = "Let destroy empty the files bucket and the created hosted zone: true only where data is disposable (dev)."
  type        = bool
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

variable "throttling_burst_limit" {
  description = "API stage default route burst (token bucket size, requests) per route (seed \"Rate Limiting\": 500); `make dev` applies it too."
  type        = number
  default     = 500
  nullable    = false
  validation {
    condition     = var.throttling_burst_limit >= 1 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a whole number of requests, at least 1."
  }
}

variable "throttling_rate_limit" {
  description = "API stage default route steady rate (requests/second) per route (seed \"Rate Limiting\": 1000); `make dev` applies it too."
  type        = number
  default     = 1000
  nullable    = false
  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit must be a positive number of requests per second."
  }
}

variable "cors_allowed_origins" {
  description = "Web app origins allowed by the API, the bucket CORS and the Cognito callbacks (seed \"CORS Configuration\")."
  type        = list(string)
  nullable    = false
  validation {
    condition     = length(var.cors_allowed_origins) > 0 && alltrue([for o in var.cors_allowed_origins : can(regex("^https?://[^/]+$", o))])
    error_message = "cors_allowed_origins must list origins such as https://app.example.com (scheme and host, no path)."
  }
}

variable "dns" {
  description = "The public API hostname (weighted blue/green records, custom domain), its Route53 zone (hosted_zone_id unless switches.create_hosted_zone), its regional ACM certificate (with switches.custom_domain), the legacy (blue) target and Route53 health checks (health_checks), each colour on its own path: blue_health_path null (the default) means no check for blue, which Route53 then treats as healthy; green_health_path defaults to the health route."
  type = object({
    api_domain_name   = string
    hosted_zone_name  = string
    hosted_zone_id    = optional(string)
    certificate_arn   = optional(string)
    legacy_target     = string
    health_checks     = optional(bool, false)
    blue_health_path  = optional(string)
    green_health_path = optional(string, "/health")
  })
  nullable = false
  validation {
    condition     = endswith(var.dns.api_domain_name, ".${var.dns.hosted_zone_name}")
    error_message = "dns.api_domain_name must be a name inside dns.hosted_zone_name."
  }
}

variable "edge" {
  description = "Optional CloudFront distribution + WAFv2 web ACL in front of the API (modules/edge; seed \"WAF\"), off by default: certificate_arn is a us-east-1 ACM certificate for dns.api_domain_name, rate_limit_per_ip the WAF rate rule's limit per 5 minutes. On, the weighted green record points at the distribution, whose origin is the API's execute-api host."
  type = object({
    enabled           = optional(bool, false)
    certificate_arn   = optional(string)
    rate_limit_per_ip = optional(number, 3000)
  })
  default  = {}
  nullable = false
  validation {
    condition     = !var.edge.enabled || var.edge.certificate_arn != null
    error_message = "edge.certificate_arn (a us-east-1 ACM certificate for dns.api_domain_name) is required when edge.enabled."
  }
}

variable "cdn_domain" {
  description = "Own hostname of the image CDN ({ name, certificate_arn }: us-east-1 ACM), served with TLS 1.2 at least and given an alias record in the zone; null keeps the *.cloudfront.net name (default certificate, TLSv1 minimum)."
  type = object({
    name            = string
    certificate_arn = string
  })
  default = null
}

variable "blue_weight" {
  description = "Route53 weight of blue (legacy), 0-255. Set only in the env's traffic.auto.tfvars.json (lego-traffic writes it)."
  type        = number
  nullable    = false
}

variable "green_weight" {
  description = "Route53 weight of green (this API), 0-255. Set only in the env's traffic.auto.tfvars.json (lego-traffic writes it)."
  type        = number
  nullable    = false
}

variable "create_user_pool" {
  description = "Create a new, empty Cognito pool (dev only). Staging and production set false and name the legacy pool in existing_user_pool: during the weighted cutover the same users hold the legacy pool's tokens, which green must accept."
  type        = bool
  nullable    = false
}

variable "existing_user_pool" {
  description = "The legacy Cognito pool and app client both colours trust ({ id, client_id }): green's JWT authorizer takes its issuer and the client id as audience, profile's admin calls go to it. Required when create_user_pool is false, null otherwise."
  type = object({
    id        = string
    client_id = string
  })
  default = null
  validation {
    condition     = var.create_user_pool == (var.existing_user_pool == null)
    error_message = "set existing_user_pool (the legacy pool's id and client id) exactly when create_user_pool is false."
  }
}

variable "user_pool_email" {
  description = "SES sender of the created pool's emails ({ source_arn, from_address, reply_to_address, configuration_set }; auth module input email); null keeps Cognito's default sender (about 50 emails a day). Only with create_user_pool: the legacy pool's email is configured where that pool is owned."
  type = object({
    source_arn        = string
    from_address      = string
    reply_to_address  = optional(string)
    configuration_set = optional(string)
  })
  default = null
  validation {
    condition     = var.user_pool_email == null || var.create_user_pool
    error_message = "user_pool_email applies only to a created pool (create_user_pool = true)."
  }
}

variable "trail" {
  description = "CloudTrail of this env (modules/trail): management events (false where an organisation trail already records them) and the S3 data events of the files bucket, kept retention_days (365+)."
  type = object({
    enabled                   = optional(bool, true)
    include_management_events = optional(bool, true)
    retention_days            = optional(number, 365)
  })
  default  = {}
  nullable = false
}

variable "monitoring" {
  description = "Emails subscribed to the alarm topics, the monthly budget in USD (seed: 200) alerted at 80 % and 100 %, and whether this env activates the Environment cost-allocation tag the budget filters on (account-wide: false in all but one env of a shared payer account)."
  type = object({
    alarm_emails                 = optional(list(string), [])
    budget_limit_usd             = optional(number, 200)
    activate_cost_allocation_tag = optional(bool, true)
  })
  default  = {}
  nullable = false
  validation {
    condition     = alltrue([for email in var.monitoring.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "monitoring.alarm_emails must hold email addresses (name@domain.tld)."
  }
  validation {
    condition     = !var.require_alarm_subscribers || (length(var.monitoring.alarm_emails) > 0 && alltrue([for email in var.monitoring.alarm_emails : !endswith(lower(email), ".invalid")]))
    error_message = "This env requires alarm subscribers (require_alarm_subscribers = true): set monitoring.alarm_emails in its <env>.tfvars to at least one real address in place of the placeholder (*.invalid), or its alarms notify nobody."
  }
}

variable "require_alarm_subscribers" {
  description = "Refuse a plan whose monitoring.alarm_emails is empty or holds a placeholder (an address under the reserved .invalid domain): true in staging and production, whose alarms must reach someone. terraform/moto/moto.tfvars sets false: its plans run before a deploy fills the addresses in."
  type        = bool
  default     = false
  nullable    = false
}

################################################################################
# Switches: all on for real AWS; the moto run of tf-check turns some off (terraform/README.md)
################################################################################

variable "switches" {
  description = "Parts moto cannot create or read back, each on for real AWS (create_hosted_zone off): search (OpenSearch), cache (ElastiCache), custom_domain (API Gateway), create_hosted_zone (instead of dns.hosted_zone_id), cdn (CloudFront), budget, cost_allocation_tag (Cost Explorer), performance_insights, parameter_groups (RDS/ElastiCache), lambda_json_logging, migrations_on_apply. terraform/moto/moto.tfvars sets them for the moto run only."
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
  nullable = false
  validation {
    condition     = var.switches.create_hosted_zone || var.dns.hosted_zone_id != null
    error_message = "dns.hosted_zone_id is required unless switches.create_hosted_zone."
  }
  validation {
    condition     = !var.switches.custom_domain || var.dns.certificate_arn != null
    error_message = "dns.certificate_arn is required when switches.custom_domain is on."
  }
}
