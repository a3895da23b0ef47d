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
