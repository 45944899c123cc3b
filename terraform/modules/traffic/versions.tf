terraform {
  # >= 1.9: cross-variable validation (weights must not both be 0).
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100"
    }
  }
}
