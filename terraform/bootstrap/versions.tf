terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # The bootstrap creates the state bucket the environments use, so its own (small) state
  # stays local in terraform.tfstate here (git-ignored). Keep that file, or migrate it into
  # the bucket afterwards (docs/deploy.md).
}
