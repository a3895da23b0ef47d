# Everything derived from the workspace, functions/settings.json, functions/openapi.yaml and
# the build manifest. The monitoring and budget code (issue 9) relies on these names.

# Asked only when account_id is not pinned in the var-file.
data "aws_caller_identity" "current" {
  count = var.account_id == null ? 1 : 0
}

locals {
  environments = ["dev", "staging", "prod"]
  environment  = terraform.workspace
  name_prefix  = "${var.project}-${terraform.workspace}"

  account_id = var.account_id != null ? var.account_id : one(data.aws_caller_identity.current[*].account_id)
  partition  = startswith(var.region, "cn-") ? "aws-cn" : (startswith(var.region, "us-gov-") ? "aws-us-gov" : "aws")

  settings  = jsondecode(file("${path.module}/../functions/settings.json"))
  openapi   = yamldecode(file("${path.module}/../functions/openapi.yaml"))
  functions = local.settings.functions

  # "<METHOD> <path>" of every method that reaches a function: the contract's operations and
  # each path's OPTIONS preflight (modules/api/body.tf); the keys route_throttling accepts.
  api_function_methods = toset(flatten([
    for path, item in local.openapi.paths : [
      for method in distinct(concat(keys(item), ["options"])) : "${upper(method)} ${path}"
      if contains(["get", "put", "post", "delete", "options", "head", "patch"], method)
    ]
  ]))

  function_names    = { for key in keys(local.functions) : key => "${local.name_prefix}-${key}" }
  function_timeouts = { for key, fn in local.functions : key => fn.timeout }
  exposed_functions = [for key, fn in local.functions : key if !try(fn.internal, false)]
  layer_keys        = distinct(flatten([for fn in values(local.functions) : fn.layers]))

  # ARNs are built from names (not module outputs) so they are known at plan time and to
  # the offline tests; module.api takes the names from module.function, which orders creation.
  function_arns = {
    for key, name in local.function_names : key => "arn:${local.partition}:lambda:${var.region}:${local.account_id}:function:${name}"
  }
  function_invoke_arns = {
    for key, arn in local.function_arns : key => "arn:${local.partition}:apigateway:${var.region}:lambda:path/2015-03-31/functions/${arn}/invocations"
  }
  cache_table_name = "${local.name_prefix}-cache"
  cache_table_arn  = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${local.cache_table_name}"

  api_name          = "${local.name_prefix}-api"
  api_stage_name    = var.stage_name
  api_id            = module.api.rest_api_id
  metrics_namespace = local.name_prefix
  dashboard_name    = local.name_prefix

  # Build manifest (`make build`): artifact paths are taken relative to the manifest's
  # directory, or to the repository root when no file is there.
  manifest_path   = var.build_manifest_path != null ? var.build_manifest_path : "${path.module}/../build/dist/manifest.json"
  manifest_exists = fileexists(local.manifest_path)
  manifest        = try(jsondecode(file(local.manifest_path)), { artifacts = {}, functions = {} })
  artifacts = {
    for key, artifact in local.manifest.artifacts : key => merge(artifact, {
      local_path = fileexists("${dirname(local.manifest_path)}/${artifact.path}") ? "${dirname(local.manifest_path)}/${artifact.path}" : "${path.module}/../${artifact.path}"
    })
  }
  missing_artifacts = concat(
    [for key in keys(local.functions) : "function/${key}" if !contains(keys(local.artifacts), "function/${key}")],
    [for key in local.layer_keys : "layer/${key}" if !contains(keys(local.artifacts), "layer/${key}")],
  )

  # The poet's Bedrock grants follow the tagged application profiles (bedrock.tf).
  bedrock_profile_arns = values(local.bedrock_application_profile_arns)
  bedrock_model_arns = distinct(flatten([
    for profile in var.bedrock_inference_profiles : [
      for region in var.bedrock_model_regions :
      "arn:${local.partition}:bedrock:${region}::foundation-model/${replace(profile, "/^[a-z-]+\\./", "")}"
    ]
  ]))

  # IAM grants, one named statement each; function_grants below says who gets which.
  grant_bedrock_profiles = {
    sid        = "BedrockInferenceProfiles"
    actions    = ["bedrock:InvokeModel"]
    resources  = local.bedrock_profile_arns
    conditions = []
  }
  # Models only through the allowed profiles (cross-region routing needs both grants).
  grant_bedrock_models = {
    sid       = "BedrockModelsViaProfiles"
    actions   = ["bedrock:InvokeModel"]
    resources = local.bedrock_model_arns
    conditions = [{
      test     = "StringEquals"
      variable = "bedrock:InferenceProfileArn"
      values   = local.bedrock_profile_arns
    }]
  }
  # Who invokes whom; each target's deployed name also goes into <TARGET>_FUNCTION_NAME.
  function_invokes = {
    youtube = ["analysis"]
  }
  grant_invoke = {
    for key, targets in local.function_invokes : key => {
      sid        = "InvokeFunctions"
      actions    = ["lambda:InvokeFunction"]
      resources  = [for target in targets : local.function_arns[target] if contains(keys(local.functions), target)]
      conditions = []
    }
  }
  # The cache table, each function on its own key prefixes only (dynamodb:LeadingKeys): poetry's
  # spend and per-client counters (functions/poetry/spend.py), youtube's cached analyses
  # (functions/youtube/cache.py KEY_PREFIX). youtube runs yt-dlp on YouTube's JavaScript and
  # must not be able to reset the spend counters.
  cache_key_grants = {
    poetry  = { sid = "PoetryCounters", actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"], prefixes = ["spend#*", "client#*"] }
    youtube = { sid = "CacheTable", actions = ["dynamodb:GetItem", "dynamodb:PutItem"], prefixes = ["video#*"] }
  }
  grant_cache_keys = {
    for key, grant in local.cache_key_grants : key => {
      sid       = grant.sid
      actions   = grant.actions
      resources = [local.cache_table_arn]
      conditions = [{
        test     = "ForAllValues:StringLike"
        variable = "dynamodb:LeadingKeys"
        values   = grant.prefixes
      }]
    }
  }
  # Per function: GetSecretValue on the secrets its tfvars name, and nothing else.
  grant_named_secrets = {
    for key in keys(local.functions) : key => {
      sid     = "NamedSecrets"
      actions = ["secretsmanager:GetSecretValue"]
      # Secrets Manager appends "-" and 6 random characters to every secret's ARN.
      resources = [
        for name in values(lookup(var.function_secrets, key, {})) :
        "arn:${local.partition}:secretsmanager:${var.region}:${local.account_id}:secret:${name}-??????"
      ]
      conditions = []
    }
  }

  # Which function may touch what. Functions not listed get their log group and X-Ray only;
  # entries for functions that settings.json does not define are ignored.
  function_grants = {
    poetry  = [local.grant_bedrock_profiles, local.grant_bedrock_models, local.grant_cache_keys.poetry]
    youtube = [local.grant_invoke.youtube, local.grant_cache_keys.youtube]
  }
  # A statement with no resource (a target not defined, no secret named) is left out.
  policy_statements = {
    for key in keys(local.functions) : key => [
      for grant in concat(lookup(local.function_grants, key, []), [local.grant_named_secrets[key]]) :
      grant if length(grant.resources) > 0
    ]
  }
  granted_sids = {
    for key in keys(local.functions) : key => [for grant in lookup(local.function_grants, key, []) : grant.sid]
  }

  # settings.json `env`, then what Terraform knows (deployed names replace local defaults such
  # as ANALYSIS_FUNCTION_NAME=analysis), then the environment's tfvars on top.
  function_env = {
    for key, fn in local.functions : key => merge(
      { for name, value in try(fn.env, {}) : name => tostring(value) },
      {
        POWERTOOLS_SERVICE_NAME      = key
        POWERTOOLS_METRICS_NAMESPACE = local.metrics_namespace
        DEPLOY_ENVIRONMENT           = local.environment
      },
      { for name, value in { ALLOWED_ORIGINS = join(",", var.allowed_origins) } : name => value if !try(fn.internal, false) },
      { for name, value in { CACHE_TABLE_NAME = local.cache_table_name } : name => value if contains(local.granted_sids[key], "CacheTable") },
      # The poet's allow-list is exactly what IAM grants, so a model the code accepts is never a 403.
      { for name, value in local.poetry_spend_env : name => value if contains(local.granted_sids[key], "BedrockInferenceProfiles") },
      # The functions it may invoke, by deployed name (settings.json says e.g. ANALYSIS_FUNCTION_NAME=analysis).
      {
        for target in lookup(local.function_invokes, key, []) : "${upper(target)}_FUNCTION_NAME" => local.function_names[target]
        if contains(keys(local.functions), target)
      },
      lookup(var.function_secrets, key, {}),
      lookup(var.function_env, key, {}),
    )
  }
}
