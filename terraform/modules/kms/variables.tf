variable "name" {
  description = "Name prefix of the key alias, e.g. lego-api-dev (alias/<name>)."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes."
  }
}

variable "deletion_window_days" {
  description = "Waiting period before a scheduled key deletion (7-30 days)."
  type        = number
  default     = 30
  nullable    = false
  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30
    error_message = "deletion_window_days must be between 7 and 30."
  }
}

variable "cloudfront_distribution_arns" {
  description = "CloudFront distributions whose origin access control may decrypt objects with the key (condition aws:SourceArn); empty grants CloudFront nothing."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for arn in var.cloudfront_distribution_arns : can(regex("^arn:aws[a-z-]*:cloudfront::[0-9]{12}:distribution/[A-Z0-9]+$", arn))])
    error_message = "cloudfront_distribution_arns must be distribution ARNs such as arn:aws:cloudfront::123456789012:distribution/E2ABCDEF123456."
  }
}

variable "cloudtrail_trail_arns" {
  description = "Trails that may encrypt their log files with the key (condition aws:SourceArn); empty grants CloudTrail nothing."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for arn in var.cloudtrail_trail_arns : can(regex("^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:[0-9]{12}:trail/.+$", arn))])
    error_message = "cloudtrail_trail_arns must be trail ARNs such as arn:aws:cloudtrail:us-east-1:123456789012:trail/lego-api-dev."
  }
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
  nullable    = false
}
