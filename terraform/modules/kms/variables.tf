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

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
  nullable    = false
}
