variable "bucket_name" {
  description = "Name of the files/images bucket, e.g. lego-moc-files-dev (seed: lego-moc-files-{stage})."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, dashes)."
  }
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS of every object."
  type        = string
  nullable    = false
}

variable "cors" {
  description = "CORS of the bucket for direct browser uploads/downloads from the web app."
  type = object({
    allowed_origins = list(string)
    allowed_methods = optional(list(string), ["GET", "PUT", "POST", "HEAD"])
    allowed_headers = optional(list(string), ["*"])
    max_age_seconds = optional(number, 3600)
  })
  nullable = false
  validation {
    condition     = length(var.cors.allowed_origins) > 0 && !contains(var.cors.allowed_origins, "*")
    error_message = "cors.allowed_origins must list the web app origins explicitly (no \"*\")."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which overwritten/deleted object versions are removed."
  type        = number
  default     = 30
  nullable    = false
  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "abort_incomplete_multipart_days" {
  description = "Days after which incomplete multipart uploads are aborted."
  type        = number
  default     = 1
  nullable    = false
}

variable "staged_upload_expiration_days" {
  description = "Days after which an unconfirmed direct upload under uploads/ is deleted (issue 14: a day)."
  type        = number
  default     = 1
  nullable    = false
  validation {
    condition     = var.staged_upload_expiration_days >= 1 && floor(var.staged_upload_expiration_days) == var.staged_upload_expiration_days
    error_message = "staged_upload_expiration_days must be a whole number of days, at least 1."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy a non-empty bucket (dev only)."
  type        = bool
  default     = false
  nullable    = false
}

variable "enable_cdn" {
  description = "CloudFront distribution with origin access control for the public image prefixes. moto switch: OAC and cache behaviours do not read back in moto, so the moto run sets false."
  type        = bool
  default     = true
  nullable    = false
}

variable "cdn_path_patterns" {
  description = "Key prefixes CloudFront may read (public image paths of seed 001); everything else stays private."
  type        = list(string)
  default     = ["images/*", "wishlist/*", "avatars/*"]
  nullable    = false
}

variable "cdn_price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"
  nullable    = false
  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cdn_price_class)
    error_message = "cdn_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "cdn_domain" {
  description = "Own hostname of the image CDN ({ name, certificate_arn }: an ACM certificate in us-east-1 covering name); the distribution then serves it with TLS 1.2 at least (TLSv1.2_2021). null keeps the *.cloudfront.net name, whose default certificate still admits TLS 1.0."
  type = object({
    name            = string
    certificate_arn = string
  })
  default = null
  validation {
    condition     = var.cdn_domain == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.cdn_domain.certificate_arn))
    error_message = "cdn_domain.certificate_arn must be an ACM certificate in us-east-1 (CloudFront reads certificates only there)."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
