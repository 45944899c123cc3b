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
