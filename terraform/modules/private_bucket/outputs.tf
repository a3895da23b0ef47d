output "versioned_bucket_name" {
  description = "The bucket's name, read from its versioning resource: whatever uses it waits until versioning is on (so every object gets a version id)."
  value       = aws_s3_bucket_versioning.this.bucket
}
