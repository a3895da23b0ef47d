"""The API contract, `functions/openapi.yaml`, as data.

Routes are defined only there. Handlers register their routes by operationId through
`route()`, the local API routes from `operations()`, and request bodies are validated
against the contract's schemas with fastjsonschema (pure Python, small enough for a layer)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import fastjsonschema
import yaml

from functions.common.errors import BadRequest, InternalError, PayloadTooLarge

CONTRACT_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
MAX_BODY_BYTES = 256 * 1024


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str  # "/api/poetry/generate"
    function: str  # x-function
    spec: dict


@lru_cache(maxsize=1)
def spec() -> dict:
    with CONTRACT_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    ops = []
    for path, item in spec()["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                ops.append(Operation(op["operationId"], method.upper(), path, op["x-function"], op))
    return tuple(ops)


def operation(operation_id: str) -> Operation:
    for op in operations():
        if op.operation_id == operation_id:
            return op
    raise KeyError(f"operationId {operation_id!r} is not in {CONTRACT_PATH.name}")


def route(app, operation_id: str):
    """Decorator: register a resolver route for the contract's operation `operation_id`."""
    op = operation(operation_id)
    return app.route(op.path, op.method)


def json_schema(node):
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes a type list with "null"
    (fastjsonschema, a JSON Schema validator, ignores `nullable`)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") and "type" in node:
        out["type"] = [node["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


@lru_cache(maxsize=1)
def _components() -> dict:
    return json_schema(spec()["components"])


@cache
def _body_validator(operation_id: str):
    schema = operation(operation_id).spec["requestBody"]["content"]["application/json"]["schema"]
    # '#/components/...' references resolve against this root document.
    return fastjsonschema.compile({**json_schema(schema), "components": _components()})


@cache
def component_validator(name: str):
    """Validator for `#/components/schemas/<name>` (used by tests and internal payloads)."""
    return fastjsonschema.compile({"$ref": f"#/components/schemas/{name}", "components": _components()})


def request_body(body: str | None, *, is_base64_encoded: bool) -> bytes | None:
    """The request body's bytes. API Gateway base64-encodes a body whose Content-Type is in
    binaryMediaTypes (image/*); Powertools' decoded_body would then fail on bytes that are not UTF-8."""
    if body is None:
        return None
    if not is_base64_encoded:
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(
            "Request body is not valid base64", "Send a JSON object with Content-Type: application/json"
        ) from None


def parse_json_body(operation_id: str, body: str | bytes | None) -> dict:
    """Decode and validate a request body; every failure is a 400 that names the field, or a 413."""
    if body is None or body == "" or body == b"":
        raise BadRequest("Request body is required", "Send a JSON object with Content-Type: application/json")
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge("Request body is too large", f"The limit is {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("Request body is not valid JSON", str(exc).split(":")[0]) from None
    except RecursionError:  # json's decoder recurses once per level of nesting
        raise BadRequest("Request body is not valid JSON", "It is nested too deeply") from None
    if not isinstance(data, dict):
        raise BadRequest("Request body must be a JSON object", f"Got a JSON {type(data).__name__}")
    try:
        _body_validator(operation_id)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise BadRequest(
            f"Invalid request: {_field_message(exc)}", f"See {operation_id}'s request schema in the API contract"
        ) from None
    except fastjsonschema.JsonSchemaException as exc:  # the contract itself is broken
        raise InternalError("The API contract could not be applied", "The error was logged") from exc
    return data


def _field_message(exc: fastjsonschema.JsonSchemaValueException) -> str:
    # fastjsonschema says "data.audioFeatures.tempo must be ..."; drop the synthetic root.
    msg = exc.message
    if msg.startswith("data."):
        return msg[len("data.") :]
    if msg.startswith("data "):
        return "body " + msg[len("data ") :]
    return msg
