# The workspace and its var-file agree, CORS has one origin, and concurrency is reserved only
# where the var-file asks.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

run "workspace_plans" {
  command = plan

  assert {
    condition     = local.environment == var.environment && local.name_prefix == "${var.project}-${var.environment}"
    error_message = "names follow the workspace"
  }
  assert {
    condition     = module.api.cors_origin == var.allowed_origins[0]
    error_message = "gateway responses carry the environment's origin"
  }
  assert {
    condition     = alltrue([for key in local.exposed_functions : local.function_env[key]["ALLOWED_ORIGINS"] == var.allowed_origins[0]])
    error_message = "every function behind the API allows the environment's origin"
  }
  assert {
    condition     = !contains(keys(local.function_env["analysis"]), "ALLOWED_ORIGINS")
    error_message = "the internal analysis function has no CORS setting"
  }
}

run "var_file_of_another_workspace_stops_the_plan" {
  command = plan

  variables {
    environment     = var.environment == "dev" ? "staging" : "dev"
    allowed_origins = ["https://app.example.com"]
  }

  expect_failures = [terraform_data.guard]
}

run "two_origins_are_refused" {
  command = plan

  variables {
    allowed_origins = ["https://a.example.com", "https://b.example.com"]
  }

  expect_failures = [var.allowed_origins]
}

run "an_origin_with_a_path_is_refused" {
  command = plan

  variables {
    allowed_origins = ["https://app.example.com/poems"]
  }

  expect_failures = [var.allowed_origins]
}

run "zero_reserved_concurrency_is_refused" {
  command = plan

  variables {
    reserved_concurrency = { poetry = 0 }
  }

  expect_failures = [var.reserved_concurrency]
}

run "route_throttling_overrides_one_method_each" {
  command = plan

  assert {
    condition     = length(module.api.route_throttling_method_paths) == length(var.route_throttling)
    error_message = "one method settings override per route_throttling entry"
  }
  assert {
    condition     = module.api.route_throttling_method_paths["GET /api/youtube/audio-with-analysis"] == "api/youtube/audio-with-analysis/GET"
    error_message = "method_path is the resource path without its leading slash, then the method"
  }
  assert {
    condition     = var.route_throttling["GET /api/youtube/audio-with-analysis"].rate_limit < var.throttling_rate_limit
    error_message = "the analysis route (youtube and analysis to their timeouts) is throttled below the stage default"
  }
}

run "route_throttling_for_a_method_the_api_lacks_is_refused" {
  command = plan

  variables {
    route_throttling = { "DELETE /api/youtube/info" = { rate_limit = 1, burst_limit = 1 } }
  }

  expect_failures = [var.route_throttling]
}

run "route_throttling_of_zero_is_refused" {
  command = plan

  variables {
    route_throttling = { "GET /api/youtube/info" = { rate_limit = 0, burst_limit = 1 } }
  }

  expect_failures = [var.route_throttling]
}
