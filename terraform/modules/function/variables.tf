variable "name" {
  description = "AWS function name, e.g. lego-api-mocs-dev (seed: lego-api-{function}-{stage}); also names its role and log group."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,63}$", var.name))
    error_message = "name must be 3-64 lower-case letters, digits or dashes (it also names the IAM role)."
  }
}

variable "stage" {
  description = "Environment (STAGE): dev, staging or production."
  type        = string
  nullable    = false
  validation {
    condition     = contains(["dev", "staging", "production"], var.stage)
    error_message = "stage must be dev, staging or production."
  }
}

variable "zip_path" {
  description = "Path of the zip written by `make build` (dist/<function>.zip)."
  type        = string
  nullable    = false
}

variable "build" {
  description = "The build sidecar dist/<function>.json (docs/contracts.md); extra fields are ignored."
  type = object({
    handler          = string
    runtime          = optional(string, "python3.13")
    architecture     = optional(string, "arm64")
    source_code_hash = string
  })
  nullable = false
  validation {
    condition     = contains(["arm64", "x86_64"], var.build.architecture)
    error_message = "build.architecture must be arm64 or x86_64."
  }
  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.build.source_code_hash))
    error_message = "build.source_code_hash must be the base64 SHA-256 of the zip (44 characters), as Lambda reports it."
  }
}

variable "memory_mb" {
  description = "Memory in MB (seed table: 512 health/csv_parser, 1024 mocs/wishlist/profile, 2048 gallery/upload)."
  type        = number
  default     = 1024
  nullable    = false
  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "memory_mb must be between 128 and 10240."
  }
}

variable "timeout_s" {
  description = "Timeout in seconds (seed table: 10 health, 30 CRUD, 60 gallery, 120 upload, 300 csv_parser)."
  type        = number
  default     = 30
  nullable    = false
  validation {
    condition     = var.timeout_s >= 1 && var.timeout_s <= 900
    error_message = "timeout_s must be between 1 and 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions (seed: 5 for health), or null for the unreserved pool."
  type        = number
  default     = null
  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 0, false)
    error_message = "reserved_concurrency must be null or >= 0."
  }
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrent executions on the alias \"live\" (seed: production health 5, mocs 2, gallery 2); 0 publishes no version and creates no alias."
  type        = number
  default     = 0
  nullable    = false
  validation {
    condition     = var.provisioned_concurrency >= 0 && floor(var.provisioned_concurrency) == var.provisioned_concurrency
    error_message = "provisioned_concurrency must be a whole number >= 0."
  }
  validation {
    condition     = var.reserved_concurrency == null || var.provisioned_concurrency <= coalesce(var.reserved_concurrency, 0)
    error_message = "provisioned_concurrency cannot exceed reserved_concurrency (Lambda refuses it)."
  }
}

variable "subnet_ids" {
  description = "Private subnet ids the function runs in."
  type        = list(string)
  nullable    = false
}

variable "security_group_ids" {
  description = "Security groups of the function (the network module's lambda group)."
  type        = list(string)
  nullable    = false
}

variable "environment" {
  description = "Runtime settings by docs/contracts.md name (DB_HOST, REDIS_URL, S3_BUCKET, ...). SERVICE_NAME, STAGE, DEPLOY_COLOUR, APP_VERSION, LOG_LEVEL and TRACING_ENABLED are set by the module."
  type        = map(string)
  default     = {}
  nullable    = false
  validation {
    condition = alltrue([for key in keys(var.environment) : contains([
      "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_IAM_AUTH", "DB_SECRET_ARN", "DB_SSLMODE",
      "DB_SSLROOTCERT", "APP_DB_SECRET_ARN",
      "REDIS_URL", "REDIS_AUTH_SECRET_ARN", "OPENSEARCH_URL", "OPENSEARCH_AUTH", "S3_BUCKET",
      "ASSETS_BASE_URL", "COGNITO_USER_POOL_ID", "CSV_PARSER_FUNCTION_NAME",
    ], key)])
    error_message = "environment keys must be runtime variables of docs/contracts.md (DB_PASSWORD and AWS_ENDPOINT_URL are local-only)."
  }
}

variable "app_version" {
  description = "Build version (APP_VERSION), e.g. the git sha."
  type        = string
  default     = "unknown"
  nullable    = false
}

variable "log_level" {
  description = "LOG_LEVEL of the function."
  type        = string
  default     = "INFO"
  nullable    = false
  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "policy_statements" {
  description = "What this function may do beyond logs, X-Ray and its ENIs, keyed by a statement id: { ReadImages = { actions = [\"s3:GetObject\"], resources = [\"arn:...:bucket/images/*\"] } }."
  type = map(object({
    actions   = list(string)
    resources = list(string)
    condition = optional(map(map(list(string)))) # { StringLike = { "s3:prefix" = ["mocs/*"] } }
  }))
  default  = {}
  nullable = false
  validation {
    condition     = alltrue([for s in values(var.policy_statements) : !contains(s.actions, "*") && alltrue([for a in s.actions : !endswith(a, ":*")])])
    error_message = "policy_statements must name actions explicitly (no \"*\" or \"service:*\")."
  }
}

variable "kms_decrypt_services" {
  description = "Services besides Lambda that decrypt with the key on the function's behalf (kms:ViaService), e.g. [\"s3\"] for SSE-KMS objects, [\"secretsmanager\"] for a secret: kms:Decrypt is allowed only through them."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for s in var.kms_decrypt_services : can(regex("^[a-z0-9-]+$", s))])
    error_message = "kms_decrypt_services must be service prefixes such as s3 or secretsmanager."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the environment variables and the log group."
  type        = string
  nullable    = false
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30
  nullable    = false
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "enable_dead_letter_queue" {
  description = "SQS on-failure destination (KMS-encrypted, 14 days) for failed asynchronous invocations after 2 retries (csv_parser, invoked by upload)."
  type        = bool
  default     = false
  nullable    = false
}

variable "enable_json_logging" {
  description = "Lambda advanced logging (logging_config JSON, so platform REPORT lines feed the cold-start metric filter). moto switch: logging_config does not read back, so the moto run sets false."
  type        = bool
  default     = true
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
