# API Gateway writes access and execution logs through ONE role per account and region
# (aws_api_gateway_account is a regional singleton). Set manage_account_logging_role = true
# in exactly one workspace that shares an account and region (dev by default).

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

resource "aws_iam_role" "cloudwatch" {
  count = var.manage_account_logging_role ? 1 : 0

  name               = "${var.name}-cloudwatch"
  description        = "Lets API Gateway (whole account, this region) push logs to CloudWatch"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

# AWS's managed policy for this role: the account setting serves every API in the region,
# so it cannot be scoped to this API's log groups.
resource "aws_iam_role_policy_attachment" "cloudwatch" {
  count = var.manage_account_logging_role ? 1 : 0

  role       = aws_iam_role.cloudwatch[0].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_account_logging_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.cloudwatch[0].arn

  depends_on = [aws_iam_role_policy_attachment.cloudwatch]
}
