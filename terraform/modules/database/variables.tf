variable "name" {
  description = "Name prefix of the database resources, e.g. lego-api-dev."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes."
  }
}

variable "subnet_ids" {
  description = "Private subnet ids (2+ availability zones) for the instance and the proxy."
  type        = list(string)
  nullable    = false
  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must hold at least 2 subnets in different availability zones."
  }
}

variable "db_security_group_id" {
  description = "Security group of the instance (ingress 5432 from the proxy only)."
  type        = string
  nullable    = false
}

variable "proxy_security_group_id" {
  description = "Security group of the RDS Proxy (ingress 5432 from the functions only)."
  type        = string
  nullable    = false
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights, logs and the credentials secret."
  type        = string
  nullable    = false
}

variable "instance_class" {
  description = "RDS instance class, e.g. db.t4g.micro (dev) or db.r6g.large (production)."
  type        = string
  nullable    = false
}

variable "allocated_storage_gb" {
  description = "Initial gp3 storage in GB; autoscaling may grow it to 4x."
  type        = number
  default     = 20
  nullable    = false
  validation {
    condition     = var.allocated_storage_gb >= 20 && var.allocated_storage_gb <= 16384
    error_message = "allocated_storage_gb must be between 20 and 16384."
  }
}

variable "engine_version" {
  description = "PostgreSQL major(.minor) version (seed: PostgreSQL 15)."
  type        = string
  default     = "15"
  nullable    = false
  validation {
    condition     = can(regex("^15(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be PostgreSQL 15 (\"15\" or \"15.x\")."
  }
}

variable "database_name" {
  description = "Name of the application database."
  type        = string
  default     = "lego"
  nullable    = false
}

variable "app_username" {
  description = "Login of the functions (created by migration 0006 with DML rights only); must match lego_schema.migrate.APP_ROLE."
  type        = string
  default     = "lego_app"
  nullable    = false
}

variable "secret_recovery_window_days" {
  description = "Days a deleted app login secret can still be restored: 0 deletes at once (dev), 7-30 elsewhere."
  type        = number
  default     = 30
  nullable    = false
  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 (delete at once) or 7 to 30."
  }
}

variable "master_username" {
  description = "Login the proxy uses; RDS generates and rotates its password in Secrets Manager, never set here."
  type        = string
  default     = "lego_admin"
  nullable    = false
}

variable "multi_az" {
  description = "Standby in a second availability zone (production)."
  type        = bool
  default     = false
  nullable    = false
}

variable "backup_retention_days" {
  description = "Automated backup retention (1-35 days)."
  type        = number
  default     = 7
  nullable    = false
  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35 (backups are never off)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (on outside dev); when on, a final snapshot is also taken."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_performance_insights" {
  description = "Performance Insights (KMS-encrypted, 7 days). moto switch: it does not read back, so the moto run sets false."
  type        = bool
  default     = true
  nullable    = false
}

variable "enable_parameter_group" {
  description = "Custom parameter group (force SSL, slow-query and connection logging). moto switch: values do not read back, so the moto run sets false."
  type        = bool
  default     = true
  nullable    = false
}

variable "proxy_max_connections_percent" {
  description = "Share of max_connections the proxy may open (seed \"Connection Strategy\")."
  type        = number
  default     = 100
  nullable    = false
  validation {
    condition     = var.proxy_max_connections_percent >= 1 && var.proxy_max_connections_percent <= 100
    error_message = "proxy_max_connections_percent must be between 1 and 100."
  }
}

variable "log_retention_days" {
  description = "Retention of the exported PostgreSQL log groups."
  type        = number
  default     = 365
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
