# Only in the prod workspace (tools/deploy/tfcheck.py runs workspace_<name>.tftest.hcl there).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

run "star_origin_is_refused_outside_dev" {
  command = plan

  variables {
    allowed_origins = ["*"]
  }

  expect_failures = [var.allowed_origins]
}
