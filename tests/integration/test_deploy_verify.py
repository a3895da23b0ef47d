"""`make verify`: against the local API (as `make verify URL=http://127.0.0.1:PORT/Prod` runs it
against `make serve`) and against a scripted stand-in for answers the local API cannot give
offline (YouTube, thumbnails) or should never give (a broken deploy). Loopback only."""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tools.deploy import verify

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def _status(out: str, name: str) -> str:
    match = re.search(rf"^{re.escape(name)} +(\S+)", out, re.M)
    assert match, out
    return match.group(1)


def test_verify_passes_against_the_local_api(start_api, capsys):
    api = start_api()
    assert verify.main(["--url", f"{api.base}/Prod"]) == 0
    out = capsys.readouterr().out
    for name in ("poem", "cors preflight", "unknown path", "stage prefix"):
        assert _status(out, name) == "ok", out
    assert _status(out, "video info") == "skip" and "VIDEO=" in out
    assert _status(out, "thumbnail") == "skip"
    assert "0 failed" in out


def test_verify_url_without_the_stage_fails(start_api, capsys):
    api = start_api()
    assert verify.main(["--url", api.base]) == 1
    out = capsys.readouterr().out
    assert _status(out, "stage prefix") == "FAIL" and "VITE_API_ENDPOINT" in out


def test_verify_refuses_a_url_that_is_not_one(capsys):
    with pytest.raises(SystemExit) as exit_:
        verify.main(["--url", ""])
    assert exit_.value.code == 2 and "is not an http(s) URL" in capsys.readouterr().err


def test_verify_nothing_listening_fails_every_check(capsys):
    assert verify.main(["--url", "http://127.0.0.1:9/Prod"]) == 1
    out = capsys.readouterr().out
    assert _status(out, "poem") == "FAIL" and "no answer from" in out


class Scripted(BaseHTTPRequestHandler):
    """Answers by (method, path): {key: (status, headers, body)}; set per test on the server."""

    def _answer(self):
        path = self.path.split("?", 1)[0]
        status, headers, body = self.server.script.get((self.command, path), (404, {}, b'{"error": "Not found"}'))
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_OPTIONS = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def scripted():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    server.script, server.seen = {}, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _healthy(script: dict, origin: str = "*"):
    cors = {"Access-Control-Allow-Origin": origin, "Content-Type": "application/json"}
    poem = {"success": True, "poetry": "a poem", "provider": "bedrock", "model": "m"}
    script[("POST", "/Prod/api/poetry/generate")] = (200, cors, json.dumps(poem).encode())
    script[("OPTIONS", "/Prod/api/poetry/generate")] = (
        204,
        cors | {"Access-Control-Allow-Methods": "GET,POST,OPTIONS"},
        b"",
    )
    script[("GET", "/Prod/api/no-such-route")] = (404, cors, b'{"error": "Not found", "details": "x"}')
    info = {
        "success": True,
        "videoInfo": {"title": "Song", "duration": 200, "thumbnail": "https://i.ytimg.com/vi/x/hq.jpg"},
    }
    script[("GET", "/Prod/api/youtube/info")] = (200, cors, json.dumps(info).encode())
    script[("GET", "/Prod/api/thumbnail")] = (200, {"Content-Type": "image/jpeg"}, JPEG)


def test_verify_every_route_ok_with_a_video(scripted, capsys):
    _healthy(scripted.script)
    base = f"http://127.0.0.1:{scripted.server_address[1]}/Prod"
    assert verify.main(["--url", base, "--video", "https://youtu.be/dQw4w9WgXcQ"]) == 0
    out = capsys.readouterr().out
    assert [_status(out, n) for n in ("video info", "thumbnail")] == ["ok", "ok"]
    thumb = next(s for s in scripted.seen if s[1].startswith("/Prod/api/thumbnail"))
    assert thumb[2]["Accept"].startswith("image/")  # as an <img> asks
    assert "url=https%3A%2F%2Fi.ytimg.com%2Fvi%2Fx%2Fhq.jpg" in thumb[1]


def test_verify_youtube_unreachable_is_a_skip_locally_and_a_failure_deployed(scripted):
    _healthy(scripted.script)
    scripted.script[("GET", "/Prod/api/youtube/info")] = (
        503,
        {"Content-Type": "application/json"},
        b'{"error": "YouTube refused", "details": "bot check"}',
    )
    base = f"http://127.0.0.1:{scripted.server_address[1]}/Prod"
    local = verify.Verifier(base, verify.VITE_ORIGIN, "https://youtu.be/dQw4w9WgXcQ")
    row = local.video_info()
    assert row.status == verify.SKIP and "cannot reach YouTube" in row.detail
    deployed = verify.Verifier(base, verify.VITE_ORIGIN, "https://youtu.be/dQw4w9WgXcQ")
    deployed.local = False  # as for https://<id>.execute-api...
    row = deployed.video_info()
    assert row.status == verify.FAIL and "cookie/proxy" in row.detail


@pytest.mark.parametrize(
    "key, answer, check, words",
    [
        (
            ("POST", "/Prod/api/poetry/generate"),
            (500, {}, b'{"error": "Internal error"}'),
            "poem",
            "500 Internal error",
        ),
        (
            ("POST", "/Prod/api/poetry/generate"),
            (200, {}, b'{"success": true, "poetry": "p"}'),
            "poem",
            "no CORS header",
        ),
        (("OPTIONS", "/Prod/api/poetry/generate"), (403, {}, b""), "cors preflight", "403"),
        (
            ("GET", "/Prod/api/no-such-route"),
            (403, {}, b'{"message": "Missing Authentication Token"}'),
            "unknown path",
            "403",
        ),
        (
            ("GET", "/Prod/api/thumbnail"),
            (200, {"Content-Type": "image/jpeg"}, base64.b64encode(JPEG)),
            "thumbnail",
            "binary media types",
        ),
    ],
)
def test_verify_each_broken_route_fails(scripted, capsys, key, answer, check, words):
    _healthy(scripted.script)
    scripted.script[key] = answer
    base = f"http://127.0.0.1:{scripted.server_address[1]}/Prod"
    assert verify.main(["--url", base, "--video", "https://youtu.be/dQw4w9WgXcQ"]) == 1
    out = capsys.readouterr().out
    assert _status(out, check) == "FAIL" and words in out, out
    assert "1 failed" in out


def test_verify_origin_follows_the_environment():
    assert verify.origin_for("dev") == verify.VITE_ORIGIN  # dev allows "*"
    assert verify.origin_for("prod").startswith("https://")
