output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "api_name" {
  description = "Name of the REST API (CloudWatch's ApiName dimension)."
  value       = aws_api_gateway_rest_api.this.name
}

output "execution_arn" {
  description = "Execution ARN of the REST API (prefix of every invoke permission's source ARN)."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Deployed stage name."
  value       = aws_api_gateway_stage.this.stage_name
}

output "invoke_url" {
  description = "Invoke URL including the stage, e.g. https://<id>.execute-api.<region>.amazonaws.com/Prod."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "access_log_group_name" {
  description = "Log group receiving the JSON access logs."
  value       = aws_cloudwatch_log_group.access.name
}

output "body_sha1" {
  description = "SHA-1 of the REST API body (the redeployment trigger)."
  value       = sha1(local.body)
}

output "cors_origin" {
  description = "Access-Control-Allow-Origin on the answers API Gateway writes itself (gateway responses, 404 and 405 mocks)."
  value       = var.cors_origin
}

output "route_throttling_method_paths" {
  description = "method_path of each per-method throttling override, by its \"<METHOD> <path>\" key (e.g. api/youtube/info/GET)."
  value       = { for key, settings in aws_api_gateway_method_settings.route : key => settings.method_path }
}
