# The REST API body: the contract's paths with an integration per operation, plus what
# API Gateway needs to answer like the local API (functions/local_api/server.py).
#
# Routing facts this relies on (API Gateway REST, v1):
# - Routing is on the (resource, method) pair. A request whose method a resource lacks
#   falls through to a less specific `{proxy+}` sibling instead of failing (measured on
#   real AWS by the ministack and floci emulator projects; AWS docs: "a method request
#   against a specific resource takes precedence over ... a generic resource"). So a
#   MISSING_AUTHENTICATION_TOKEN -> 405 mapping would never fire for wrong methods next
#   to a root `/{proxy+}`. Instead each contract path gets an ANY mock answering 405 (a
#   defined method still wins over ANY on the same resource), and `/{proxy+}` plus `/`
#   get an ANY mock answering 404.
# - OPTIONS goes to the path's function: the Powertools resolver answers CORS preflight,
#   as the local API does.
# - Gateway responses live in the body (x-amazon-apigateway-gateway-responses): the
#   provider's PutRestApi "overwrite" drops responses created as separate resources.
# - Request/response schemas are left out: the functions validate against the same
#   contract, and API Gateway's model import has gaps ($ref to components/responses).

locals {
  http_methods        = ["get", "put", "post", "delete", "options", "head", "patch"]
  contract_paths      = var.openapi.paths
  component_params    = try(var.openapi.components.parameters, {})
  component_responses = try(var.openapi.components.responses, {})
  binary_media_types  = try(var.openapi["x-amazon-apigateway-binary-media-types"], [])
  cors_header         = "'${var.cors_origin}'"

  operations = flatten([
    for path, item in local.contract_paths : [
      for method, op in item : {
        key      = "${upper(method)} ${path}"
        path     = path
        method   = method
        function = op["x-function"]
      } if contains(local.http_methods, method)
    ]
  ])

  # The function that answers OPTIONS for each path: the path's first operation's.
  path_function = {
    for path, item in local.contract_paths : path => [
      for method, op in item : op["x-function"] if contains(local.http_methods, method)
    ][0]
  }

  # Path template variables ({id}, {proxy+}) as OpenAPI path parameters.
  path_params = {
    for path in concat(keys(local.contract_paths), ["/{proxy+}"]) : path => [
      for name in flatten(regexall("\\{([^}+]+)\\+?\\}", path)) :
      { name = name, in = "path", required = true, schema = { type = "string" } }
    ]
  }

  lambda_integration = {
    for fn, arn in var.function_invoke_arns : fn => {
      type                = "aws_proxy"
      httpMethod          = "POST"
      uri                 = arn
      passthroughBehavior = "when_no_match"
      timeoutInMillis     = var.integration_timeout_ms
    }
  }

  mock_answers = {
    "404" = { error = "Not found", details = "No route matches this path" }
    "405" = { error = "Method not allowed", details = "This path does not support the request's method" }
  }

  mock_operation = {
    for status, answer in local.mock_answers : status => {
      summary = "API Gateway answers ${status} itself (${answer.error})."
      responses = {
        (status) = {
          description = answer.error
          headers     = { "Access-Control-Allow-Origin" = { schema = { type = "string" } } }
        }
      }
      "x-amazon-apigateway-integration" = {
        type                = "mock"
        passthroughBehavior = "when_no_match"
        requestTemplates    = { "application/json" = "{\"statusCode\": 200}" }
        responses = {
          default = {
            statusCode         = status
            responseParameters = { "method.response.header.Access-Control-Allow-Origin" = local.cors_header }
            responseTemplates  = { "application/json" = jsonencode(answer) }
          }
        }
      }
    }
  }

  gateway_cors = { "gatewayresponse.header.Access-Control-Allow-Origin" = local.cors_header }
  gateway_error_template = {
    "application/json" = "{\"error\": $context.error.messageString, \"details\": \"$context.error.responseType (request $context.requestId)\"}"
  }

  gateway_responses = {
    DEFAULT_4XX = { responseParameters = local.gateway_cors, responseTemplates = local.gateway_error_template }
    DEFAULT_5XX = { responseParameters = local.gateway_cors, responseTemplates = local.gateway_error_template }
    INTEGRATION_TIMEOUT = {
      statusCode         = "504"
      responseParameters = local.gateway_cors
      responseTemplates = {
        "application/json" = "{\"error\": \"Endpoint request timed out\", \"details\": \"The function did not answer within ${floor(var.integration_timeout_ms / 1000)} s (request $context.requestId)\"}"
      }
    }
    # Only "/" without a method could still reach this, and "/" has an ANY mock: a safety net.
    MISSING_AUTHENTICATION_TOKEN = {
      statusCode         = "404"
      responseParameters = local.gateway_cors
      responseTemplates  = { "application/json" = jsonencode(local.mock_answers["404"]) }
    }
  }

  contract_operations = {
    for path, item in local.contract_paths : path => {
      for method, op in item : method => merge(
        { for k, v in op : k => v if contains(["operationId", "summary", "description", "tags"], k) },
        {
          parameters = [
            for p in concat(try(item.parameters, []), try(op.parameters, [])) : {
              name     = try(local.component_params[reverse(split("/", p["$ref"]))[0]], p).name
              in       = try(local.component_params[reverse(split("/", p["$ref"]))[0]], p).in
              required = try(try(local.component_params[reverse(split("/", p["$ref"]))[0]], p).required, false)
              schema   = { type = try(try(local.component_params[reverse(split("/", p["$ref"]))[0]], p).schema.type, "string") }
            }
          ]
          responses = {
            for code, response in op.responses : code => {
              description = try(response.description, local.component_responses[reverse(split("/", response["$ref"]))[0]].description, "See functions/openapi.yaml")
            }
          }
          "x-amazon-apigateway-integration" = local.lambda_integration[op["x-function"]]
        }
      ) if contains(local.http_methods, method)
    }
  }

  generated_operations = {
    for path, item in local.contract_paths : path => merge(
      {
        for method, op in {
          options = {
            summary                           = "CORS preflight, answered by the path's function."
            parameters                        = local.path_params[path]
            responses                         = { "200" = { description = "CORS preflight answer" } }
            "x-amazon-apigateway-integration" = local.lambda_integration[local.path_function[path]]
          }
        } : method => op if !contains(keys(item), "options")
      },
      { "x-amazon-apigateway-any-method" = merge(local.mock_operation["405"], { parameters = local.path_params[path] }) }
    )
  }

  body_paths = merge(
    {
      "/"         = { "x-amazon-apigateway-any-method" = local.mock_operation["404"] }
      "/{proxy+}" = { "x-amazon-apigateway-any-method" = merge(local.mock_operation["404"], { parameters = local.path_params["/{proxy+}"] }) }
    },
    { for path in keys(local.contract_paths) : path => merge(local.generated_operations[path], local.contract_operations[path]) }
  )

  body = jsonencode({
    openapi                                  = "3.0.1"
    info                                     = { title = var.name, version = try(var.openapi.info.version, "1.0.0"), description = "Built by Terraform from functions/openapi.yaml" }
    paths                                    = local.body_paths
    "x-amazon-apigateway-binary-media-types" = local.binary_media_types
    "x-amazon-apigateway-gateway-responses"  = local.gateway_responses
  })
}
