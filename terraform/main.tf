# Root of the music-poetry stack. One workspace per environment: `terraform workspace
# select dev` + `-var-file=environments/dev.tfvars` (make plan/deploy ENV=dev does both).

# Fails the plan before anything is created when the workspace, var-file or build disagree.
resource "terraform_data" "guard" {
  input = local.environment

  lifecycle {
    precondition {
      condition     = contains(local.environments, terraform.workspace)
      error_message = "Workspace \"${terraform.workspace}\" is not an environment. Select dev, staging or prod (make plan ENV=dev does it for you)."
    }
    precondition {
      condition     = var.environment == terraform.workspace
      error_message = "environments/${var.environment}.tfvars was passed in workspace \"${terraform.workspace}\"; use the var-file of the selected workspace."
    }
    precondition {
      condition     = local.manifest_exists
      error_message = "No build manifest at ${local.manifest_path}: run `make build` first."
    }
    precondition {
      condition     = length(local.missing_artifacts) == 0
      error_message = "The build manifest lacks ${join(", ", local.missing_artifacts)}: run `make build` again."
    }
    precondition {
      condition     = alltrue([for key in local.exposed_functions : local.function_timeouts[key] < 29])
      error_message = "Functions behind the API must time out under API Gateway's 29 s integration limit (settings.json `timeout`)."
    }
  }
}

module "storage" {
  source = "./modules/storage"

  name_prefix      = local.name_prefix
  cache_table_name = local.cache_table_name
  force_destroy    = var.artifacts_force_destroy
}

module "layer" {
  source   = "./modules/layer"
  for_each = toset(local.layer_keys)

  layer_name               = "${local.name_prefix}-${each.key}"
  description              = "${each.key} layer (${local.settings.runtime}, ${local.settings.architecture})"
  bucket                   = module.storage.artifacts_bucket_name
  source_path              = try(local.artifacts["layer/${each.key}"].local_path, "")
  sha256                   = try(local.artifacts["layer/${each.key}"].sha256, "")
  sha256_base64            = try(local.artifacts["layer/${each.key}"].sha256_base64, "")
  compatible_runtimes      = [local.settings.runtime]
  compatible_architectures = [local.settings.architecture]
}

module "function" {
  source   = "./modules/lambda_function"
  for_each = local.functions

  function_name        = local.function_names[each.key]
  description          = "${each.key} (${local.environment})"
  handler              = each.value.handler
  runtime              = local.settings.runtime
  architecture         = local.settings.architecture
  memory_size          = each.value.memory
  timeout              = each.value.timeout
  layers               = [for layer in each.value.layers : module.layer[layer].layer_arn]
  environment          = local.function_env[each.key]
  bucket               = module.storage.artifacts_bucket_name
  source_path          = try(local.artifacts["function/${each.key}"].local_path, "")
  sha256               = try(local.artifacts["function/${each.key}"].sha256, "")
  sha256_base64        = try(local.artifacts["function/${each.key}"].sha256_base64, "")
  log_retention_days   = var.log_retention_days
  log_level            = var.log_level
  reserved_concurrency = lookup(var.reserved_concurrency, each.key, var.default_reserved_concurrency) # null: none
  policy_statements    = local.policy_statements[each.key]
}

module "api" {
  source = "./modules/api"

  name        = local.api_name
  description = "music-poetry API (${local.environment}), built from functions/openapi.yaml"
  openapi     = local.openapi
  # The body's integration URIs are built from names, so the body is known at plan time;
  # the invoke permissions take the functions' names from the module outputs, which makes
  # each permission wait for its function (no module-level depends_on, which would defer
  # every read in module.api to apply time).
  function_invoke_arns   = { for key in local.exposed_functions : key => local.function_invoke_arns[key] }
  function_names         = { for key in local.exposed_functions : key => module.function[key].function_name }
  stage_name             = local.api_stage_name
  cors_origin            = var.allowed_origins[0] # exactly one (variables.tf)
  throttling_rate_limit  = var.throttling_rate_limit
  detailed_metrics       = var.api_detailed_metrics
  throttling_burst_limit = var.throttling_burst_limit
  route_throttling       = var.route_throttling
  log_retention_days     = var.log_retention_days
}
