terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # Remote state: `terraform init -backend-config=backend.hcl` (see backend.hcl.example).
  # Without it, state stays local in terraform.tfstate.d/<workspace>/.
  backend "s3" {}
}
