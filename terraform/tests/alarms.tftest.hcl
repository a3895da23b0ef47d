# The alarms per function and who receives them, on a real plan of the workspace.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

run "alarms_per_function" {
  command = plan

  assert {
    condition     = length(module.monitoring.alarm_names) == (var.function_alarms_enabled ? 3 * length(local.functions) : 0) + 2
    error_message = "error rate, p95 duration and throttles per function where enabled, plus the API 5XX rate and the Bedrock spend: got ${length(module.monitoring.alarm_names)}"
  }
  assert {
    condition     = !var.function_alarms_enabled || alltrue([for key, name in local.function_names : length([for alarm in module.monitoring.alarm_names : alarm if strcontains(alarm, name)]) >= 3])
    error_message = "every function has its three alarms"
  }
  assert {
    condition     = var.alarm_email != null && length(var.budget_email_addresses) > 0
    error_message = "environments/${var.environment}.tfvars names an alarm and a budget recipient"
  }
}

run "no_alarm_recipient_stops_the_plan" {
  command = plan

  variables {
    alarm_email = null
  }

  expect_failures = [var.alarm_email]
}

run "no_budget_recipient_stops_the_plan" {
  command = plan

  variables {
    budget_email_addresses = []
  }

  expect_failures = [var.budget_email_addresses]
}
