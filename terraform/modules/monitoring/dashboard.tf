# The dashboard: 3.00 USD a month at list price (the account's first three are free), so it is
# opt-in per environment (dashboard_enabled). Only free built-in metrics are drawn.

locals {
  period = 300 # seconds per dashboard datapoint

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
        "API 5XX rate > ${var.api_5xx_rate_threshold_percent} %; Bedrock spend in one hour >= ${var.bedrock_spend_alarm_usd} USD. ",
        "Every widget reads free built-in metrics; the one custom metric (YouTubeFailure by reason) is in namespace `${var.metrics_namespace}`.",
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

  bedrock_y = 8 + 6 * length(local.function_keys)

  bedrock_widgets = [
    for j, alias in sort(keys(var.bedrock_profiles)) : {
      type   = "metric"
      x      = (j % 2) * 12
      y      = local.bedrock_y + 6 * floor(j / 2)
      width  = 12
      height = 6
      properties = {
        title   = "Bedrock ${alias}: tokens and invocations (application profile)"
        region  = var.region
        view    = "timeSeries"
        stacked = false
        period  = local.period
        metrics = [
          for name in ["InputTokenCount", "OutputTokenCount", "Invocations", "InvocationThrottles"] :
          ["AWS/Bedrock", name, "ModelId", var.bedrock_profiles[alias].arn, { stat = "Sum", label = name }]
        ]
      }
    }
  ]

  logs_widget = {
    type   = "log"
    x      = 0
    y      = local.bedrock_y + 6 * ceil(length(var.bedrock_profiles) / 2)
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
    widgets = concat([local.header_widget], local.api_widgets, local.function_widgets, local.bedrock_widgets, [local.logs_widget])
  })
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.dashboard_enabled ? 1 : 0

  dashboard_name = var.dashboard_name
  dashboard_body = local.dashboard_body
}
