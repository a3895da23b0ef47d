# Each function's IAM grants, on a real plan of the workspace (mock provider, no AWS).
# tf-check runs this in every workspace with that workspace's var-file.

mock_provider "aws" {
  # Documents are read at plan time; the mock's random string would not be JSON.
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  # The application profile's ARN is known only after apply; give the plan one.
  mock_resource "aws_bedrock_inference_profile" {
    override_during = plan
    defaults        = { arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/mock" }
  }
}

run "grants_per_function" {
  command = plan

  assert {
    condition     = [for s in local.policy_statements["poetry"] : s.sid] == ["BedrockInferenceProfiles", "BedrockModelsViaProfiles", "PoetryCounters"]
    error_message = "poetry may call Bedrock through the allowed profiles only, got ${jsonencode([for s in local.policy_statements["poetry"] : s.sid])}"
  }
  assert {
    condition     = [for s in local.policy_statements["youtube"] : s.sid] == ["InvokeFunctions", "CacheTable"]
    error_message = "youtube may invoke analysis and use the cache table only, got ${jsonencode([for s in local.policy_statements["youtube"] : s.sid])}"
  }
  assert {
    condition     = local.policy_statements["thumbnail"] == [] && local.policy_statements["analysis"] == []
    error_message = "thumbnail and analysis get their log group and X-Ray only"
  }
  assert {
    condition     = local.policy_statements["youtube"][1].conditions[0].variable == "dynamodb:LeadingKeys" && local.policy_statements["youtube"][1].conditions[0].values == ["video#*"]
    error_message = "youtube reads and writes its own cache keys only, never poetry's spend#/client# counters"
  }
  assert {
    condition     = local.policy_statements["youtube"][0].resources == [local.function_arns["analysis"]]
    error_message = "youtube invokes the analysis function of its own environment only"
  }
  assert {
    condition     = local.function_env["youtube"]["ANALYSIS_FUNCTION_NAME"] == "${var.project}-${var.environment}-analysis"
    error_message = "youtube is told the deployed analysis name"
  }
  assert {
    condition     = alltrue(flatten([for key, statements in local.policy_statements : [for s in statements : !contains(s.resources, "*") && length(s.resources) > 0]]))
    error_message = "no grant on resource * and no grant without a resource"
  }
  assert {
    condition     = sort(split(",", local.function_env["poetry"]["ALLOWED_MODELS"])) == sort(values(local.bedrock_application_profile_arns))
    error_message = "the poet's ALLOWED_MODELS must be exactly the profiles IAM grants"
  }
  assert {
    condition     = alltrue([for arn in local.policy_statements["poetry"][0].resources : startswith(arn, "arn:${local.partition}:bedrock:${var.region}:${var.account_id}:application-inference-profile/")])
    error_message = "Bedrock profile ARNs name this partition, region and account"
  }
}

run "named_secrets_only_for_their_function" {
  command = plan

  variables {
    function_secrets = { youtube = { YOUTUBE_COOKIES_SECRET = "music-poetry/test/cookies" } }
  }

  assert {
    condition     = [for s in local.policy_statements["youtube"] : s.sid] == ["InvokeFunctions", "CacheTable", "NamedSecrets"]
    error_message = "youtube gets GetSecretValue when its tfvars name a secret"
  }
  assert {
    condition     = local.policy_statements["youtube"][2].resources == ["arn:${local.partition}:secretsmanager:${var.region}:${var.account_id}:secret:music-poetry/test/cookies-??????"]
    error_message = "GetSecretValue on that secret only (Secrets Manager's 6-character suffix)"
  }
  assert {
    condition     = !contains([for s in local.policy_statements["poetry"] : s.sid], "NamedSecrets")
    error_message = "another function's secret is not poetry's"
  }
}

run "partition_follows_the_region" {
  command = plan

  variables {
    region                = "cn-north-1"
    bedrock_model_regions = ["cn-north-1"]
  }

  assert {
    condition     = alltrue([for arn in values(local.function_arns) : startswith(arn, "arn:aws-cn:lambda:cn-north-1:")])
    error_message = "ARNs in China regions use the aws-cn partition"
  }
}
