variable "name" {
  description = "Name prefix (replication group id), e.g. lego-api-dev."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,35}$", var.name))
    error_message = "name must be 3-36 lower-case letters, digits or dashes (ElastiCache id limit 40)."
  }
}

variable "subnet_ids" {
  description = "Private subnet ids for the cache nodes."
  type        = list(string)
  nullable    = false
}

variable "security_group_id" {
  description = "Security group of the cache (ingress 6379 from the functions only)."
  type        = string
  nullable    = false
}

variable "kms_key_arn" {
  description = "KMS key for encryption at rest, the AUTH token secret and the slow log."
  type        = string
  nullable    = false
}

variable "node_type" {
  description = "Node type, e.g. cache.t4g.micro (dev) or cache.r6g.large (production) (seed \"Redis Configuration\")."
  type        = string
  nullable    = false
}

variable "node_count" {
  description = "Primary + replicas; 2+ turns on automatic failover and multi-AZ."
  type        = number
  default     = 1
  nullable    = false
  validation {
    condition     = var.node_count >= 1 && var.node_count <= 6
    error_message = "node_count must be between 1 and 6."
  }
}

variable "engine_version" {
  description = "Redis engine version (seed: Redis 7.x)."
  type        = string
  default     = "7.1"
  nullable    = false
  validation {
    condition     = startswith(var.engine_version, "7.")
    error_message = "engine_version must be a Redis 7.x version."
  }
}

variable "enable_parameter_group" {
  description = "Custom parameter group with maxmemory-policy allkeys-lru (seed). moto switch: values do not read back, so the moto run sets false and the engine default applies."
  type        = bool
  default     = true
  nullable    = false
}

variable "snapshot_retention_days" {
  description = "Daily snapshot retention (0 turns snapshots off; the cache is rebuildable)."
  type        = number
  default     = 1
  nullable    = false
}

variable "log_retention_days" {
  description = "Retention of the slow-log group."
  type        = number
  default     = 365
  nullable    = false
}

variable "secret_recovery_window_days" {
  description = "Days a deleted AUTH token secret can still be restored: 0 deletes at once (dev: moto and tear-down recreate it under the same prefix), 7-30 elsewhere (production 30)."
  type        = number
  default     = 30
  nullable    = false
  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 (delete at once) or 7 to 30."
  }
}

variable "auth_token_version" {
  description = "Version of the AUTH token: bumping it writes a new random token to the secret and hands the same token to the replication group in one apply (README \"Rotating the token\")."
  type        = number
  default     = 1
  nullable    = false
  validation {
    condition     = var.auth_token_version >= 1 && floor(var.auth_token_version) == var.auth_token_version
    error_message = "auth_token_version must be a whole number from 1 (only ever increased)."
  }
}

variable "auth_token_update_strategy" {
  description = "How the group takes a new token: ROTATE (default) accepts the new and the previous token, so containers that read the old one keep working; SET, applied once every container has read the new one, drops the previous token. Ignored on create."
  type        = string
  default     = "ROTATE"
  nullable    = false
  validation {
    condition     = contains(["ROTATE", "SET"], var.auth_token_update_strategy)
    error_message = "auth_token_update_strategy must be ROTATE or SET (DELETE is for a move to RBAC, which this module does not make)."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
