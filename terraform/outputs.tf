output "environment_name" {
  description = "Environment (= workspace) of this state."
  value       = local.environment
}

output "api_endpoint" {
  description = "Invoke URL including the stage; the frontend calls <this>/api/*."
  value       = module.api.invoke_url
}

output "frontend_env" {
  description = "The line for the frontend's .env file."
  value       = "VITE_API_ENDPOINT=${module.api.invoke_url}"
}

output "function_names" {
  description = "Deployed Lambda name per function key."
  value       = { for key, fn in module.function : key => fn.function_name }
}

output "function_arns" {
  description = "Lambda ARN per function key."
  value       = { for key, fn in module.function : key => fn.function_arn }
}

output "artifacts_bucket_name" {
  description = "Bucket holding the uploaded function and layer zips."
  value       = module.storage.artifacts_bucket_name
}

output "cache_table_name" {
  description = "DynamoDB cache table."
  value       = module.storage.cache_table_name
}

output "dashboard_url" {
  description = "CloudWatch dashboard of this environment, or null when dashboard_enabled is false."
  value       = var.dashboard_enabled ? "https://${var.region}.console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards/dashboard/${local.dashboard_name}" : null
}

output "alarm_topic_arn" {
  description = "SNS topic of this environment's alarms and budget notifications."
  value       = module.monitoring.sns_topic_arn
}

output "budget_name" {
  description = "Monthly cost budget of this environment (scoped to its Environment tag)."
  value       = module.budget.budget_name
}

output "bedrock_inference_profile_arns" {
  description = "Tagged application inference profiles the poet calls, by alias."
  value       = local.bedrock_application_profile_arns
}
