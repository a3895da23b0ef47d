# One dashboard, the alarms and their SNS topic for one environment. The dashboard body is
# computed from the inputs alone (no resource attributes), so tests can render it offline with
# tfparse and send exactly that body to CloudWatch's PutDashboard (moto).

locals {
  function_keys = sort(keys(var.functions))
  log_groups    = [for key in local.function_keys : "/aws/lambda/${var.functions[key].name}"]
  period        = 300 # seconds per dashboard datapoint

  catalog        = jsondecode(file("${path.module}/custom_metrics.json"))
  custom_widgets = [for widget in local.catalog.widgets : widget if contains(local.function_keys, widget.service)]

  duration_thresholds_ms = {
    for key, fn in var.functions : key => fn.timeout * 1000 * var.duration_threshold_percent_of_timeout / 100
  }

  # Powertools writes level ERROR/CRITICAL; the python runtime's JSON log format reports an
  # unhandled exception with errorType; the platform report of a timed-out or crashed run has
  # record.status "timeout" or "error".
  errors_query = join("\n| ", [
    "fields @timestamp, @log, level, service, correlation_id, message, exception_name, errorType, record.status",
    "filter level in [\"ERROR\", \"CRITICAL\"] or ispresent(errorType) or record.status in [\"error\", \"timeout\"]",
    "sort @timestamp desc",
    "limit 50",
  ])

  api_dimensions = ["ApiName", var.api_name, "Stage", var.api_stage_name]

  header_widget = {
    type   = "text"
    x      = 0
    y      = 0
    width  = 24
    height = 2
    properties = {
      markdown = join("", [
        "## ${var.name_prefix} (${var.environment})\n",
        "Alarms go to SNS topic `${var.name_prefix}-alarms`: error rate > ${var.error_rate_threshold_percent} % per function, ",
        "p95 duration > ${var.duration_threshold_percent_of_timeout} % of the function's timeout, throttles > ${var.throttles_threshold}, ",
        "API 5XX rate > ${var.api_5xx_rate_threshold_percent} %. Custom metrics are in namespace `${var.metrics_namespace}`.",
      ])
    }
  }

  api_widgets = [
    {
      type   = "metric"
      x      = 0
      y      = 2
      width  = 8
      height = 6
      properties = {
        title   = "API: requests (Count)"
        region  = var.region
        view    = "timeSeries"
        stacked = false
        period  = local.period
        metrics = [concat(["AWS/ApiGateway", "Count"], local.api_dimensions, [{ stat = "Sum", label = "Count" }])]
      }
    },
    {
      type   = "metric"
      x      = 8
      y      = 2
      width  = 8
      height = 6
      properties = {
        title   = "API: 4XXError and 5XXError"
        region  = var.region
        view    = "timeSeries"
        stacked = false
        period  = local.period
        metrics = [
          concat(["AWS/ApiGateway", "4XXError"], local.api_dimensions, [{ stat = "Sum", label = "4XXError", id = "client" }]),
          concat(["AWS/ApiGateway", "5XXError"], local.api_dimensions, [{ stat = "Sum", label = "5XXError", id = "server" }]),
          concat(["AWS/ApiGateway", "Count"], local.api_dimensions, [{ stat = "Sum", id = "requests", visible = false }]),
          [{ expression = "100 * server / requests", label = "5XX rate (%)", id = "server_rate", yAxis = "right" }],
        ]
      }
    },
    {
      type   = "metric"
      x      = 16
      y      = 2
      width  = 8
      height = 6
      properties = {
        title   = "API: Latency (ms)"
        region  = var.region
        view    = "timeSeries"
        stacked = false
        period  = local.period
        metrics = [
          for stat in ["p50", "p95", "p99"] :
          concat(["AWS/ApiGateway", "Latency"], local.api_dimensions, [{ stat = stat, label = "Latency ${stat}" }])
        ]
      }
    },
  ]

  function_widgets = flatten([
    for i, key in local.function_keys : [
      {
        type   = "metric"
        x      = 0
        y      = 8 + 6 * i
        width  = 6
        height = 6
        properties = {
          title   = "${key}: invocations and errors"
          region  = var.region
          view    = "timeSeries"
          stacked = false
          period  = local.period
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", var.functions[key].name, { stat = "Sum", label = "Invocations", id = "invocations" }],
            ["AWS/Lambda", "Errors", "FunctionName", var.functions[key].name, { stat = "Sum", label = "Errors", id = "errors" }],
            [{ expression = "100 * errors / invocations", label = "Error rate (%)", id = "error_rate", yAxis = "right" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 6
        y      = 8 + 6 * i
        width  = 6
        height = 6
        properties = {
          title   = "${key}: Duration (ms), timeout ${var.functions[key].timeout} s"
          region  = var.region
          view    = "timeSeries"
          stacked = false
          period  = local.period
          metrics = [
            for stat in ["p50", "p95", "p99"] :
            ["AWS/Lambda", "Duration", "FunctionName", var.functions[key].name, { stat = stat, label = "Duration ${stat}" }]
          ]
          annotations = {
            horizontal = [{ label = "p95 alarm", value = local.duration_thresholds_ms[key] }]
          }
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 8 + 6 * i
        width  = 6
        height = 6
        properties = {
          title   = "${key}: Throttles"
          region  = var.region
          view    = "timeSeries"
          stacked = false
          period  = local.period
          metrics = [["AWS/Lambda", "Throttles", "FunctionName", var.functions[key].name, { stat = "Sum", label = "Throttles" }]]
        }
      },
      {
        type   = "metric"
        x      = 18
        y      = 8 + 6 * i
        width  = 6
        height = 6
        properties = {
          title   = "${key}: ConcurrentExecutions"
          region  = var.region
          view    = "timeSeries"
          stacked = false
          period  = local.period
          metrics = [["AWS/Lambda", "ConcurrentExecutions", "FunctionName", var.functions[key].name, { stat = "Maximum", label = "ConcurrentExecutions" }]]
        }
      },
    ]
  ])

  custom_y = 8 + 6 * length(local.function_keys)

  # Plain widgets: one line per metric and statistic. split_by widgets: one SEARCH expression per
  # metric, which draws one line per value of that dimension (e.g. each YouTubeFailure reason).
  custom_metric_widgets = [
    for j, widget in local.custom_widgets : {
      type   = "metric"
      x      = (j % 3) * 8
      y      = local.custom_y + 6 * floor(j / 3)
      width  = 8
      height = 6
      properties = {
        title   = widget.title
        region  = var.region
        view    = "timeSeries"
        stacked = false
        period  = local.period
        metrics = concat(
          [
            for pair in setproduct(widget.metrics, widget.stats) :
            [var.metrics_namespace, pair[0], "service", widget.service, { stat = pair[1], label = "${pair[0]} ${pair[1]}" }]
            if widget.split_by == ""
          ],
          [
            for k, metric in widget.metrics : [{
              id         = "search${k}"
              expression = "SEARCH('{\"${var.metrics_namespace}\",${widget.split_by},service} MetricName=\"${metric}\" service=\"${widget.service}\"', '${widget.stats[0]}', ${local.period})"
              label      = "$${PROP('Dim.${widget.split_by}')}"
            }]
            if widget.split_by != ""
          ],
        )
      }
    }
  ]

  logs_widget = {
    type   = "log"
    x      = 0
    y      = local.custom_y + 6 * ceil(length(local.custom_widgets) / 3)
    width  = 24
    height = 8
    properties = {
      title  = "Recent errors (all functions)"
      region = var.region
      view   = "table"
      query  = join(" | ", concat([for group in local.log_groups : "SOURCE '${group}'"], [local.errors_query]))
    }
  }

  dashboard_body = jsonencode({
    start   = "-PT24H"
    widgets = concat([local.header_widget], local.api_widgets, local.function_widgets, local.custom_metric_widgets, [local.logs_widget])
  })
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.dashboard_name
  dashboard_body = local.dashboard_body
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

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }

  # AWS Budgets needs an explicit grant to publish to a topic.
  statement {
    sid       = "BudgetsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["budgets.amazonaws.com"]
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

# Lambda's Errors counts crashes and timeouts, not the 4xx/5xx JSON our handlers return
# (those show in the API's 5XX rate below).
resource "aws_cloudwatch_metric_alarm" "error_rate" {
  for_each = var.functions

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
  for_each = var.functions

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
  for_each = var.functions

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
