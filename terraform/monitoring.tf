# Observability and cost control (issue 9): a dashboard and alarms per environment, all
# notifying one SNS topic, and a monthly cost budget on the project's Project tag.
# Everything the dashboard shows comes from locals known at plan time (names, timeouts).

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
