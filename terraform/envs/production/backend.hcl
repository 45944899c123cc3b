# terraform init -backend-config=backend.hcl: S3 state with S3-native locking (use_lockfile).
bucket       = "lego-api-terraform-state-production"
key          = "lego-api/production/terraform.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
