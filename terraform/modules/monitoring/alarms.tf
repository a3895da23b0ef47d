# Alarms on free metrics. Every alarm metric costs 0.10 USD a month (a metric-math alarm counts
# each metric it reads), so the per-function set can be switched off where nobody is paged.

# Lambda's Errors counts crashes and timeouts, not the 4xx/5xx JSON our handlers return
# (those show in the API's 5XX rate below).
resource "aws_cloudwatch_metric_alarm" "error_rate" {
  for_each = local.alarmed_functions

  alarm_name          = "${var.name_prefix}-${each.key}-error-rate"
  alarm_description   = "${each.value.name}: Errors / Invocations above ${var.error_rate_threshold_percent} %."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_threshold_percent
  evaluation_periods  = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "error_rate"
    expression  = "IF(invocations > 0, 100 * errors / invocations, 0)"
    label       = "Error rate (%)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = each.value.name }
      period      = var.alarm_period_seconds
      stat        = "Sum"
    }
  }

  metric_query {
    id = "invocations"

    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Invocations"
      dimensions  = { FunctionName = each.value.name }
      period      = var.alarm_period_seconds
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "duration_p95" {
  for_each = local.alarmed_functions

  alarm_name          = "${var.name_prefix}-${each.key}-duration-p95"
  alarm_description   = "${each.value.name}: p95 Duration above ${var.duration_threshold_percent_of_timeout} % of its ${each.value.timeout} s timeout."
  namespace           = "AWS/Lambda"
  metric_name         = "Duration"
  dimensions          = { FunctionName = each.value.name }
  extended_statistic  = "p95"
  period              = var.alarm_period_seconds
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.duration_thresholds_ms[each.key]
  evaluation_periods  = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  for_each = local.alarmed_functions

  alarm_name          = "${var.name_prefix}-${each.key}-throttles"
  alarm_description   = "${each.value.name}: more than ${var.throttles_threshold} throttled invocations (reserved concurrency reached)."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value.name }
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.throttles_threshold
  evaluation_periods  = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  alarm_name          = "${var.name_prefix}-api-5xx-rate"
  alarm_description   = "${var.api_name} (${var.api_stage_name}): 5XXError / Count above ${var.api_5xx_rate_threshold_percent} %."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.api_5xx_rate_threshold_percent
  evaluation_periods  = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "server_error_rate"
    expression  = "IF(requests > 0, 100 * server_errors / requests, 0)"
    label       = "5XX rate (%)"
    return_data = true
  }

  metric_query {
    id = "server_errors"

    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "5XXError"
      dimensions  = { ApiName = var.api_name, Stage = var.api_stage_name }
      period      = var.alarm_period_seconds
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      dimensions  = { ApiName = var.api_name, Stage = var.api_stage_name }
      period      = var.alarm_period_seconds
      stat        = "Sum"
    }
  }
}

# The same-hour signal budgets cannot give (they lag by hours): Bedrock's free token counts of
# the application profiles, priced, summed over one hour. ModelId is the id the call named,
# i.e. the profile ARN. Two alarm metrics per enabled model.
resource "aws_cloudwatch_metric_alarm" "bedrock_spend" {
  count = length(var.bedrock_profiles) > 0 ? 1 : 0

  alarm_name          = "${var.name_prefix}-bedrock-spend-hour"
  alarm_description   = "Bedrock tokens of ${join(", ", keys(var.bedrock_profiles))} priced above ${var.bedrock_spend_alarm_usd} USD within one hour (list prices)."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.bedrock_spend_alarm_usd
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "spend_usd"
    label       = "Bedrock spend in the hour (USD, list prices)"
    return_data = true
    expression = join(" + ", [
      for alias, profile in var.bedrock_profiles :
      "(in_${alias} * ${profile.input_per_million_tokens} + out_${alias} * ${profile.output_per_million_tokens}) / 1000000"
    ])
  }

  dynamic "metric_query" {
    for_each = { for pair in setproduct(keys(var.bedrock_profiles), ["in", "out"]) : "${pair[1]}_${pair[0]}" => pair }
    content {
      id = metric_query.key

      metric {
        namespace   = "AWS/Bedrock"
        metric_name = metric_query.value[1] == "in" ? "InputTokenCount" : "OutputTokenCount"
        dimensions  = { ModelId = var.bedrock_profiles[metric_query.value[0]].arn }
        period      = 3600
        stat        = "Sum"
      }
    }
  }
}
