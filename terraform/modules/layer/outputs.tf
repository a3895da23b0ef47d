output "layer_arn" {
  description = "ARN of the published layer version (what functions list in `layers`)."
  value       = aws_lambda_layer_version.this.arn
}

output "layer_version" {
  description = "Version number of the published layer."
  value       = aws_lambda_layer_version.this.version
}

output "s3_key" {
  description = "Key of the uploaded zip in the artifacts bucket."
  value       = aws_s3_object.zip.key
}
