"""The local API: one process that routes every operation in the contract to
`functions/<x-function>/handler.lambda_handler`, with real v1 proxy events, Lambda-like
execution environments (environments.py), the function's configured timeout and API
Gateway's answers for what never reaches a function or comes back unusable.

What the deployed API answers (terraform/modules/api/body.tf builds it from the same contract):
- a contract path with a method it lacks: the path's ANY mock, 405 error JSON with CORS;
- an unknown path: the `/{proxy+}` ANY mock, 404;
- a method outside API Gateway's seven (TRACE, CONNECT, ...): ANY covers only DELETE, GET,
  HEAD, OPTIONS, PATCH, POST and PUT, so no method matches and API Gateway gives its
  MISSING_AUTHENTICATION_TOKEN response, which body.tf turns into the same 404;
- a trailing slash: routed as the path without it; the event's `path` keeps the slash
  (LocalStack's router and its AWS-validated snapshots; Powertools #1577 says the same);
- a Lambda that throttles: 500; a function error, timeout or malformed result: 502; both with
  DEFAULT_5XX's body (Lambda developer guide, "Handling Lambda errors with an API Gateway API");
- the 29 s integration timeout: 504 INTEGRATION_TIMEOUT."""

from __future__ import annotations

import errno
import importlib
import json
import logging
import os
import re
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from functions.common import contract
from functions.common.deadline import API_GATEWAY_LIMIT_S
from functions.common.http import allowed_origins
from functions.local_api import responses, settings
from functions.local_api.environments import Invocation, Pool, Throttled, report_line
from functions.local_api.events import STAGE, build_event

