variable "name" {
  description = "Trail name and bucket prefix, e.g. lego-api-dev (bucket <name>-trail-<account id>)."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,35}$", var.name))
    error_message = "name must be 3-36 lower-case letters, digits or dashes (the bucket name adds -trail-<account id>)."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the log files (its policy must let cloudtrail.amazonaws.com GenerateDataKey for this trail: kms module input cloudtrail_trail_arns)."
  type        = string
  nullable    = false
}

variable "data_event_bucket_arns" {
  description = "Buckets whose object-level calls (GetObject, PutObject, DeleteObject, ...) are recorded as data events."
  type        = list(string)
  nullable    = false
  validation {
    condition     = length(var.data_event_bucket_arns) > 0 && alltrue([for arn in var.data_event_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", arn))])
    error_message = "data_event_bucket_arns must list bucket ARNs such as arn:aws:s3:::lego-moc-files-dev."
  }
}

variable "include_management_events" {
  description = "Also record management events (every control-plane call). The first trail of an account records them for free; where an organisation trail already does, false avoids paying for a second copy."
  type        = bool
  default     = true
  nullable    = false
}

variable "retention_days" {
  description = "Days the log files are kept (at least a year: the audit record behind the shorter CloudWatch retentions)."
  type        = number
  default     = 365
  nullable    = false
  validation {
    condition     = var.retention_days >= 365
    error_message = "retention_days must be at least 365."
  }
}

variable "force_destroy" {
  description = "Let destroy empty the log bucket: true only where the env is disposable (dev)."
  type        = bool
  default     = false
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
