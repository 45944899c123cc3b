variable "name" {
  description = "Name of the HTTP API, e.g. lego-api-dev."
  type        = string
  nullable    = false
}

variable "routes" {
  description = "Route table keyed by routeKey (functions/routes.json \"routes\"): { \"GET /api/mocs\" = { function = \"mocs\", authorization = \"JWT\" } }."
  type = map(object({
    function      = string
    authorization = string
  }))
  nullable = false
  validation {
    condition     = alltrue([for route in values(var.routes) : contains(["JWT", "NONE"], route.authorization)])
    error_message = "every route's authorization must be JWT or NONE."
  }
  validation {
    condition     = alltrue([for key in keys(var.routes) : can(regex("^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) /", key))])
    error_message = "route keys must look like \"METHOD /path\"."
  }
}

variable "functions" {
  description = "Functions the routes point at, by function key: { mocs = { name = \"lego-api-mocs-dev\", invoke_arn = \"...\", qualifier = \"live\" } }; qualifier is the alias invoked (null: the function)."
  type = map(object({
    name       = string
    invoke_arn = string
    qualifier  = optional(string)
  }))
  nullable = false
}

variable "jwt_issuer" {
  description = "JWT issuer (Cognito user pool URL)."
  type        = string
  nullable    = false
  validation {
    condition     = startswith(var.jwt_issuer, "https://")
    error_message = "jwt_issuer must be an https:// URL."
  }
}

variable "jwt_audience" {
  description = "JWT audiences (the Cognito app client ids)."
  type        = list(string)
  nullable    = false
  validation {
    condition     = length(var.jwt_audience) > 0
    error_message = "jwt_audience needs at least one app client id."
  }
}

variable "cors" {
  description = "CORS of the API (seed 001 \"CORS Configuration\")."
  type = object({
    allow_origins     = list(string)
    allow_methods     = optional(list(string), ["GET", "POST", "PATCH", "DELETE", "OPTIONS"])
    allow_headers     = optional(list(string), ["Content-Type", "Authorization", "X-Requested-With", "X-CSRF-Token"])
    allow_credentials = optional(bool, true)
    max_age_seconds   = optional(number, 3600)
  })
  nullable = false
  validation {
    condition     = !(var.cors.allow_credentials && contains(var.cors.allow_origins, "*"))
    error_message = "cors.allow_origins cannot be \"*\" when credentials are allowed."
  }
}

variable "throttling" {
  description = "Stage throttling (seed \"Rate Limiting\": burst 500, rate 1000/s) and per-route overrides by routeKey (upload routes 100/s)."
  type = object({
    burst_limit = optional(number, 500)
    rate_limit  = optional(number, 1000)
    routes = optional(map(object({
      burst_limit = number
      rate_limit  = number
    })), {})
  })
  default  = {}
  nullable = false
}

variable "domain_name" {
  description = "Custom domain of the API (the green target of the traffic records), e.g. api-green.lego-moc.example.com; null for none."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "Regional ACM certificate for domain_name."
  type        = string
  default     = null
  validation {
    condition     = var.domain_name == null || var.certificate_arn != null
    error_message = "certificate_arn is required when domain_name is set."
  }
}

variable "kms_key_arn" {
  description = "KMS key of the access log group."
  type        = string
  nullable    = false
}

variable "log_retention_days" {
  description = "Retention of the access log group."
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
