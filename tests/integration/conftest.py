from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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

    def start(gateway: Gateway | None = None) -> LocalApi:
        server = make_server("127.0.0.1", 0, gateway)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return LocalApi(f"http://127.0.0.1:{server.server_address[1]}")

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# Browser fixtures: Debian's chromium + chromedriver driven by selenium.
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
INSTALL_HINT = "needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def page_server():
    """Serves an empty page, so scripts run with this server's origin."""
    root = Path(tempfile.mkdtemp(prefix="e2e-pages-"))
    (root / "index.html").write_text("<!doctype html><title>page</title><body></body>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    shutil.rmtree(root)


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI"):  # .ci/run installs them; a CI without a browser must not pass quietly
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    # A module-scoped fixture cannot take monkeypatch; this context restores the variable.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # selenium-manager must never try to download a driver
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        profile = tempfile.mkdtemp(prefix="e2e-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        driver.set_script_timeout(30)
        yield driver
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