log = logging.getLogger("local_api")
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
API_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})
# The words API Gateway and body.tf's mocks answer with (tests/terraform/test_api.py compares).
NOT_FOUND, METHOD_NOT_ALLOWED, TIMED_OUT = "Not found", "Method not allowed", "Endpoint request timed out"
NO_ROUTE = "No route matches this path"
WRONG_METHOD = "This path does not support the request's method"
LOOPBACK_PAIR = ("127.0.0.1", "::1")  # what HOST=localhost (the default) listens on


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
    """Routing, invocation and response translation, independent of the HTTP server.

    Overrides are per function: `handler_overrides` (callables), `timeouts` (seconds) and
    `concurrency` (environments); `environment` mirrors a deployed environment's reserved
    concurrency (settings.concurrency)."""

    def __init__(
        self,
        *,
        handler_overrides: dict | None = None,
        timeouts: dict | None = None,
        concurrency: dict | None = None,
        environment: str | None = None,
        integration_timeout_s: float = API_GATEWAY_LIMIT_S,
    ):
        spec = contract.spec()
        self.binary_media_types = spec.get("x-amazon-apigateway-binary-media-types", [])
        self.routes: list[tuple[re.Pattern, str, dict]] = []
        for path in spec["paths"]:
            ops = {op.method: op for op in contract.operations() if op.path == path}
            self.routes.append((_compile(path), path, ops))
        self._handlers = dict(handler_overrides or {})
        self._timeouts = timeouts or {}
        self._concurrency = concurrency or {}
        self._environment = environment
        self.integration_timeout_s = integration_timeout_s
        self.port = 443  # X-Forwarded-Port; make_server sets the listening port
        self._pools: dict[str, Pool] = {}
        self._pools_lock = threading.Lock()

    def _handler(self, function: str):
        if function not in self._handlers:
            module_name, attr = settings.function(function)["handler"].rsplit(".", 1)
            self._handlers[function] = getattr(importlib.import_module(module_name), attr)
        return self._handlers[function]

    def pool(self, function: str) -> Pool:
        with self._pools_lock:
            if function not in self._pools:
                limit = self._concurrency.get(function) or settings.concurrency(function, self._environment)
                self._pools[function] = Pool(
                    function, concurrency=int(limit), load_handler=lambda: self._handler(function)
                )
            return self._pools[function]

    def close(self) -> None:
        with self._pools_lock:
            pools = list(self._pools.values())
        for pool in pools:
            pool.close()

    def match(self, path: str):
        for regex, resource, ops in self.routes:
            found = regex.match(path)
            if found:
                return resource, ops, found.groupdict()
        return None

    @staticmethod
    def json_headers() -> list[tuple[str, str]]:
        origins = allowed_origins()
        return [
            ("Content-Type", "application/json"),
            ("Access-Control-Allow-Origin", "*" if "*" in origins else origins[0]),
        ]

    def gateway_error(self, status: int, error: str, details: str) -> tuple[int, list, bytes]:
        # Mirrors the gateway responses Terraform configures (error JSON plus CORS headers).
        return status, self.json_headers(), json.dumps({"error": error, "details": details}).encode()

    def handle(
        self, *, method: str, raw_path: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> tuple[int, list, bytes]:
        url = urlsplit(raw_path)
        path = url.path
        if path == f"/{STAGE}" or path.startswith(f"/{STAGE}/"):  # deployed URLs carry the stage
            path = path[len(STAGE) + 1 :] or "/"
        if method not in API_METHODS:  # no method, not even ANY, matches: MISSING_AUTHENTICATION_TOKEN
            return self.gateway_error(404, NOT_FOUND, NO_ROUTE)
        found = self.match(path.rstrip("/") or "/")  # API Gateway ignores trailing slashes
        if not found:
            return self.gateway_error(404, NOT_FOUND, NO_ROUTE)
        resource, ops, params = found
        op = ops.get(method) or (next(iter(ops.values())) if method == "OPTIONS" else None)
        if op is None:
            return self.gateway_error(405, METHOD_NOT_ALLOWED, WRONG_METHOD)
        event = build_event(
            method=method,
            path=path,
            resource=resource,
            path_params=params,
            headers=headers,
            query=url.query,
            body=body,
            source_ip=source_ip,
            port=self.port,
            binary_media_types=self.binary_media_types,
        )
        accept = next((v for k, v in headers if k.lower() == "accept"), "")
        return self.invoke(op.function, event, accept)

    def invoke(self, function: str, event: dict, accept: str) -> tuple[int, list, bytes]:
        config = settings.function(function)
        request = f"request {event['requestContext']['requestId']}"
        pool = self.pool(function)
        try:
            environment, _ = pool.acquire()
        except Throttled as exc:  # Lambda's TooManyRequestsException; API Gateway answers 500
            log.warning("%s throttled: %s (reserved concurrency %d)", function, exc, pool.concurrency)
            return self.gateway_error(500, "Internal server error", f"{function} is throttled ({request})")
        invocation = Invocation(
            event=event,
            function_name=f"music-poetry-local-{function}",
            memory_mb=int(config["memory"]),
            timeout_s=float(self._timeouts.get(function, config["timeout"])),
        )
        integration_end = time.monotonic() + self.integration_timeout_s
        environment.submit(invocation)
        finished = invocation.started.wait(self.integration_timeout_s)
        function_end = invocation.started_at + invocation.timeout_s
        if finished:
            finished = invocation.done.wait(max(0.0, min(function_end, integration_end) - time.monotonic()))
        if not finished:
            invocation.abandoned = True
            if invocation.started_at and function_end <= integration_end:  # Lambda stops the function
                pool.discard(environment)
                log.info(report_line(invocation, environment, finished_at=time.monotonic(), status="timeout"))
                log.error("%s Task timed out after %.2f seconds", invocation.request_id, invocation.timeout_s)
                return self.gateway_error(502, "Internal server error", f"{function} timed out ({request})")
            # API Gateway gave up first; in Lambda the invocation runs on to its end or its own timeout.
            threading.Thread(target=self._settle, args=(pool, environment, invocation), daemon=True).start()
            return self.gateway_error(
                504,
                TIMED_OUT,
                f"The function did not answer within {self.integration_timeout_s:.0f} s ({request})",
            )
        pool.release(environment)
        log.info(report_line(invocation, environment, finished_at=time.monotonic()))
        if invocation.error is not None:
            log.error("%s raised", function, exc_info=invocation.error)
            return self.gateway_error(502, "Internal server error", f"{function} failed ({request})")
        return self.translate(invocation.result, accept, request)

    @staticmethod
    def _settle(pool: Pool, environment, invocation: Invocation) -> None:
        """After a 504: the environment stays busy until the invocation ends or times out."""
        if invocation.started.wait(invocation.timeout_s + 10):  # Lambda's Init phase is capped at 10 s
            remaining = invocation.started_at + invocation.timeout_s - time.monotonic()
            if invocation.done.wait(max(0.0, remaining)):
                log.info(report_line(invocation, environment, finished_at=time.monotonic()))
                pool.release(environment)
                return
        log.info(report_line(invocation, environment, finished_at=time.monotonic(), status="timeout"))
        pool.discard(environment)

    def translate(self, result, accept: str, request: str = "") -> tuple[int, list, bytes]:
        try:
            response = responses.parse(result)
            payload = responses.payload(response, accept=accept, binary_media_types=self.binary_media_types)
        except responses.MalformedResponse as exc:
            log.error("Execution failed due to configuration error: Malformed Lambda proxy response: %s", exc)
            return self.gateway_error(502, "Internal server error", f"Malformed Lambda proxy response ({request})")
        except responses.UndecodableBody as exc:
            log.error("Execution failed: %s", exc)
            return self.gateway_error(500, "Internal server error", f"The body is not base64 ({request})")
        return response.status, response.headers, payload


class _BadRequest(Exception):
    def __init__(self, status: int, details: str):
        super().__init__(details)
        self.status, self.details = status, details


class _RequestHandler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    server_version = "music-poetry-local"

    def __getattr__(self, name: str):
        # Every method token reaches _serve (http.server would send an HTML 501 otherwise).
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _BadRequest(400, "Content-Length is not a number") from None
        if length < 0:
            raise _BadRequest(400, "Content-Length is negative")
        if length > MAX_REQUEST_BYTES:
            raise _BadRequest(413, "The limit is 10 MB")
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                raise _BadRequest(400, "Malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return bytes(body)
            if len(body) + size > MAX_REQUEST_BYTES:
                raise _BadRequest(413, "The limit is 10 MB")
            body += self.rfile.read(size)
            self.rfile.readline(1024)

    def _serve(self):
        started = time.perf_counter()
        try:
            body = self._read_body()
            if urlsplit(self.path).path == "/openapi.json" and self.command in ("GET", "HEAD"):
                status, headers, payload = 200, self.gateway.json_headers(), json.dumps(contract.spec()).encode()
            else:
                status, headers, payload = self.gateway.handle(
                    method=self.command,
                    raw_path=self.path,
                    headers=list(self.headers.items()),
                    body=body,
                    source_ip=self.client_address[0],
                )
        except _BadRequest as exc:
            self.close_connection = True  # the rest of the stream cannot be trusted
            status, headers, payload = self.gateway.gateway_error(
                exc.status, HTTPStatus(exc.status).phrase, exc.details
            )
        except Exception:  # a fault in the stand-in itself: still JSON, and loud in the log
            log.exception("local API fault on %s %s", self.command, self.path[:200])
            status, headers, payload = self.gateway.gateway_error(
                500, "Internal server error", "The local API failed; see its log"
            )
        self._write(status, headers, payload)
        log.info(
            "%s %s %s %d %.1fms",
            self.client_address[0],
            self.command,
            self.path[:200],
            status,
            (time.perf_counter() - started) * 1000,
        )

    def _write(self, status: int, headers: list, payload: bytes) -> None:
        if status in (204, 304):  # these carry no body (RFC 9110 15.3.5, 15.4.5)
            payload = b""
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in responses.FRAMING_HEADERS:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def send_error(self, code, message=None, explain=None):
        # http.server's own errors (bad request line, oversized headers): JSON, never HTML.
        self.close_connection = True
        if not str(self.request_version).startswith("HTTP/1."):  # unparsed: still send a status line
            self.request_version = "HTTP/1.1"
        phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error"
        self._write(*self.gateway.gateway_error(code, phrase, message or explain or phrase))

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


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 resets connections when a browser or a load run opens many at once.
    request_queue_size = 128
    daemon_threads = True
    gateway: Gateway

    def server_close(self):
        super().server_close()
        self.gateway.close()


def make_server(host: str, port: int, gateway: Gateway | None = None) -> ThreadingHTTPServer:
    """One listening socket on `host` (an IPv4 or IPv6 address)."""
    gateway = gateway or Gateway()
    handler = type("Handler", (_RequestHandler,), {"gateway": gateway})
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_class = type("Server", (_Server,), {"address_family": family, "gateway": gateway})
    server = server_class((host, port), handler)
    gateway.port = server.server_address[1]
    return server


def make_servers(host: str, port: int, gateway: Gateway | None = None) -> list[ThreadingHTTPServer]:
    """`localhost` listens on 127.0.0.1 and ::1 (Node 17+ and Vite try ::1 first); any other host alone."""
    if host != "localhost":
        return [make_server(host, port, gateway)]
    gateway = gateway or Gateway()
    servers = [make_server(LOOPBACK_PAIR[0], port, gateway)]
    try:
        servers.append(make_server(LOOPBACK_PAIR[1], servers[0].server_address[1], gateway))
    except OSError as exc:
        if exc.errno not in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            servers[0].server_close()
            raise
        log.warning("::1 is not available (%s); serving 127.0.0.1 only", exc.strerror)
    return servers
