variable "name" {
  description = "Budget name, unique in the account, e.g. music-poetry-dev-monthly-cost."
  type        = string
}

variable "limit_amount" {
  description = "Monthly cost limit, in limit_unit."
  type        = number
  default     = 5

  validation {
    condition     = var.limit_amount > 0
    error_message = "AWS Budgets needs a limit above zero."
  }
}

variable "limit_unit" {
  description = "Currency of limit_amount."
  type        = string
  default     = "USD"
}

variable "cost_allocation_tag_key" {
  description = "User-defined cost-allocation tag the budget is scoped to (the provider's default_tags set it)."
  type        = string
  default     = "Environment"
}

variable "cost_allocation_tag_value" {
  description = "Value of that tag on this environment's resources, e.g. prod."
  type        = string
}

variable "actual_threshold_percent" {
  description = "Notify when actual spend this month exceeds this percentage of the limit."
  type        = number
  default     = 80
}

variable "forecasted_threshold_percent" {
  description = "Notify when AWS forecasts this month's spend above this percentage of the limit."
  type        = number
  default     = 100
}

variable "sns_topic_arn" {
  description = "Topic notified (its policy must let budgets.amazonaws.com publish). null: email only."
  type        = string
  default     = null
}

variable "email_addresses" {
  description = "Addresses AWS Budgets emails directly (no confirmation needed)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.email_addresses) <= 10
    error_message = "AWS Budgets allows at most 10 email subscribers per notification."
  }
}
