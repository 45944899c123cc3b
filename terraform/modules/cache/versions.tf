terraform {
  # >= 1.11: write-only attributes (secret_string_wo).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100"
    }
  }
}
