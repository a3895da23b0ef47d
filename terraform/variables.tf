variable "environment" {
  description = "Environment this var-file describes; must equal the workspace (dev, staging or prod)."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "project" {
  description = "Project name: prefix of every resource name and the Project tag."
  type        = string
  default     = "music-poetry"
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"
}

variable "account_id" {
  description = "AWS account this workspace must deploy to (pins the provider's allowed_account_ids). null: the credentials' account."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits or null."
  }
}

variable "build_manifest_path" {
  description = "Build manifest written by `make build`. null: ../build/dist/manifest.json from this directory."
  type        = string
  default     = null
}

variable "stage_name" {
  description = "API Gateway stage; the frontend calls <invoke URL>/api/*."
  type        = string
  default     = "Prod"
}

variable "allowed_origins" {
  description = "The frontend's origin for CORS (ALLOWED_ORIGINS): exactly one, \"*\" only in dev. One, because the answers API Gateway writes itself (errors, 404, 405, 504) carry a static Access-Control-Allow-Origin that cannot echo the caller's origin."
  type        = list(string)

  validation {
    condition     = length(var.allowed_origins) == 1 && alltrue([for o in var.allowed_origins : o == "*" || can(regex("^https?://[^/*,]+$", o))])
    error_message = "allowed_origins: exactly one entry, \"*\" or an origin like https://app.example.com (scheme and host, no path)."
  }

  validation {
    condition     = var.environment == "dev" || !contains(var.allowed_origins, "*")
    error_message = "allowed_origins may be \"*\" only in dev; name the frontend's origin."
  }
}

variable "log_retention_days" {
  description = "Retention of every log group (functions, API access and execution logs)."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "log_level" {
  description = "Application log level of every function."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be TRACE, DEBUG, INFO, WARN, ERROR or FATAL."
  }
}

variable "default_reserved_concurrency" {
  description = "Reserved concurrency of each function. null (the default): none reserved. AWS keeps 100 of the account's concurrency unreserved, so a new account with a quota of 10 cannot reserve any; stage throttling is the first cost cap."
  type        = number
  default     = null

  validation {
    condition     = var.default_reserved_concurrency == null || try(var.default_reserved_concurrency >= 1, false)
    error_message = "default_reserved_concurrency must be null (none reserved) or at least 1 (0 would disable every function)."
  }
}

variable "reserved_concurrency" {
  description = "Per-function reserved concurrency overriding the default, e.g. { analysis = 4 }."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for value in values(var.reserved_concurrency) : value >= 1])
    error_message = "reserved_concurrency values must be at least 1 (0 would disable the function); leave a function out to reserve nothing."
  }
}

variable "throttling_rate_limit" {
  description = "API stage throttling: steady requests per second of EACH method (API Gateway gives every method its own bucket at this rate; route_throttling overrides one)."
  type        = number
}

variable "throttling_burst_limit" {
  description = "API stage throttling: burst size of each method's bucket."
  type        = number
}

variable "route_throttling" {
  description = "Per-method API throttling overrides, keyed \"<METHOD> <path>\" as in functions/openapi.yaml (or \"OPTIONS <path>\" for a path's preflight), e.g. { \"GET /api/youtube/audio-with-analysis\" = { rate_limit = 1, burst_limit = 2 } }. Each method has its own bucket at the stage rate unless listed here; `make cost` prices each at its own rate."
  type = map(object({
    rate_limit  = number
    burst_limit = number
  }))
  default = {}

  validation {
    condition     = alltrue([for route in values(var.route_throttling) : route.rate_limit > 0 && route.burst_limit >= 1 && floor(route.burst_limit) == route.burst_limit])
    error_message = "route_throttling: rate_limit must be above 0 and burst_limit a whole number of at least 1 (0 would refuse every request)."
  }
  validation {
    condition     = length(setsubtract(keys(var.route_throttling), local.api_function_methods)) == 0
    error_message = "route_throttling names methods the API does not route to a function: ${join(", ", setsubtract(keys(var.route_throttling), local.api_function_methods))}. Use \"<METHOD> <path>\" of functions/openapi.yaml or \"OPTIONS <path>\"."
  }
}

