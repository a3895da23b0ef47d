output "function_name" {
  description = "Deployed function name."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "Function ARN."
  value       = aws_lambda_function.this.arn
}

output "function_invoke_arn" {
  description = "ARN API Gateway uses as the integration URI."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_arn" {
  description = "ARN of the function's own execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the function's own execution role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}
