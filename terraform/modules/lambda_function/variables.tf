variable "function_name" {
  description = "Deployed name of the function, e.g. music-poetry-dev-poetry."
  type        = string
}

variable "description" {
  description = "Function description."
  type        = string
  default     = ""
}

variable "handler" {
  description = "Handler in module.attribute form, e.g. functions.poetry.handler.lambda_handler."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime, e.g. python3.12 (settings.json `runtime`)."
  type        = string
}

variable "architecture" {
  description = "x86_64 or arm64 (settings.json `architecture`)."
  type        = string

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number
}

variable "timeout" {
  description = "Timeout in seconds."
  type        = number
}

variable "layers" {
  description = "Layer version ARNs, in order."
  type        = list(string)
  default     = []
}

variable "environment" {
  description = "Environment variables."
  type        = map(string)
  default     = {}
}

variable "bucket" {
  description = "Artifacts bucket the zip is uploaded to."
  type        = string
}

variable "source_path" {
  description = "Local path of the function zip written by `make build`."
  type        = string
}

variable "sha256" {
  description = "Hex SHA-256 of the zip, from the build manifest; names the S3 key."
  type        = string
}

variable "sha256_base64" {
  description = "Base64 SHA-256 of the zip, from the build manifest; becomes source_code_hash."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
}

variable "log_level" {
  description = "Application log level (Lambda advanced logging; Powertools follows it)."
  type        = string
  default     = "INFO"
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions (a hard cap on parallel runs). null: none reserved, the function draws on the account's unreserved pool."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 1, false)
    error_message = "reserved_concurrency must be null or at least 1 (0 would disable the function)."
  }
}

variable "policy_statements" {
  description = "Extra IAM statements beyond the function's own log group and X-Ray writes."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []
}
