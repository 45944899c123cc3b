variable "name" {
  description = "Domain name (3-28 lower-case letters, digits, dashes), e.g. lego-api-dev."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,27}$", var.name))
    error_message = "name must be 3-28 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "subnet_ids" {
  description = "Private subnet ids; the domain uses one per zone it spans."
  type        = list(string)
  nullable    = false
}

variable "security_group_id" {
  description = "Security group of the domain (ingress 443 from the functions only)."
  type        = string
  nullable    = false
}

variable "kms_key_arn" {
  description = "KMS key for encryption at rest and the log groups."
  type        = string
  nullable    = false
}

variable "engine_version" {
  description = "OpenSearch engine version (seed: OpenSearch 2.x)."
  type        = string
  default     = "OpenSearch_2.13"
  nullable    = false
  validation {
    condition     = startswith(var.engine_version, "OpenSearch_2.")
    error_message = "engine_version must be OpenSearch_2.x."
  }
}

variable "instance_type" {
  description = "Data node type, e.g. t3.small.search (dev) or r6g.large.search (production)."
  type        = string
  nullable    = false
}

variable "instance_count" {
  description = "Data nodes (1 dev, 3 production); 2+ enables zone awareness."
  type        = number
  default     = 1
  nullable    = false
  validation {
    condition     = var.instance_count >= 1 && var.instance_count <= 10
    error_message = "instance_count must be between 1 and 10."
  }
}

variable "dedicated_master_type" {
  description = "Dedicated master node type (3 masters), or null for none (seed: production only)."
  type        = string
  default     = null
}

variable "volume_size_gb" {
  description = "gp3 EBS volume per data node in GB (20 dev, 100 production)."
  type        = number
  default     = 20
  nullable    = false
}

variable "access_role_arns" {
  description = "IAM role ARNs (the functions') allowed to call the domain with SigV4; nobody else is."
  type        = list(string)
  nullable    = false
}

variable "log_retention_days" {
  description = "Retention of the domain log groups."
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
