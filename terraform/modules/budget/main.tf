# A monthly cost budget for one environment's tagged resources (its Environment tag, which the
# provider's default_tags and the Bedrock application profiles carry), with an early warning on
# actual spend and one on AWS's forecast for the month. The tag filters costs only once it is
# activated for cost allocation: terraform/bootstrap does that, account-wide.

locals {
  # Cost Explorer names user-defined tags "user:<key>" and joins key and value with "$".
  tag_filter = format("user:%s$%s", var.cost_allocation_tag_key, var.cost_allocation_tag_value)
}

resource "aws_budgets_budget" "this" {
  name         = var.name
  budget_type  = "COST"
  limit_amount = tostring(var.limit_amount)
  limit_unit   = var.limit_unit
  time_unit    = "MONTHLY"

  cost_filter {
    name   = "TagKeyValue"
    values = [local.tag_filter]
  }

  # Gross usage: credits and refunds would hide what the project really runs up.
  cost_types {
    include_credit = false
    include_refund = false
  }

  notification {
    notification_type          = "ACTUAL"
    comparison_operator        = "GREATER_THAN"
    threshold                  = var.actual_threshold_percent
    threshold_type             = "PERCENTAGE"
    subscriber_sns_topic_arns  = var.sns_topic_arn == null ? [] : [var.sns_topic_arn]
    subscriber_email_addresses = var.email_addresses
  }

  notification {
    notification_type          = "FORECASTED"
    comparison_operator        = "GREATER_THAN"
    threshold                  = var.forecasted_threshold_percent
    threshold_type             = "PERCENTAGE"
    subscriber_sns_topic_arns  = var.sns_topic_arn == null ? [] : [var.sns_topic_arn]
    subscriber_email_addresses = var.email_addresses
  }

  lifecycle {
    precondition {
      condition     = var.sns_topic_arn != null || length(var.email_addresses) > 0
      error_message = "A budget notification needs a subscriber: set sns_topic_arn or email_addresses."
    }
  }
}