variable "api_detailed_metrics" {
  description = "Per-method API Gateway metrics (billed as custom metrics, about 21 USD a month: 5 metrics for each of the 14 methods, preflights and mocks included); the dashboard and alarms use the free stage-level metrics."
  type        = bool
  default     = false
}

variable "function_env" {
  description = "Per-function environment variables layered over settings.json `env`, e.g. { poetry = { POETRY_PROVIDER = \"bedrock\" } }."
  type        = map(map(string))
  default     = {}
}

variable "function_secrets" {
  description = "Per-function secrets: { function = { ENV_VAR = \"secret-name\" } }. The function gets the name in ENV_VAR and GetSecretValue on that secret only."
  type        = map(map(string))
  default     = {}
}

variable "bedrock_inference_profiles" {
  description = "System cross-region inference profiles the poet may use, each through a tagged application profile copied from it (bedrock.tf). Haiku only by default; add Sonnet per environment to opt in."
  type        = list(string)
  default = [
    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
  ]

  validation {
    condition     = alltrue([for p in var.bedrock_inference_profiles : can(regex("^(us|eu|apac|jp|au|ca|us-gov)\\.[a-z0-9-]+\\.[a-z0-9.:-]+$", p))])
    error_message = "Each entry must be a geographic inference profile id such as us.anthropic.claude-haiku-4-5-20251001-v1:0."
  }
}

variable "bedrock_model_regions" {
  description = "Destination regions the inference profiles route to (the foundation-model ARNs granted)."
  type        = list(string)
  default     = ["us-east-1", "us-east-2", "us-west-2"]
}

variable "artifacts_force_destroy" {
  description = "Let `make destroy` empty the artifacts bucket (its content is rebuilt by `make build`)."
  type        = bool
  default     = true
}

# --- Monitoring and cost (monitoring.tf) ----------------------------------------------------

variable "alarm_email" {
  description = "Email subscribed to this environment's alarm topic (confirm the mail AWS sends). Required: an alarm nobody receives is no alarm."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email != null && can(regex("^[^@[:space:]]+@[^@[:space:]]+$", var.alarm_email))
    error_message = "alarm_email is not set (or not an address) in environments/${var.environment}.tfvars: name who receives this environment's alarms."
  }
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
  description = "Monthly cost budget of this environment (resources tagged Environment = the workspace), in USD."
  type        = number
  default     = 5
}

variable "budget_email_addresses" {
  description = "Addresses AWS Budgets emails directly, besides the alarm topic (at least one)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.budget_email_addresses) > 0
    error_message = "budget_email_addresses is empty in environments/${var.environment}.tfvars: name at least one address for the monthly budget's notifications."
  }
}

variable "dashboard_enabled" {
  description = "Create this environment's CloudWatch dashboard (3.00 USD a month at list price; an account's first three are free)."
  type        = bool
  default     = false
}

variable "function_alarms_enabled" {
  description = "Per function error-rate, p95-duration and throttles alarms (0.40 USD a month per function). The API 5XX and Bedrock spend alarms are always on."
  type        = bool
  default     = true
}

# --- Spend safety (bedrock.tf, functions/poetry/spend.py) -------------------------------------

variable "poetry_daily_budget_usd" {
  description = "Hard daily Bedrock spend cap of this environment in USD (list prices, UTC day): poetry answers 429 once reached. Every var-file states it."
  type        = number

  validation {
    condition     = var.poetry_daily_budget_usd > 0
    error_message = "A cap of zero would refuse every poem; remove Bedrock instead."
  }
}

variable "poetry_client_limit_per_minute" {
  description = "Poems per source IP and minute (0: no per-minute limit). null: the function's default (functions/poetry/spend.py)."
  type        = number
  default     = null
}

variable "poetry_client_limit_per_day" {
  description = "Poems per source IP and UTC day (0: no daily ceiling). null: the function's default (functions/poetry/spend.py)."
  type        = number
  default     = null
}
