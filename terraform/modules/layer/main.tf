# One layer: the zip goes to S3 under a content-addressed key, and a layer version is
# published from that exact object version. A new zip publishes a new layer version.

resource "aws_s3_object" "zip" {
  bucket             = var.bucket
  key                = "layers/${var.layer_name}/${var.sha256}.zip"
  source             = var.source_path
  source_hash        = var.sha256
  checksum_algorithm = "SHA256"
  content_type       = "application/zip"
}

resource "aws_lambda_layer_version" "this" {
  layer_name               = var.layer_name
  description              = var.description
  s3_bucket                = aws_s3_object.zip.bucket
  s3_key                   = aws_s3_object.zip.key
  s3_object_version        = aws_s3_object.zip.version_id
  source_code_hash         = var.sha256_base64
  compatible_runtimes      = var.compatible_runtimes
  compatible_architectures = var.compatible_architectures
}
