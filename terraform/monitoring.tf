# Observability and cost control: alarms (and, opt-in, a dashboard) per environment from free
# built-in metrics, all notifying one SNS topic, and a monthly cost budget on the environment's
# Environment tag. Variables are in variables.tf, outputs in outputs.tf.

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

  dashboard_enabled       = var.dashboard_enabled
  function_alarms_enabled = var.function_alarms_enabled
  bedrock_profiles = {
    for alias, arn in local.bedrock_application_profile_arns : alias => {
      arn                       = arn
      input_per_million_tokens  = local.bedrock_alias_prices[alias].input_per_million_tokens
      output_per_million_tokens = local.bedrock_alias_prices[alias].output_per_million_tokens
    }
  }
  # Half the daily cap within one hour: hours before the budget could notice.
  bedrock_spend_alarm_usd = var.poetry_daily_budget_usd / 2

  alarm_email                           = var.alarm_email
  error_rate_threshold_percent          = var.alarm_error_rate_percent
  duration_threshold_percent_of_timeout = var.alarm_duration_percent_of_timeout
  throttles_threshold                   = var.alarm_throttles_threshold
  api_5xx_rate_threshold_percent        = var.alarm_api_5xx_rate_percent
}

module "budget" {
  source = "./modules/budget"

  name                      = "${local.name_prefix}-monthly-cost"
  limit_amount              = var.budget_limit_usd
  cost_allocation_tag_key   = "Environment"
  cost_allocation_tag_value = local.environment
  sns_topic_arn             = module.monitoring.sns_topic_arn
  email_addresses           = var.budget_email_addresses
}
