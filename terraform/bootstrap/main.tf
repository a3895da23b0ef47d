# Applied once per account and region, before any environment: everything account-wide, so
# that no environment workspace creates, changes or destroys what another one relies on.
#   - API Gateway's CloudWatch role: the account setting every REST API stage in the region
#     logs through ("CloudWatch Logs role ARN must be set in account settings").
#   - The Terraform state bucket every environment's backend.hcl names.
#   - Cost-allocation tags the environments' budgets filter on.

data "aws_partition" "current" {}

# Asked only when account_id is not given.
data "aws_caller_identity" "current" {
  count = var.account_id == null ? 1 : 0
}

locals {
  account_id        = var.account_id != null ? var.account_id : one(data.aws_caller_identity.current[*].account_id)
  state_bucket_name = var.state_bucket_name != null ? var.state_bucket_name : "${var.project}-tfstate-${local.account_id}-${var.region}"
}

# --- API Gateway account logging -----------------------------------------------------------

data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    sid     = "ApiGatewayAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

# IAM is global but the account setting is regional: the region in the name lets the
# bootstrap be applied in several regions of one account.
resource "aws_iam_role" "apigateway_cloudwatch" {
  name               = "${var.project}-apigateway-logs-${var.region}"
  description        = "Lets API Gateway (whole account, ${var.region}) push logs to CloudWatch"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

# AWS's managed policy for this role: the account setting serves every API in the region,
# so it cannot be scoped to one API's log groups.
resource "aws_iam_role_policy_attachment" "apigateway_cloudwatch" {
  role       = aws_iam_role.apigateway_cloudwatch.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.apigateway_cloudwatch.arn

  depends_on = [aws_iam_role_policy_attachment.apigateway_cloudwatch]
}

# --- Terraform state bucket ----------------------------------------------------------------

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:Access logs for the state bucket would need a second bucket; CloudTrail records its API calls
  #checkov:skip=CKV_AWS_144:State is small and versioned; cross-region replication would double the buckets for little gain
  #checkov:skip=CKV_AWS_145:SSE-S3 (AES256) encrypts the state; a customer key costs money and adds a key policy to manage
  #checkov:skip=CKV2_AWS_62:Nothing reacts to state writes; Terraform's S3 lock file needs no notifications
  bucket = local.state_bucket_name

  # Losing this bucket loses every environment's state.
  lifecycle {
    prevent_destroy = true
  }
}

# Owner-enforced, public access blocked, versioned, encrypted, TLS only; superseded state
# versions expire after state_noncurrent_version_days.
module "state_bucket" {
  source = "../modules/private_bucket"

  bucket                  = aws_s3_bucket.state.id
  bucket_arn              = aws_s3_bucket.state.arn
  noncurrent_version_days = var.state_noncurrent_version_days
  lifecycle_rule_id       = "expire-old-state-versions"
}

# --- Cost allocation -----------------------------------------------------------------------

# A tag filters costs in budgets and Cost Explorer only once its key is activated.
resource "aws_ce_cost_allocation_tag" "this" {
  for_each = var.activate_cost_allocation_tags ? toset(var.cost_allocation_tags) : toset([])

  tag_key = each.key
  status  = "Active"
}
