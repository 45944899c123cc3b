terraform {
  # >= 1.11: the database module keeps its generated password write-only (out of the state).
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100"
    }
  }
}
