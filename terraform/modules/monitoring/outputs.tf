output "sns_topic_arn" {
  description = "ARN of the topic every alarm (and the budget) notifies."
  value       = aws_sns_topic.alarms.arn
}

output "sns_topic_name" {
  description = "Name of the alarm topic."
  value       = aws_sns_topic.alarms.name
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard, or null when dashboard_enabled is false."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}

output "dashboard_arn" {
  description = "ARN of the CloudWatch dashboard, or null when dashboard_enabled is false."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_arn)
}

output "alarm_names" {
  description = "Names of every alarm: per function error rate, p95 duration and throttles (when enabled), the API 5XX rate and the Bedrock spend in one hour."
  value = concat(
    [for alarm in aws_cloudwatch_metric_alarm.error_rate : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.duration_p95 : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.throttles : alarm.alarm_name],
    [aws_cloudwatch_metric_alarm.api_5xx_rate.alarm_name],
    aws_cloudwatch_metric_alarm.bedrock_spend[*].alarm_name,
  )
}

output "query_definition_name" {
  description = "Saved Logs Insights query listing recent errors of every function."
  value       = aws_cloudwatch_query_definition.recent_errors.name
}
