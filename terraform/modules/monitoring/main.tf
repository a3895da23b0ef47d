# Alarms, their SNS topic and (opt-in) a dashboard for one environment, all from free built-in
# metrics (AWS/Lambda, AWS/ApiGateway, AWS/Bedrock): paid custom metrics are not needed to watch
# the stack. The dashboard body is computed from the inputs alone (no resource attributes but
# the profile ARNs), so tests can render it offline with tfparse.

locals {
  function_keys = sort(keys(var.functions))
  log_groups    = [for key in local.function_keys : "/aws/lambda/${var.functions[key].name}"]

  duration_thresholds_ms = {
    for key, fn in var.functions : key => fn.timeout * 1000 * var.duration_threshold_percent_of_timeout / 100
  }
  alarmed_functions = var.function_alarms_enabled ? var.functions : {}

  # Powertools writes level ERROR/CRITICAL; the python runtime's JSON log format reports an
  # unhandled exception with errorType; the platform report of a timed-out or crashed run has
  # record.status "timeout" or "error".
  errors_query = join("\n| ", [
    "fields @timestamp, @log, level, service, correlation_id, message, exception_name, errorType, record.status",
    "filter level in [\"ERROR\", \"CRITICAL\"] or ispresent(errorType) or record.status in [\"error\", \"timeout\"]",
    "sort @timestamp desc",
    "limit 50",
  ])
}

resource "aws_cloudwatch_query_definition" "recent_errors" {
  name            = "${var.name_prefix}/recent-errors"
  log_group_names = local.log_groups
  query_string    = local.errors_query
}

resource "aws_sns_topic" "alarms" {
  #checkov:skip=CKV_AWS_26:CloudWatch and Budgets cannot publish to a topic under the AWS-managed SNS key, and a customer key costs $1/month of a $5 budget; alarm texts hold no secrets
  name = "${var.name_prefix}-alarms"
}

# CloudWatch alarms and AWS Budgets publish here, only on behalf of this account (Budgets
# needs the explicit grant; one statement serves both services).
data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "AlarmsAndBudgetsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}
