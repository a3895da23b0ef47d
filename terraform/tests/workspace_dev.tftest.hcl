# Only in the dev workspace (tools/deploy/tfcheck.py runs workspace_<name>.tftest.hcl there).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

run "dev_reserves_no_concurrency" {
  command = plan

  assert {
    condition     = var.default_reserved_concurrency == null && length(var.reserved_concurrency) == 0
    error_message = "dev must fit a new account (quota 10, 100 kept unreserved): reserve nothing"
  }
  assert {
    condition     = var.allowed_origins[0] == "*"
    error_message = "dev allows any origin, for local frontends"
  }
}
