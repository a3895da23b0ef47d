output "state_bucket_name" {
  description = "Terraform state bucket of every environment (the `bucket` of terraform/backend.hcl)."
  value       = module.state_bucket.versioned_bucket_name
}

output "backend_hcl" {
  description = "Contents for terraform/backend.hcl (`make bootstrap` writes it when the file is missing)."
  value       = <<-EOT
    bucket       = "${module.state_bucket.versioned_bucket_name}"
    key          = "${var.project}/terraform.tfstate"
    region       = "${var.region}"
    encrypt      = true
    use_lockfile = true
  EOT
}

output "apigateway_cloudwatch_role_arn" {
  description = "Role API Gateway logs through in this account and region."
  value       = aws_iam_role.apigateway_cloudwatch.arn
}

output "cost_allocation_tags" {
  description = "Tag keys activated for cost allocation (empty until activate_cost_allocation_tags = true)."
  value       = sort(keys(aws_ce_cost_allocation_tag.this))
}
