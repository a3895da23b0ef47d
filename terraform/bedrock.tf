# Bedrock through application inference profiles: each is a copy of a system cross-region
# profile (var.bedrock_inference_profiles) that carries this stack's Project and Environment
# tags, so Cost Explorer and the environment's budget see the tokens. Calls through the system
# `us.` profiles carry no tags. The poet's IAM grant and ALLOWED_MODELS name these ARNs only.

locals {
  # alias (haiku, sonnet, ...) => system profile id it copies; the alias names the profile.
  bedrock_models = {
    for profile in var.bedrock_inference_profiles : regex("claude-([a-z]+)", profile)[0] => profile
  }
  bedrock_prices = jsondecode(file("${path.module}/../functions/poetry/bedrock_prices.json"))
  # Per alias: list prices of the model behind it (the one table the function and `make cost` use).
  bedrock_alias_prices = {
    for alias, profile in local.bedrock_models : alias => one([
      for spec in values(local.bedrock_prices.models) : spec[local.bedrock_prices.endpoint]
      if spec.model_id == replace(profile, "/^[a-z-]+\\./", "")
    ])
  }
  bedrock_system_profile_arns = {
    for alias, profile in local.bedrock_models :
    alias => "arn:${local.partition}:bedrock:${var.region}:${local.account_id}:inference-profile/${profile}"
  }
  bedrock_application_profile_arns = { for alias, profile in aws_bedrock_inference_profile.this : alias => profile.arn }

  # The poet's settings: what it may call, where each came from (for aliases and prices), its
  # daily cap and per-client limits, and where the counters live (the cache table).
  # A null limit is left out, so the function's own default applies (defined once, in spend.py).
  poetry_spend_env = {
    for name, value in {
      ALLOWED_MODELS                 = join(",", values(local.bedrock_application_profile_arns))
      BEDROCK_PROFILE_SOURCES        = jsonencode({ for alias, arn in local.bedrock_application_profile_arns : arn => local.bedrock_models[alias] })
      POETRY_DAILY_BUDGET_USD        = tostring(var.poetry_daily_budget_usd)
      POETRY_CLIENT_LIMIT_PER_MINUTE = var.poetry_client_limit_per_minute == null ? null : tostring(var.poetry_client_limit_per_minute)
      POETRY_CLIENT_LIMIT_PER_DAY    = var.poetry_client_limit_per_day == null ? null : tostring(var.poetry_client_limit_per_day)
      POETRY_COUNTER_TABLE           = local.cache_table_name
    } : name => value if value != null
  }
}

resource "aws_bedrock_inference_profile" "this" {
  for_each = local.bedrock_models

  name        = "${local.name_prefix}-${each.key}"
  description = "music-poetry ${local.environment}: ${each.value}, tagged for cost allocation"

  model_source {
    copy_from = local.bedrock_system_profile_arns[each.key]
  }

  # default_tags add Project and Environment too; named here so the plan shows them.
  tags = {
    Project     = var.project
    Environment = local.environment
    Model       = each.key
  }

  lifecycle {
    precondition {
      condition     = local.bedrock_alias_prices[each.key] != null
      error_message = "${each.value} has no price in functions/poetry/bedrock_prices.json: the daily spend cap cannot meter it."
    }
  }
}
