variable "bucket_name" {
  description = "Name of the bucket, e.g. lego-moc-files-dev."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, dashes)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for SSE-KMS of every object (default encryption, with a bucket key)."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/<id>."
  }
}

variable "force_destroy" {
  description = "Let destroy empty the bucket first: true only where the env is disposable (dev)."
  type        = bool
  default     = false
  nullable    = false
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
  nullable    = false
}
