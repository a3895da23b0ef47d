output "budget_name" {
  description = "Name of the monthly cost budget."
  value       = aws_budgets_budget.this.name
}

output "budget_arn" {
  description = "ARN of the monthly cost budget."
  value       = aws_budgets_budget.this.arn
}

output "budget_cost_filter" {
  description = "The budget's TagKeyValue filter, e.g. user:Environment$prod."
  value       = local.tag_filter
}
