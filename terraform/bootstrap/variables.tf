variable "project" {
  description = "Project name: prefix of every name here and the Project tag (the same as the environments' var.project)."
  type        = string
  default     = "music-poetry"
}

variable "region" {
  description = "Region the environments deploy to: API Gateway's account setting is per region."
  type        = string
  default     = "us-east-1"
}

variable "account_id" {
  description = "AWS account to bootstrap (pins the provider's allowed_account_ids). null: the credentials' account."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits or null."
  }
}

variable "state_bucket_name" {
  description = "Name of the Terraform state bucket. null: <project>-tfstate-<account id>-<region>."
  type        = string
  default     = null
}

variable "cost_allocation_tags" {
  description = "User-defined tag keys to activate for cost allocation: the budgets filter on them."
  type        = list(string)
  default     = ["Project", "Environment"]
}

variable "activate_cost_allocation_tags" {
  description = "Activate cost_allocation_tags. AWS refuses a key that has not yet appeared in billing data (about a day after the first tagged resource), so a fresh account applies with false first, then true after the first deploy."
  type        = bool
  default     = false
}

variable "state_noncurrent_version_days" {
  description = "Days to keep superseded versions of state files."
  type        = number
  default     = 90
}
