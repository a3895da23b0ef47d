resource "aws_api_gateway_rest_api" "this" {
  name               = var.name
  description        = var.description
  body               = local.body
  binary_media_types = local.binary_media_types
  put_rest_api_mode  = "overwrite"

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = alltrue([for op in local.operations : contains(keys(var.function_invoke_arns), op.function)])
      error_message = "Every operation in functions/openapi.yaml must name (x-function) a function in settings.json that is not internal."
    }
  }
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "Body ${sha1(local.body)}"

  # A new deployment whenever the body changes; the stage then points at it.
  triggers = {
    redeployment = sha1(local.body)
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_158:CloudWatch encrypts logs at rest already; access logs carry no secrets, so no customer key
  #checkov:skip=CKV_AWS_338:Retention is set per environment (see environments/*.tfvars) to bound cost; a year is not needed
  name              = "/aws/apigateway/${var.name}/${var.stage_name}/access"
  retention_in_days = var.log_retention_days
}

# API Gateway creates this group itself on first use, with no retention; owning it sets one.
resource "aws_cloudwatch_log_group" "execution" {
  #checkov:skip=CKV_AWS_158:CloudWatch encrypts logs at rest already; execution logs at ERROR level carry no secrets
  #checkov:skip=CKV_AWS_338:Retention is set per environment (see environments/*.tfvars) to bound cost; a year is not needed
  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.this.id}/${var.stage_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:Every answer is computed per request (poems, analyses); a stage cache would cost money and serve nothing
  #checkov:skip=CKV2_AWS_51:A public browser API: clients cannot present certificates; the backend is Lambda, not an HTTP server
  #checkov:skip=CKV2_AWS_29:No WAF: per-environment throttling and reserved concurrency cap traffic and cost for this API
  #checkov:skip=CKV2_AWS_4:logging_level ERROR is always set (method_settings.all); per-method metrics are off outside prod on purpose, for cost (api_detailed_metrics)
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      extendedRequestId  = "$context.extendedRequestId"
      requestTime        = "$context.requestTime"
      ip                 = "$context.identity.sourceIp"
      userAgent          = "$context.identity.userAgent"
      httpMethod         = "$context.httpMethod"
      resourcePath       = "$context.resourcePath"
      path               = "$context.path"
      status             = "$context.status"
      protocol           = "$context.protocol"
      responseLength     = "$context.responseLength"
      responseLatency    = "$context.responseLatency"
      integrationLatency = "$context.integration.latency"
      integrationStatus  = "$context.integration.status"
      errorType          = "$context.error.responseType"
      errorMessage       = "$context.error.message"
      xrayTraceId        = "$context.xrayTraceId"
    })
  }

  # Stage logging needs API Gateway's account-wide CloudWatch role, which terraform/bootstrap
  # sets (make preflight checks it); without it the stage fails with "CloudWatch Logs role
  # ARN must be set in account settings to enable logging".
  depends_on = [aws_cloudwatch_log_group.execution]
}

resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:Caching is off on purpose (see the stage): answers are per request
  #checkov:skip=CKV_AWS_308:Caching is off, so there is no cache to encrypt
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = var.detailed_metrics
    logging_level          = "ERROR"
    data_trace_enabled     = false
    caching_enabled        = false
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }
}

# Per-method throttling overrides. API Gateway gives every method its own token bucket: the
# "*/*" settings above are each method's default, not a shared stage budget ("Per-API,
# per-stage throttling limits are applied at the API method level", AWS docs, "Throttle
# requests to your REST APIs"). An override sets one method's settings; it repeats the "all"
# settings so that only the throttle differs.
resource "aws_api_gateway_method_settings" "route" {
  #checkov:skip=CKV_AWS_225:Caching is off on purpose (see the stage): answers are per request
  #checkov:skip=CKV_AWS_308:Caching is off, so there is no cache to encrypt
  for_each = var.route_throttling

  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  # "<resource path without its leading slash>/<METHOD>", e.g. api/youtube/info/GET.
  method_path = "${trimprefix(split(" ", each.key)[1], "/")}/${split(" ", each.key)[0]}"

  settings {
    metrics_enabled        = var.detailed_metrics
    logging_level          = "ERROR"
    data_trace_enabled     = false
    caching_enabled        = false
    throttling_rate_limit  = each.value.rate_limit
    throttling_burst_limit = each.value.burst_limit
  }

  # The "all" settings first, so the override is applied on top of the stage default.
  depends_on = [aws_api_gateway_method_settings.all]

  lifecycle {
    precondition {
      condition     = contains(keys(local.permissions), each.key)
      error_message = "route_throttling key \"${each.key}\" names no method that reaches a function; use \"<METHOD> <path>\" of functions/openapi.yaml (or OPTIONS <path>): ${join(", ", sort(keys(local.permissions)))}."
    }
  }
}

# Invoke permissions, one per operation (and per path for OPTIONS), each scoped to this
# API's execution ARN, the stage, the method and the path ({param} becomes *).
locals {
  permissions = merge(
    { for op in local.operations : op.key => { function = op.function, method = upper(op.method), path = op.path } },
    {
      for path, fn in local.path_function : "OPTIONS ${path}" => { function = fn, method = "OPTIONS", path = path }
      if !contains(keys(local.contract_paths[path]), "options")
    }
  )
}

resource "aws_lambda_permission" "invoke" {
  for_each = local.permissions

  statement_id  = "ApiGateway-${each.value.method}-${substr(sha1(each.value.path), 0, 12)}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_names[each.value.function]
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/${each.value.method}${replace(each.value.path, "/\\{[^}]+\\}/", "*")}"
}
