"""The local API: one process that routes every operation in the contract to
`functions/<x-function>/handler.lambda_handler`, with real v1 proxy events, a Lambda-like
context, the function's configured timeout and API Gateway's answers for what never reaches
a function (unknown path, wrong method, timeout, broken proxy response)."""

from __future__ import annotations

import base64
import importlib
import json
import logging
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from functions.common import contract
from functions.common.deadline import API_GATEWAY_LIMIT_S
from functions.common.http import allowed_origins
from functions.local_api import settings
from functions.local_api.context import LambdaContext
from functions.local_api.events import STAGE, build_event, media_type_matches

log = logging.getLogger("local_api")
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


def _compile(path_template: str) -> re.Pattern:
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", path_template):
        if part.startswith("{"):
            name = part[1:-1]
            pattern += f"(?P<{name[:-1]}>.+)" if name.endswith("+") else f"(?P<{name}>[^/]+)"
        else:
            pattern += re.escape(part)
    return re.compile(f"^{pattern}$")


class Gateway:
    """Routing, invocation and response translation, independent of the HTTP server."""

    def __init__(self, *, handler_overrides: dict | None = None, timeouts: dict | None = None):
        spec = contract.spec()
        self.binary_media_types = spec.get("x-amazon-apigateway-binary-media-types", [])
        self.routes: list[tuple[re.Pattern, str, dict]] = []
        for path in spec["paths"]:
            ops = {op.method: op for op in contract.operations() if op.path == path}
            self.routes.append((_compile(path), path, ops))
        self._handlers = dict(handler_overrides or {})
        self._timeouts = timeouts or {}
        self._locks: dict[str, threading.Lock] = {}  # one warm "container" per function

    def _handler(self, function: str):
        if function not in self._handlers:
            module_name, attr = settings.function(function)["handler"].rsplit(".", 1)
            self._handlers[function] = getattr(importlib.import_module(module_name), attr)
        return self._handlers[function]

    def match(self, path: str):
        for regex, resource, ops in self.routes:
            found = regex.match(path)
            if found:
                return resource, ops, found.groupdict()
        return None

    def gateway_error(self, status: int, error: str, details: str) -> tuple[int, dict, bytes]:
        # Mirrors the gateway responses Terraform configures (error JSON plus CORS headers).
        origins = allowed_origins()
        headers = {
            "Content-Type": "application/json",
            "Access-Control-Allow-Origin": "*" if "*" in origins else origins[0],
        }
        return status, headers, json.dumps({"error": error, "details": details}).encode()

    def handle(
        self, *, method: str, raw_path: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> tuple[int, dict, bytes]:
        url = urlsplit(raw_path)
        path = url.path
        if path == f"/{STAGE}" or path.startswith(f"/{STAGE}/"):  # deployed URLs carry the stage
            path = path[len(STAGE) + 1 :] or "/"
        found = self.match(path)
        if not found:
            return self.gateway_error(404, "Not found", f"No route for {path}")
        resource, ops, params = found
        op = ops.get(method) or (next(iter(ops.values())) if method == "OPTIONS" else None)
        if op is None:
            return self.gateway_error(405, "Method not allowed", f"{method} is not supported on {resource}")
        event = build_event(
            method=method,
            path=path,
            resource=resource,
            path_params=params,
            headers=headers,
            query=url.query,
            body=body,
            source_ip=source_ip,
            binary_media_types=self.binary_media_types,
        )
        accept = next((v for k, v in headers if k.lower() == "accept"), "")
        return self.invoke(op.function, event, accept)

    def invoke(self, function: str, event: dict, accept: str) -> tuple[int, dict, bytes]:
        config = settings.function(function)
        timeout = min(float(self._timeouts.get(function, config["timeout"])), API_GATEWAY_LIMIT_S)
        context = LambdaContext(
            function_name=f"music-poetry-local-{function}", memory_limit_in_mb=int(config["memory"]), timeout_s=timeout
        )
        outcome: dict = {}

        def run():
            with self._locks.setdefault(function, threading.Lock()):
                try:
                    outcome["result"] = self._handler(function)(event, context)
                except Exception:  # Lambda reports an unhandled error; API Gateway answers 502
                    log.exception("%s raised", function)
                    outcome["crashed"] = True

        worker = threading.Thread(target=run, name=f"lambda-{function}", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            return self.gateway_error(
                504, "Endpoint request timed out", f"{function} did not answer within {timeout:.0f} s"
            )
        result = outcome.get("result")
        if outcome.get("crashed") or not isinstance(result, dict) or "statusCode" not in result:
            return self.gateway_error(502, "Internal server error", "The function returned no valid response")
        return self.translate(result, accept)

    def translate(self, result: dict, accept: str) -> tuple[int, dict, bytes]:
        headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
        for key, values in (result.get("multiValueHeaders") or {}).items():
            headers[key] = ", ".join(str(v) for v in values)
        body = result.get("body") or ""
        first_accept = accept.split(",")[0]
        if result.get("isBase64Encoded") and media_type_matches(first_accept or "*/*", self.binary_media_types):
            # API Gateway decodes only when the first Accept type is a binary media type.
            payload = base64.b64decode(body)
        else:
            payload = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        return int(result["statusCode"]), headers, payload


class _RequestHandler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    server_version = "music-poetry-local"

    def _serve(self):
        started = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            status, headers, payload = self.gateway.gateway_error(413, "Request too large", "The limit is 10 MB")
            self.close_connection = True
        else:
            body = self.rfile.read(length) if length else b""
            if urlsplit(self.path).path == "/openapi.json" and self.command == "GET":
                status, headers, payload = (
                    200,
                    {"Content-Type": "application/json"},
                    json.dumps(contract.spec()).encode(),
                )
            else:
                status, headers, payload = self.gateway.handle(
                    method=self.command,
                    raw_path=self.path,
                    headers=list(self.headers.items()),
                    body=body,
                    source_ip=self.client_address[0],
                )
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        log.info(
            "%s %s %s %d %.1fms",
            self.client_address[0],
            self.command,
            self.path[:200],
            status,
            (time.perf_counter() - started) * 1000,
        )

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve

    def log_message(self, format, *args):  # one line per request comes from _serve instead
        pass


def prepare_environment(environ=os.environ) -> None:
    """Apply settings.json's env (and local_env) under whatever the user already set."""
    environ.update(settings.local_environment(dict(environ)))
    environ.setdefault("ALLOWED_ORIGINS", "*")
    environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")  # no X-Ray daemon on a laptop
    # Metrics stay on: with POWERTOOLS_METRICS_DISABLED, Powertools 3.37 never clears its metric set
    # and prints it anyway every 100 values, so EMF lines are printed per request as in Lambda.
    environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "music-poetry-local")


def make_server(host: str, port: int, gateway: Gateway | None = None) -> ThreadingHTTPServer:
    handler = type("Handler", (_RequestHandler,), {"gateway": gateway or Gateway()})
    # socketserver's default backlog of 5 resets connections when a browser or a load run opens many at once.
    server_class = type("Server", (ThreadingHTTPServer,), {"request_queue_size": 128})
    server = server_class((host, port), handler)
    server.daemon_threads = True
    return server
