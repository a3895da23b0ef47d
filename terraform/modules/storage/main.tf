# Per-workspace storage: the private bucket that Lambda code and layers are deployed from,
# and the DynamoDB table that caches analysis results.

resource "aws_s3_bucket" "artifacts" {
  #checkov:skip=CKV_AWS_18:Access logs for a deploy-only bucket would need a second bucket; CloudTrail records API calls
  #checkov:skip=CKV_AWS_144:Artifacts are rebuilt from source by `make build`; cross-region replication buys nothing
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES256) is enough for code zips; a customer key costs money and adds a key policy to manage
  #checkov:skip=CKV2_AWS_62:Nothing reacts to uploads; Terraform publishes layers and functions itself
  bucket_prefix = "${var.name_prefix}-artifacts-"
  force_destroy = var.force_destroy
}

module "artifacts" {
  source = "../private_bucket"

  bucket                  = aws_s3_bucket.artifacts.id
  bucket_arn              = aws_s3_bucket.artifacts.arn
  noncurrent_version_days = var.noncurrent_version_days
  lifecycle_rule_id       = "expire-superseded-artifacts"
}

# The hardening resources moved into modules/private_bucket (shared with the bootstrap).
moved {
  from = aws_s3_bucket_ownership_controls.artifacts
  to   = module.artifacts.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.artifacts
  to   = module.artifacts.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.artifacts
  to   = module.artifacts.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.artifacts
  to   = module.artifacts.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.artifacts
  to   = module.artifacts.aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.artifacts
  to   = module.artifacts.aws_s3_bucket_policy.this
}

resource "aws_dynamodb_table" "cache" {
  #checkov:skip=CKV_AWS_119:The AWS managed key (aws/dynamodb) encrypts at rest; the cache holds derived audio features, not personal data
  #checkov:skip=CKV_AWS_28:Every item expires (cache entries, week-old spend counters); backups would bill for nothing worth restoring
  name         = var.cache_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "cache_key"

  attribute {
    name = "cache_key"
    type = "S"
  }

  ttl {
    attribute_name = var.cache_ttl_attribute
    enabled        = true
  }

  # No point-in-time recovery: it bills per GB-month for a table whose items all expire (cached
  # analyses are rebuilt on a miss; spend counters live a week, and a restored counter would
  # be wrong anyway). Deleting the table by accident loses nothing that matters.
  point_in_time_recovery {
    enabled = false
  }

  server_side_encryption {
    enabled = true
  }
}
