variable "name" {
  description = "REST API name, e.g. music-poetry-dev-api."
  type        = string
}

variable "description" {
  description = "REST API description."
  type        = string
  default     = ""
}

variable "openapi" {
  description = "The decoded contract (yamldecode of functions/openapi.yaml); each operation names its function in `x-function`."
  type        = any
}

variable "function_invoke_arns" {
  description = "Invoke ARN per exposed function key. Internal functions must not appear here."
  type        = map(string)
}

variable "function_names" {
  description = "Deployed Lambda name per exposed function key (for invoke permissions)."
  type        = map(string)
}

variable "stage_name" {
  description = "Stage name; the frontend calls /<stage>/api/*."
  type        = string
  default     = "Prod"
}

variable "cors_origin" {
  description = "Access-Control-Allow-Origin on answers API Gateway writes itself (errors, 404, 405): one origin or \"*\", since a gateway response header is a static value and cannot echo the request's origin."
  type        = string

  validation {
    condition     = var.cors_origin == "*" || can(regex("^https?://[^/*,]+$", var.cors_origin))
    error_message = "cors_origin must be \"*\" or a single origin such as https://app.example.com."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second of each method of the stage (every method has its own bucket at this rate)."
  type        = number
}

variable "throttling_burst_limit" {
  description = "Burst of each method's bucket."
  type        = number
}

variable "route_throttling" {
  description = "Per-method throttling overrides keyed \"<METHOD> <path>\" as in functions/openapi.yaml (e.g. \"GET /api/youtube/audio-with-analysis\"), or \"OPTIONS <path>\" for a path's CORS preflight. Methods not listed keep the stage default; every method has its own bucket."
  type = map(object({
    rate_limit  = number
    burst_limit = number
  }))
  default = {}

  validation {
    condition     = alltrue([for route in values(var.route_throttling) : route.rate_limit > 0 && route.burst_limit >= 1 && floor(route.burst_limit) == route.burst_limit])
    error_message = "route_throttling: rate_limit must be above 0 and burst_limit a whole number of at least 1 (0 would refuse every request)."
  }
}

variable "detailed_metrics" {
  description = "Per-method CloudWatch metrics for the stage (billed as custom metrics)."
  type        = bool
  default     = false
}

variable "integration_timeout_ms" {
  description = "Lambda integration timeout; 29000 is API Gateway's default maximum."
  type        = number
  default     = 29000

  validation {
    condition     = var.integration_timeout_ms >= 50 && var.integration_timeout_ms <= 29000
    error_message = "integration_timeout_ms must be between 50 and 29000."
  }
}

variable "log_retention_days" {
  description = "Retention of the access and execution log groups."
  type        = number
}
