# Observability and cost control (issue 9): a dashboard and alarms per environment, all
# notifying one SNS topic, and a monthly cost budget on the project's Project tag.
# Everything the dashboard shows comes from locals known at plan time (names, timeouts).

variable "alarm_email" {
  description = "Email subscribed to this environment's alarm topic (confirm the mail AWS sends). null: none."
  type        = string
  default     = null
}

variable "alarm_error_rate_percent" {
  description = "Per function: alarm when Errors / Invocations exceeds this percentage."
  type        = number
  default     = 5
}

variable "alarm_duration_percent_of_timeout" {
  description = "Per function: alarm when p95 Duration exceeds this percentage of the function's timeout."
  type        = number
  default     = 80
}

variable "alarm_throttles_threshold" {
  description = "Per function: alarm when Throttles in one period exceed this count."
  type        = number
  default     = 0
}

variable "alarm_api_5xx_rate_percent" {
  description = "API: alarm when 5XXError / Count exceeds this percentage."
  type        = number
  default     = 5
}

variable "budget_limit_usd" {
  description = "Monthly cost budget for resources tagged Project = var.project, in USD."
  type        = number
  default     = 5
}

variable "budget_email_addresses" {
  description = "Addresses AWS Budgets emails directly, besides the alarm topic."
  type        = list(string)
  default     = []
}

variable "activate_cost_allocation_tag" {
  description = "Activate the Project tag for cost allocation (account-wide: true in one workspace only)."
  type        = bool
  default     = false
}

module "monitoring" {
  source = "./modules/monitoring"

  name_prefix       = local.name_prefix
  environment       = local.environment
  region            = var.region
  account_id        = local.account_id
  dashboard_name    = local.dashboard_name
  metrics_namespace = local.metrics_namespace
  functions = {
    for key, name in local.function_names : key => { name = name, timeout = local.function_timeouts[key] }
  }
  api_name       = local.api_name
  api_stage_name = local.api_stage_name

  alarm_email                           = var.alarm_email
  error_rate_threshold_percent          = var.alarm_error_rate_percent
  duration_threshold_percent_of_timeout = var.alarm_duration_percent_of_timeout
  throttles_threshold                   = var.alarm_throttles_threshold
  api_5xx_rate_threshold_percent        = var.alarm_api_5xx_rate_percent
}

module "budget" {
  source = "./modules/budget"

  name                         = "${local.name_prefix}-monthly-cost"
  limit_amount                 = var.budget_limit_usd
  cost_allocation_tag_key      = "Project"
  cost_allocation_tag_value    = var.project
  sns_topic_arn                = module.monitoring.sns_topic_arn
  email_addresses              = var.budget_email_addresses
  activate_cost_allocation_tag = var.activate_cost_allocation_tag
}

output "alarm_topic_arn" {
  description = "SNS topic of this environment's alarms and budget notifications."
  value       = module.monitoring.sns_topic_arn
}

output "budget_name" {
  description = "Monthly cost budget of the project (scoped to its Project tag)."
  value       = module.budget.budget_name
}
