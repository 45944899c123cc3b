variable "zone_id" {
  description = "Route53 hosted zone id that holds the API hostname."
  type        = string
  nullable    = false
  validation {
    condition     = length(var.zone_id) > 0
    error_message = "zone_id must be a Route53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ."
  }
}

variable "record_name" {
  description = "API hostname both weighted records answer for, e.g. api.lego-moc.example.com."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}\\.?$", var.record_name))
    error_message = "record_name must be a lower-case DNS name such as api.example.com."
  }
}

variable "blue_target" {
  description = "CNAME target of the blue record: the legacy (ECS/ALB) service hostname."
  type        = string
  nullable    = false
  validation {
    condition     = length(var.blue_target) > 0
    error_message = "blue_target must be the legacy service hostname."
  }
}

variable "green_target" {
  description = "CNAME target of the green record: the API Gateway custom domain's regional target hostname."
  type        = string
  nullable    = false
  validation {
    condition     = length(var.green_target) > 0
    error_message = "green_target must be the API Gateway custom domain target hostname."
  }
}

variable "blue_weight" {
  description = "Route53 weight (0-255) of the blue (legacy) record; traffic splits by weight / sum. Written by lego-traffic to traffic.auto.tfvars.json."
  type        = number
  default     = 100
  nullable    = false
  validation {
    condition     = var.blue_weight >= 0 && var.blue_weight <= 255 && floor(var.blue_weight) == var.blue_weight
    error_message = "blue_weight must be a whole number between 0 and 255."
  }
}

variable "green_weight" {
  description = "Route53 weight (0-255) of the green (API Gateway) record; traffic splits by weight / sum. Written by lego-traffic to traffic.auto.tfvars.json."
  type        = number
  default     = 0
  nullable    = false
  validation {
    condition     = var.green_weight >= 0 && var.green_weight <= 255 && floor(var.green_weight) == var.green_weight
    error_message = "green_weight must be a whole number between 0 and 255."
  }
  validation {
    # Route53 splits evenly when every weight is 0, which nobody means: seed rollback is 100/0.
    condition     = var.blue_weight + var.green_weight > 0
    error_message = "blue_weight and green_weight must not both be 0 (Route53 would then split traffic evenly)."
  }
}

variable "ttl_seconds" {
  description = "TTL of both records; short so a rollback to blue takes effect in < 2 min (seed \"Rollback Procedure\")."
  type        = number
  default     = 60
  nullable    = false
  validation {
    condition     = var.ttl_seconds >= 0 && var.ttl_seconds <= 300
    error_message = "ttl_seconds must be between 0 and 300 so a rollback stays fast."
  }
}

variable "enable_health_checks" {
  description = "Attach a Route53 HTTPS health check to each record, so an unhealthy colour stops receiving traffic."
  type        = bool
  default     = false
  nullable    = false
}

variable "health_check_fqdns" {
  description = "Host each colour's health check requests, when not its CNAME target: API Gateway answers only its own hostnames, so green's check goes to the API's default execute-api host."
  type = object({
    blue  = optional(string)
    green = optional(string)
  })
  default  = {}
  nullable = false
}

variable "health_check_paths" {
  description = "Path each colour's health check requests; null means no health check for that colour (the legacy service may have no /health: without a check Route53 treats blue as healthy). green defaults to the health function's route."
  type = object({
    blue  = optional(string)
    green = optional(string, "/health")
  })
  default  = {}
  nullable = false
  validation {
    condition     = alltrue([for p in values(var.health_check_paths) : p == null || startswith(coalesce(p, "/"), "/")])
    error_message = "health_check_paths.blue and .green must start with / (or be null for no check)."
  }
}

variable "tags" {
  description = "Tags for the health checks (records take no tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
