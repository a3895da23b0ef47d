"""Shared fixtures. Paths come from this file's location; environment changes go through
monkeypatch so no test leaks settings into another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from functions.local_api.context import LambdaContext

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _quiet_aws(monkeypatch):
    # Never reach real AWS from a test, whatever the developer's shell holds.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("ALLOWED_ORIGINS", "*")
    monkeypatch.delenv("POETRY_PROVIDER", raising=False)


@pytest.fixture
def lambda_context():
    return LambdaContext(function_name="test-fn", memory_limit_in_mb=512, timeout_s=25.0)


@pytest.fixture
def rest_event():
    """Factory: a real API Gateway REST proxy event with the method, path, body, headers changed."""
    base = json.loads((FIXTURES / "apigw_rest_proxy_event.json").read_text())

    def make(*, method="POST", path="/api/poetry/generate", body=None, headers=None, query=None):
        event = json.loads(json.dumps(base))
        event.update(httpMethod=method, path=path, resource=path)
        event["requestContext"].update(httpMethod=method, resourcePath=path, path=f"/Prod{path}")
        event["body"] = body if body is None or isinstance(body, str) else json.dumps(body)
        if headers is not None:
            event["headers"] = headers
            event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
        return event

    return make
