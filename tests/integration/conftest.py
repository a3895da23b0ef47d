from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from functions.local_api import settings
from functions.local_api.server import Gateway, make_server


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class LocalApi:
    def __init__(self, base: str):
        self.base = base

    def request(self, method: str, path: str, *, body=None, headers=None) -> Reply:
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if isinstance(body, (dict, list)):
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return Reply(resp.status, dict(resp.headers), resp.read())
        except urllib.error.HTTPError as err:
            return Reply(err.code, dict(err.headers), err.read())


@pytest.fixture
def start_api(monkeypatch):
    """Start the local API on a free loopback port: start_api(gateway=None) -> LocalApi."""
    servers = []
    for key, value in settings.local_environment({}).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    def start(gateway: Gateway | None = None) -> LocalApi:
        server = make_server("127.0.0.1", 0, gateway)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return LocalApi(f"http://127.0.0.1:{server.server_address[1]}")

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
