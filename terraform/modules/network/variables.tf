variable "name" {
  description = "Name prefix of every network resource, e.g. lego-api-dev."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits or dashes."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC, e.g. 10.20.0.0/16 (a /16../24; private subnets are /4 slices of it)."
  type        = string
  nullable    = false
  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) <= 24
    error_message = "cidr_block must be a valid IPv4 CIDR no smaller than /24."
  }
}

variable "availability_zone_ids" {
  description = "Availability zone ids (use1-az1, not us-east-1a) of the private subnets: names map to different physical zones in each account, ids do not, and some ids lack Lambda or the interface endpoints. Pinned so the set never grows on its own (RDS and OpenSearch need 2+)."
  type        = list(string)
  nullable    = false
  validation {
    condition     = length(var.availability_zone_ids) >= 2 && length(var.availability_zone_ids) <= 4 && length(distinct(var.availability_zone_ids)) == length(var.availability_zone_ids) && alltrue([for id in var.availability_zone_ids : can(regex("^[a-z]+[0-9]+-az[0-9]+$", id))])
    error_message = "availability_zone_ids must list 2 to 4 distinct zone ids such as [\"use1-az1\", \"use1-az2\"] (zone ids, not names like us-east-1a)."
  }
}

variable "interface_endpoint_services" {
  description = "Services reached through interface VPC endpoints so the data path needs no NAT (S3 uses a gateway endpoint)."
  type        = set(string)
  default     = ["secretsmanager", "lambda", "xray", "cognito-idp"]
  nullable    = false
  validation {
    condition     = contains(var.interface_endpoint_services, "secretsmanager")
    error_message = "interface_endpoint_services must include secretsmanager: RDS Proxy and the functions read their secrets through it (no NAT)."
  }
}

variable "cognito_via_nat" {
  description = "Reach Cognito through a NAT gateway instead of the cognito-idp interface endpoint: needed when the user pool has a domain (hosted UI / managed login), which PrivateLink does not support. Adds one public subnet, an internet gateway and a NAT gateway, drops the cognito-idp endpoint, and outputs a security group (443 out) for the functions that call Cognito; make preflight says when to set it."
  type        = bool
  default     = false
  nullable    = false
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow log group."
  type        = number
  default     = 365
  nullable    = false
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the flow log group."
  type        = string
  nullable    = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
  nullable    = false
}
