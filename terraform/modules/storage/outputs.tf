output "artifacts_bucket_name" {
  description = "Name of the private, versioned, encrypted artifacts bucket, known only once versioning is on (uploads then get a version id)."
  # Read from the versioning resource, so every upload that uses this name waits for
  # versioning: an object written before it would have no version id for Lambda to pin.
  value = module.artifacts.versioned_bucket_name
}

output "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket."
  value       = aws_s3_bucket.artifacts.arn
}

output "cache_table_name" {
  description = "Name of the DynamoDB cache table (hash key `cache_key`, string)."
  value       = aws_dynamodb_table.cache.name
}

output "cache_table_arn" {
  description = "ARN of the DynamoDB cache table."
  value       = aws_dynamodb_table.cache.arn
}

output "cache_ttl_attribute" {
  description = "Attribute holding each cache item's expiry (epoch seconds)."
  value       = var.cache_ttl_attribute
}
