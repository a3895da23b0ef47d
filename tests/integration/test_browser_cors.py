"""Cross-origin use of the local API from a page in headless Chromium.

The page is served from one origin (http://127.0.0.1:<page port>) and calls the API on
another (http://127.0.0.1:<api port>); http://localhost:<page port> is a second, disallowed
origin. CORS is enforced by the browser itself, so these tests prove the headers work."""

from __future__ import annotations

import json

import pytest

from functions.local_api.server import Gateway

pytestmark = pytest.mark.browser
POEM = {"audioFeatures": {"tempo": 128, "energy": 0.8, "mode": "major"}, "persona": "hamlet", "language": "ko"}
FETCH = """
const [url, init, done] = arguments;
fetch(url, init)
  .then(async r => done({status: r.status, body: await r.text()}))
  .catch(e => done({failed: String(e)}));
"""


class RecordingGateway(Gateway):
    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, str, str]] = []

    def handle(self, *, method, raw_path, headers, body, source_ip):
        origin = next((v for k, v in headers if k.lower() == "origin"), "")
        self.seen.append((method, raw_path, origin))
        return super().handle(method=method, raw_path=raw_path, headers=headers, body=body, source_ip=source_ip)


@pytest.fixture
def api(start_api, monkeypatch, page_server):
    monkeypatch.setenv("ALLOWED_ORIGINS", f"http://127.0.0.1:{page_server}")
    gateway = RecordingGateway()
    return start_api(gateway), gateway


def _fetch(browser, page_origin, url, init):
    browser.get(f"{page_origin}/index.html")
    return browser.execute_async_script(FETCH, url, init)


def test_browser_allowed_origin_json_post_with_preflight(browser, api, page_server):
    local, gateway = api
    origin = f"http://127.0.0.1:{page_server}"
    result = _fetch(
        browser,
        origin,
        f"{local.base}/api/poetry/generate",
        {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": json.dumps(POEM)},
    )
    assert result.get("status") == 200, result
    assert json.loads(result["body"])["success"] is True
    methods = [m for m, path, o in gateway.seen if path == "/api/poetry/generate" and o == origin]
    assert methods[:2] == ["OPTIONS", "POST"], "the browser did not preflight the JSON POST"


def test_browser_disallowed_origin_is_blocked_by_the_browser(browser, api, page_server):
    local, gateway = api
    result = _fetch(
        browser,
        f"http://localhost:{page_server}",
        f"{local.base}/api/poetry/generate",
        {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": json.dumps(POEM)},
    )
    assert "failed" in result and "Failed to fetch" in result["failed"], result
    # The preflight reached the API but carried no Allow-Origin, so the browser never sent the POST.
    assert [m for m, _, o in gateway.seen if o == f"http://localhost:{page_server}"] == ["OPTIONS"]


def test_browser_error_responses_are_readable(browser, api, page_server):
    local, _ = api
    result = _fetch(
        browser,
        f"http://127.0.0.1:{page_server}",
        f"{local.base}/api/poetry/generate",
        {
            "method": "POST",
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({**POEM, "persona": "yoda"}),
        },
    )
    assert result.get("status") == 400, result
    assert "hamlet" in json.loads(result["body"])["error"] + json.loads(result["body"]).get("details", "")


def test_browser_gateway_errors_are_readable(browser, api, page_server):
    local, _ = api
    result = _fetch(browser, f"http://127.0.0.1:{page_server}", f"{local.base}/api/nowhere", {"method": "GET"})
    assert result.get("status") == 404 and json.loads(result["body"])["error"] == "Not found"


IMG = """
const [src, done] = arguments;
const img = new Image();
img.onload = () => done({loaded: true, width: img.naturalWidth, height: img.naturalHeight});
img.onerror = () => done({loaded: false});
img.src = src;
document.body.appendChild(img);
"""


def test_browser_proxied_thumbnail_renders_in_img(browser, api, page_server, monkeypatch):
    from thumbnail_upstream import JPEG, Reply, TlsUpstream

    from functions.thumbnail import handler as thumbnail_handler

    upstream = TlsUpstream()
    try:
        # The handler's fetcher is pointed at a loopback TLS server holding a certificate for
        # i.ytimg.com (test CA, injected resolver); the browser sees only our API.
        monkeypatch.setattr(thumbnail_handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
        upstream.routes["/vi/dQw4w9WgXcQ/hqdefault.jpg"] = Reply(body=JPEG)
        local, gateway = api
        browser.get(f"http://127.0.0.1:{page_server}/index.html")
        src = f"{local.base}/api/thumbnail?url=https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"
        result = browser.execute_async_script(IMG, src)
    finally:
        upstream.close()
    assert result["loaded"] is True and result["width"] > 0, result
    assert any(path.startswith("/api/thumbnail") for _, path, _ in gateway.seen)
