"""The one module that knows about the tracing backend (X-Ray through aws-xray-sdk, via
Powertools). The X-Ray SDK reaches end of support in February 2027; swapping it for
OpenTelemetry means rewriting this file only: handlers use `tracer_for(...)` and the
`capture_lambda_handler` / `capture_method` decorators."""

from __future__ import annotations

from aws_lambda_powertools import Tracer


def tracer_for(service: str) -> Tracer:
    return Tracer(service=service)
