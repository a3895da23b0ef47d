variable "bucket" {
  description = "Name of the bucket to make private (created by the caller)."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of that bucket (for the TLS-only bucket policy)."
  type        = string
}

variable "noncurrent_version_days" {
  description = "Days to keep superseded object versions before S3 deletes them."
  type        = number
  default     = 30
}

variable "lifecycle_rule_id" {
  description = "Id of the lifecycle rule that expires superseded versions."
  type        = string
  default     = "expire-superseded-versions"
}
