# Credentials come from the environment (AWS_PROFILE, SSO, instance role, ...), never from code.
provider "aws" {
  region              = var.region
  allowed_account_ids = var.account_id != null ? [var.account_id] : null

  default_tags {
    tags = {
      Project   = var.project
      ManagedBy = "terraform"
    }
  }
}
