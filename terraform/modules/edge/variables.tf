variable "name" {
  description = "Name of the web ACL, its metrics and log group, e.g. lego-api-production."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes."
  }
}

variable "domain_name" {
  description = "Public API hostname the distribution answers (the weighted record's name, e.g. api.lego-moc.example.com)."
  type        = string
  nullable    = false
}

variable "certificate_arn" {
  description = "ACM certificate in us-east-1 covering domain_name (CloudFront reads certificates only there)."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate in us-east-1."
  }
}

variable "origin_domain_name" {
  description = "Host of the HTTP API behind the edge: its execute-api host (abc123.execute-api.us-east-1.amazonaws.com), never domain_name itself (the record points at the distribution)."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z0-9.-]+$", var.origin_domain_name)) && !startswith(var.origin_domain_name, "https://")
    error_message = "origin_domain_name must be a bare host name, without scheme or path."
  }
}

variable "rate_limit_per_ip" {
  description = "Requests one IP may send in 5 minutes before the rate rule blocks it (WAF minimum 10). The default, 3000 (10/s sustained), sits far above a browser session and well below the API's 1000 req/s stage limit."
  type        = number
  default     = 3000
  nullable    = false
  validation {
    condition     = var.rate_limit_per_ip >= 10 && var.rate_limit_per_ip <= 2000000000
    error_message = "rate_limit_per_ip must be between 10 and 2,000,000,000 (WAF's bounds)."
  }
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"
  nullable    = false
  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the WAF log group."
  type        = string
  nullable    = false
}

variable "log_retention_days" {
  description = "Retention of the WAF log group."
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
