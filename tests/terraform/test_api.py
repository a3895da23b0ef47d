"""The REST API as tfparse evaluates it per workspace: an integration for every operation in
functions/openapi.yaml, the answers API Gateway writes itself (matching the local API),
CORS per environment, throttling, logs, tracing and scoped invoke permissions."""

from __future__ import annotations

import hashlib
import json

from tf_helpers import as_list, items, single
from workspaces import contract, settings, tfvars

from functions.local_api import server

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
ANY = "x-amazon-apigateway-any-method"
# The routes the product promises the frontend (README), with the function behind each.
PRODUCT_ROUTES = {
    ("post", "/api/poetry/generate", "poetry"),
    ("get", "/api/youtube/info", "youtube"),
    ("get", "/api/youtube/audio-with-analysis", "youtube"),
    ("get", "/api/thumbnail", "thumbnail"),
}


def _body(plan: dict) -> dict:
    return json.loads(single(plan, "aws_api_gateway_rest_api", ".this")["body"])


def _invoke_arn(function: str, workspace: str) -> str:
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:music-poetry-{workspace}-{function}"
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method, op


def _origin(workspace: str) -> str:
    origins = tfvars(workspace)["allowed_origins"]
    return "*" if "*" in origins else origins[0]


def _check_integrations(body: dict, spec: dict, workspace: str):
    operations = list(_operations(spec))
    assert operations
    for path, method, op in operations:
        integration = body["paths"][path][method]["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy" and integration["httpMethod"] == "POST"
        assert integration["uri"] == _invoke_arn(op["x-function"], workspace), (path, method)
        assert integration["timeoutInMillis"] <= 29000
    for path in spec["paths"]:
        first = next(op["x-function"] for p, _, op in operations if p == path)
        options = body["paths"][path]["options"]["x-amazon-apigateway-integration"]
        assert options["type"] == "aws_proxy" and options["uri"] == _invoke_arn(first, workspace)
        assert body["paths"][path][ANY]["x-amazon-apigateway-integration"]["type"] == "mock"
    assert "x-function" not in json.dumps(body)


def test_api_every_operation_has_an_integration(plan, workspace):
    spec = contract()
    routed = {(method, path, op["x-function"]) for path, method, op in _operations(spec)}
    assert routed >= PRODUCT_ROUTES, "a route of the product is missing from functions/openapi.yaml"
    _check_integrations(_body(plan), spec, workspace)


def test_api_internal_functions_are_never_exposed(plan, workspace):
    functions = settings()["functions"]
    internal = [key for key, fn in functions.items() if fn.get("internal")]
    assert internal == ["analysis"]
    body = single(plan, "aws_api_gateway_rest_api", ".this")["body"]
    exposed = {p["function_name"] for p in items(plan, "aws_lambda_permission")}
    for key in internal:
        assert f"music-poetry-{workspace}-{key}" not in body
        assert f"music-poetry-{workspace}-{key}" not in exposed
    assert exposed == {f"music-poetry-{workspace}-{k}" for k, fn in functions.items() if not fn.get("internal")}


def test_api_answers_like_the_local_api(plan, workspace):
    body, origin = _body(plan), f"'{_origin(workspace)}'"
    for path, status, error in (
        ("/", "404", server.NOT_FOUND),
        ("/{proxy+}", "404", server.NOT_FOUND),
        *((p, "405", server.METHOD_NOT_ALLOWED) for p in contract()["paths"]),
    ):
        response = body["paths"][path][ANY]["x-amazon-apigateway-integration"]["responses"]["default"]
        assert response["statusCode"] == status
        assert json.loads(response["responseTemplates"]["application/json"])["error"] == error
        assert response["responseParameters"]["method.response.header.Access-Control-Allow-Origin"] == origin
    responses = body["x-amazon-apigateway-gateway-responses"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX", "INTEGRATION_TIMEOUT", "MISSING_AUTHENTICATION_TOKEN"):
        assert responses[kind]["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": origin}
        rendered = (
            responses[kind]["responseTemplates"]["application/json"]
            .replace("$context.error.messageString", '"Too Many Requests"')
            .replace("$context.error.responseType", "THROTTLED")
            .replace("$context.requestId", "r-1")
        )
        assert set(json.loads(rendered)) == {"error", "details"}, kind
    assert responses["INTEGRATION_TIMEOUT"]["statusCode"] == "504"
    assert (
        json.loads(
            responses["INTEGRATION_TIMEOUT"]["responseTemplates"]["application/json"].replace(
                "$context.requestId", "r-1"
            )
        )["error"]
        == server.TIMED_OUT  # the local API answers with the same words
    )


def test_api_binary_media_types_come_from_the_contract(plan):
    api = single(plan, "aws_api_gateway_rest_api", ".this")
    expected = contract()["x-amazon-apigateway-binary-media-types"]
    assert _body(plan)["x-amazon-apigateway-binary-media-types"] == expected
    assert api["binary_media_types"] == expected


def test_api_redeploys_when_the_body_changes(plan):
    api = single(plan, "aws_api_gateway_rest_api", ".this")
    deployment = single(plan, "aws_api_gateway_deployment", ".this")
    assert deployment["triggers"]["redeployment"] == hashlib.sha1(api["body"].encode()).hexdigest()
    assert deployment["lifecycle"]["create_before_destroy"] is True


def test_api_stage_logs_traces_and_throttles(plan, workspace):
    values = tfvars(workspace)
    stage = single(plan, "aws_api_gateway_stage", ".this")
    assert stage["stage_name"] == "Prod" and stage["xray_tracing_enabled"] is True
    assert stage["deployment_id"] == single(plan, "aws_api_gateway_deployment", ".this")["id"]
    access = single(plan, "aws_cloudwatch_log_group", ".access")
    assert stage["access_log_settings"]["destination_arn"] == access["id"]
    fields = set(json.loads(stage["access_log_settings"]["format"]))
    assert {"requestId", "status", "ip", "integrationLatency"} <= fields
    settings_block = single(plan, "aws_api_gateway_method_settings", ".all")
    assert settings_block["method_path"] == "*/*"
    assert settings_block["settings"]["metrics_enabled"] is values.get("api_detailed_metrics", False)
    assert settings_block["settings"]["throttling_rate_limit"] == values["throttling_rate_limit"]
    assert settings_block["settings"]["throttling_burst_limit"] == values["throttling_burst_limit"]
    assert values["throttling_rate_limit"] > 0 and values["throttling_burst_limit"] >= values["throttling_rate_limit"]
    for name in (".access", ".execution"):
        assert single(plan, "aws_cloudwatch_log_group", name)["retention_in_days"] == values["log_retention_days"]


def test_api_invoke_permissions_are_scoped_to_this_api(plan, workspace):
    expected = set()
    for path, method, op in _operations(contract()):
        expected.add((op["x-function"], method.upper(), path))
    for path, item in contract()["paths"].items():
        if "options" not in item:
            first = next(op["x-function"] for m, op in item.items() if m in HTTP_METHODS)
            expected.add((first, "OPTIONS", path))
    found = set()
    for permission in items(plan, "aws_lambda_permission"):
        assert permission["action"] == "lambda:InvokeFunction"
        assert permission["principal"] == "apigateway.amazonaws.com"
        # The execution ARN is unknown until apply; the expression itself names this API and stage.
        assert permission["source_arn"].startswith("${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/")
        key = permission["__tfmeta"]["path"].split('invoke["', 1)[1].rstrip('"]')
        method, path = key.split(" ", 1)
        found.add((permission["function_name"].removeprefix(f"music-poetry-{workspace}-"), method, path))
    assert found == expected


def test_api_cors_per_environment(plan, workspace):
    origins = tfvars(workspace)["allowed_origins"]
    assert ("*" in origins) == (workspace == "dev"), "ALLOWED_ORIGINS may be * only in dev"
    functions = settings()["functions"]
    for fn in items(plan, "aws_lambda_function"):
        key = fn["function_name"].removeprefix(f"music-poetry-{workspace}-")
        env = fn["environment"]["variables"]
        if functions[key].get("internal"):
            assert "ALLOWED_ORIGINS" not in env
        else:
            assert env["ALLOWED_ORIGINS"] == ",".join(origins)


def test_api_guard_preconditions_hold(plan):
    guard = single(plan, "terraform_data", "guard")
    checks = as_list(guard["lifecycle"]["precondition"])
    assert len(checks) >= 5
    assert [c["error_message"] for c in checks if c["condition"] is not True] == []
