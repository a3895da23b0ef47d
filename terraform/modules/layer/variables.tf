variable "layer_name" {
  description = "Name of the layer, e.g. music-poetry-dev-common."
  type        = string
}

variable "bucket" {
  description = "Artifacts bucket the zip is uploaded to."
  type        = string
}

variable "source_path" {
  description = "Local path of the layer zip written by `make build`."
  type        = string
}

variable "sha256" {
  description = "Hex SHA-256 of the zip, from the build manifest; names the S3 key."
  type        = string
}

variable "sha256_base64" {
  description = "Base64 SHA-256 of the zip, from the build manifest (Lambda's CodeSha256)."
  type        = string
}

variable "compatible_runtimes" {
  description = "Runtimes the layer is built for, e.g. [\"python3.12\"]."
  type        = list(string)
}

variable "compatible_architectures" {
  description = "Architectures the layer is built for, e.g. [\"x86_64\"]."
  type        = list(string)
}

variable "description" {
  description = "Layer version description."
  type        = string
  default     = ""
}
