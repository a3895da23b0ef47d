# One function: its zip in S3, its own log group, its own role with only what it needs,
# and the function itself (X-Ray active, reserved concurrency only when asked for).

resource "aws_s3_object" "zip" {
  bucket             = var.bucket
  key                = "functions/${var.function_name}/${var.sha256}.zip"
  source             = var.source_path
  source_hash        = var.sha256
  checksum_algorithm = "SHA256"
  content_type       = "application/zip"
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:CloudWatch encrypts logs at rest already; the logs carry no secrets, so no customer key
  #checkov:skip=CKV_AWS_338:Retention is set per environment (see environments/*.tfvars) to bound cost; a year is not needed
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.function_name
  description        = "Execution role of ${var.function_name} (least privilege)"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "permissions" {
  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  # X-Ray write actions support no resource-level permissions: AWS requires "*" here.
  statement {
    sid       = "XRayWrite"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.permissions.json
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously (API Gateway, or youtube -> analysis); a dead-letter queue only applies to async invokes
  #checkov:skip=CKV_AWS_117:Needs public endpoints (YouTube, Bedrock); a VPC would add a NAT gateway for no isolation gain
  #checkov:skip=CKV_AWS_272:Code comes from our own build with a manifest SHA-256 checked on upload; no signing profile
  #checkov:skip=CKV_AWS_173:Environment variables hold names and flags, never secrets (those stay in Secrets Manager)
  function_name                  = var.function_name
  description                    = var.description
  role                           = aws_iam_role.this.arn
  handler                        = var.handler
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  layers                         = var.layers
  reserved_concurrent_executions = var.reserved_concurrency

  s3_bucket         = aws_s3_object.zip.bucket
  s3_key            = aws_s3_object.zip.key
  s3_object_version = aws_s3_object.zip.version_id
  source_code_hash  = var.sha256_base64

  environment {
    variables = var.environment
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = var.log_level
    system_log_level      = "WARN"
  }

  depends_on = [aws_iam_role_policy.this]
}
