terraform {
  # >= 1.11: write-only attributes keep the generated database password out of the state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: terraform init -backend-config=backend.hcl (S3 state, lockfile locking).
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "LEGO-API" # seed "Cost Monitoring": cost explorer tags
      Environment = var.stage
      ManagedBy   = "terraform"
    }
  }
}
