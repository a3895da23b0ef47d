variable "name_prefix" {
  description = "Prefix for every name, e.g. music-poetry-dev."
  type        = string
}

variable "cache_table_name" {
  description = "Name of the DynamoDB cache table."
  type        = string
}

variable "force_destroy" {
  description = "Let `terraform destroy` empty the artifacts bucket (artifacts are rebuilt by `make build`)."
  type        = bool
  default     = true
}

variable "noncurrent_version_days" {
  description = "Days to keep superseded artifact versions before S3 deletes them."
  type        = number
  default     = 30
}

variable "cache_ttl_attribute" {
  description = "Name of the cache table's TTL attribute (epoch seconds)."
  type        = string
  default     = "expires_at"
}
