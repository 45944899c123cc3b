variable "name" {
  description = "Name of the user pool and client, e.g. lego-api-dev."
  type        = string
  nullable    = false
}

variable "existing_user_pool" {
  description = "Use the legacy system's pool (it already has the users) instead of creating one: { id, client_id }. null creates a pool and client."
  type = object({
    id        = string
    client_id = string
  })
  default = null
  validation {
    condition     = var.existing_user_pool == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]_[0-9A-Za-z]+$", var.existing_user_pool.id))
    error_message = "existing_user_pool.id must be a user pool id such as us-east-1_AbCdEfGhI."
  }
}

variable "email" {
  description = "Send the created pool's emails through SES instead of Cognito's default sender (about 50 a day): { source_arn (verified SES identity), from_address, reply_to_address, configuration_set }. null keeps the default sender (dev). The legacy pool's email is configured where that pool is owned."
  type = object({
    source_arn        = string
    from_address      = string
    reply_to_address  = optional(string)
    configuration_set = optional(string)
  })
  default = null
  validation {
    condition     = var.email == null || can(regex("^arn:aws[a-z-]*:ses:[a-z0-9-]+:[0-9]{12}:identity/.+$", var.email.source_arn))
    error_message = "email.source_arn must be the ARN of a verified SES identity, e.g. arn:aws:ses:us-east-1:123456789012:identity/lego-moc.example.com."
  }
}

variable "callback_urls" {
  description = "OAuth callback URLs of the web app (created client only)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "deletion_protection" {
  description = "Protect the created pool from deletion (outside dev)."
  type        = bool
  default     = true
  nullable    = false
}

variable "tags" {
  description = "Tags for the pool."
  type        = map(string)
  default     = {}
  nullable    = false
}
