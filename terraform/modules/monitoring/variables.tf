variable "name_prefix" {
  description = "Prefix of every name (topic, alarms), e.g. music-poetry-dev."
  type        = string
}

variable "environment" {
  description = "Environment shown on the dashboard, e.g. dev."
  type        = string
}

variable "region" {
  description = "Region of the functions and the API; every dashboard widget names it."
  type        = string
}

variable "account_id" {
  description = "Account whose CloudWatch alarms and AWS Budgets may publish to the topic (aws:SourceAccount)."
  type        = string
}

variable "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  type        = string
}

variable "metrics_namespace" {
  description = "EMF namespace the functions write to (their POWERTOOLS_METRICS_NAMESPACE), e.g. music-poetry-dev."
  type        = string
}

variable "functions" {
  description = "Functions to watch: key (the Powertools service name) => deployed name and timeout in seconds."
  type = map(object({
    name    = string
    timeout = number
  }))
}

variable "api_name" {
  description = "Name of the REST API (CloudWatch's ApiName dimension)."
  type        = string
}

variable "api_stage_name" {
  description = "Stage of the REST API (CloudWatch's Stage dimension)."
  type        = string
}

variable "dashboard_enabled" {
  description = "Create the dashboard (3.00 USD a month at list price; the account's first three dashboards are free)."
  type        = bool
  default     = false
}

variable "function_alarms_enabled" {
  description = "Per function: error rate, p95 duration and throttles alarms (4 alarm metrics, 0.40 USD a month, per function). The API 5XX and Bedrock spend alarms are always on."
  type        = bool
  default     = true
}

variable "bedrock_profiles" {
  description = "Application inference profiles the poet calls, by alias: ARN (the ModelId dimension of AWS/Bedrock metrics) and list prices per million tokens. Empty: no Bedrock alarm or widgets."
  type = map(object({
    arn                       = string
    input_per_million_tokens  = number
    output_per_million_tokens = number
  }))
  default = {}
}

variable "bedrock_spend_alarm_usd" {
  description = "Alarm when the profiles' tokens, at list prices, reach this many USD within one hour."
  type        = number
  default     = 1

  validation {
    condition     = var.bedrock_spend_alarm_usd > 0
    error_message = "A spend threshold of zero would alarm on every poem."
  }
}

variable "alarm_email" {
  description = "Email address subscribed to the alarm topic (AWS sends a confirmation mail first). null: no subscription."
  type        = string
  default     = null
}

variable "error_rate_threshold_percent" {
  description = "Alarm when a function's Errors / Invocations over one period exceeds this percentage."
  type        = number
  default     = 5

  validation {
    condition     = var.error_rate_threshold_percent >= 0 && var.error_rate_threshold_percent < 100
    error_message = "A rate above 100 % can never be reached: use 0 <= threshold < 100."
  }
}

variable "duration_threshold_percent_of_timeout" {
  description = "Alarm when a function's p95 Duration exceeds this percentage of its own timeout."
  type        = number
  default     = 80

  validation {
    condition     = var.duration_threshold_percent_of_timeout > 0 && var.duration_threshold_percent_of_timeout < 100
    error_message = "Lambda stops a function at its timeout, so Duration never exceeds it: use 0 < percent < 100."
  }
}

variable "throttles_threshold" {
  description = "Alarm when a function's Throttles (sum over one period) exceed this count."
  type        = number
  default     = 0

  validation {
    condition     = var.throttles_threshold >= 0
    error_message = "A throttle count cannot be negative."
  }
}

variable "api_5xx_rate_threshold_percent" {
  description = "Alarm when the API's 5XXError / Count over one period exceeds this percentage."
  type        = number
  default     = 5

  validation {
    condition     = var.api_5xx_rate_threshold_percent >= 0 && var.api_5xx_rate_threshold_percent < 100
    error_message = "A rate above 100 % can never be reached: use 0 <= threshold < 100."
  }
}

variable "alarm_period_seconds" {
  description = "Period over which each alarm aggregates its metrics."
  type        = number
  default     = 300

  validation {
    condition     = contains([10, 20, 30], var.alarm_period_seconds) || (var.alarm_period_seconds >= 60 && var.alarm_period_seconds % 60 == 0)
    error_message = "CloudWatch accepts alarm periods of 10, 20, 30 or a multiple of 60 seconds."
  }
}

variable "alarm_evaluation_periods" {
  description = "Consecutive breaching periods before an alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.alarm_evaluation_periods >= 1
    error_message = "An alarm evaluates at least one period."
  }
}
