"""`make verify ENV=dev` or `make verify URL=https://<id>.execute-api.<region>.amazonaws.com/Prod`:
after a deploy, every route as the frontend calls it, as a table; exit 1 on any failure.

A poem, a video's info (VIDEO=<YouTube URL>), its thumbnail with an <img>'s Accept header,
the CORS preflight from the configured origin, an unknown path as error JSON, and the stage
prefix in the URL. YouTube routes are skipped, with the reason, when no VIDEO is named or
when the API is a local one (make serve) that cannot reach YouTube.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OK, SKIP, FAIL = "ok", "skip", "FAIL"
STAGE = "Prod"
VITE_ORIGIN = "http://localhost:5173"  # the frontend's dev server, allowed by dev's "*"
# What a browser sends for <img src>: API Gateway answers binary when the first type matches image/*.
IMG_ACCEPT = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"
POEM = {"audioFeatures": {"tempo": 120, "energy": 0.6, "mode": "major"}, "persona": "hamlet", "language": "en"}
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"RIFF", b"GIF8")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Row:
    name: str
    status: str
    detail: str


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def request(method: str, url: str, *, headers: dict | None = None, body: bytes | None = None, timeout: float = 35):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def _describe(reply: Reply) -> str:
    data = reply.json()
    if isinstance(data, dict) and "error" in data:
        return f"{reply.status} {data.get('error')}: {data.get('details', '')}".strip(": ")
    return f"{reply.status} {reply.body[:120]!r}"


def _cors_ok(reply: Reply, origin: str) -> bool:
    return reply.headers.get("access-control-allow-origin") in (origin, "*")


class Verifier:
    def __init__(self, base: str, origin: str, video: str | None):
        self.base, self.origin, self.video = base.rstrip("/"), origin, video
        self.local = urllib.parse.urlsplit(self.base).hostname in LOOPBACK
        self.thumbnail_url: str | None = None

    def url(self, path: str, **query) -> str:
        return f"{self.base}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")

    def _try(self, name: str, check) -> Row:
        try:
            return check()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return Row(name, FAIL, f"no answer from {self.base}: {getattr(exc, 'reason', exc)}")

    def _youtube_unreachable(self, name: str, reply: Reply) -> Row | None:
        """A local API without network cannot reach YouTube: a skip, not a failure. Deployed,
        the same 503/502 means YouTube refused the function (cookies and proxy: docs/youtube.md)."""
        if reply.status in (502, 503, 504):
            if self.local:
                return Row(name, SKIP, f"local API cannot reach YouTube (no network?): {_describe(reply)}")
            return Row(name, FAIL, f"{_describe(reply)}; if YouTube refuses the function, set the cookie/proxy secrets")
        return None

    def poem(self) -> Row:
        body = json.dumps(POEM).encode()
        headers = {"Content-Type": "application/json", "Origin": self.origin}
        reply = request("POST", self.url("/api/poetry/generate"), headers=headers, body=body)
        data = reply.json() or {}
        if reply.status != 200 or data.get("success") is not True or not data.get("poetry"):
            return Row("poem", FAIL, _describe(reply))
        if not _cors_ok(reply, self.origin):
            return Row("poem", FAIL, f"no CORS header for {self.origin}: the browser would drop the answer")
        return Row("poem", OK, f"{data.get('provider')}/{data.get('model')}, {len(data['poetry'])} characters")

    def video_info(self) -> Row:
        if not self.video:
            return Row("video info", SKIP, "no video named: make verify ... VIDEO=https://www.youtube.com/watch?v=<id>")
        reply = request("GET", self.url("/api/youtube/info", url=self.video), headers={"Origin": self.origin})
        unreachable = self._youtube_unreachable("video info", reply)
        if unreachable:
            return unreachable
        data = reply.json() or {}
        info = data.get("videoInfo") or {}
        if reply.status != 200 or not info.get("title"):
            return Row("video info", FAIL, _describe(reply))
        self.thumbnail_url = info.get("thumbnail")
        return Row("video info", OK, f"{info['title'][:60]!r}, {info.get('duration')} s")

    def thumbnail(self) -> Row:
        if not self.thumbnail_url:
            return Row("thumbnail", SKIP, "needs a video's info first (its thumbnail URL)")
        reply = request("GET", self.url("/api/thumbnail", url=self.thumbnail_url), headers={"Accept": IMG_ACCEPT})
        unreachable = self._youtube_unreachable("thumbnail", reply)
        if unreachable:
            return unreachable
        kind = reply.headers.get("content-type", "")
        if reply.status != 200 or not kind.startswith("image/"):
            return Row("thumbnail", FAIL, _describe(reply))
        if not reply.body.startswith(IMAGE_MAGIC):
            # API Gateway base64-encodes binary unless binaryMediaTypes matches the Accept.
            return Row("thumbnail", FAIL, f"{kind} body is not image bytes (base64? check binary media types)")
        return Row("thumbnail", OK, f"{kind}, {len(reply.body)} bytes")

    def cors_preflight(self) -> Row:
        headers = {
            "Origin": self.origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        }
        reply = request("OPTIONS", self.url("/api/poetry/generate"), headers=headers)
        methods = reply.headers.get("access-control-allow-methods", "")
        if reply.status not in (200, 204) or not _cors_ok(reply, self.origin) or "POST" not in methods.upper():
            allowed = reply.headers.get("access-control-allow-origin")
            return Row("cors preflight", FAIL, f"{reply.status}, allow-origin {allowed!r}, methods {methods!r}")
        return Row("cors preflight", OK, f"{self.origin} may POST")

    def unknown_path(self) -> Row:
        reply = request("GET", self.url("/api/no-such-route"), headers={"Origin": self.origin})
        data = reply.json()
        if reply.status != 404 or not isinstance(data, dict) or "error" not in data:
            return Row("unknown path", FAIL, f"expected 404 error JSON, got {_describe(reply)}")
        if not _cors_ok(reply, self.origin):
            return Row("unknown path", FAIL, "404 without CORS: the frontend could not read the error")
        return Row("unknown path", OK, f"404 {data['error']}")

    def stage_prefix(self) -> Row:
        path = urllib.parse.urlsplit(self.base).path.rstrip("/")
        if not path.endswith(f"/{STAGE}"):
            return Row(
                "stage prefix",
                FAIL,
                f"{self.base} lacks /{STAGE}: VITE_API_ENDPOINT must be the invoke URL with its stage",
            )
        return Row("stage prefix", OK, f"every call above went through /{STAGE}")

    def run(self) -> list[Row]:
        checks = [
            ("poem", self.poem),
            ("video info", self.video_info),
            ("thumbnail", self.thumbnail),
            ("cors preflight", self.cors_preflight),
            ("unknown path", self.unknown_path),
            ("stage prefix", self.stage_prefix),
        ]
        return [self._try(name, check) for name, check in checks]


def render(rows: list[Row]) -> str:
    table = [("Check", "Status", "Detail")] + [(r.name, r.status, r.detail) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(2)]
    lines = [f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}" for row in table]
    lines.insert(1, f"{'-' * widths[0]}  {'-' * widths[1]}  ------")
    return "\n".join(lines)


def origin_for(env: str | None) -> str:
    """The origin a browser would send: the environment's one allowed origin, or Vite's in dev."""
    if not env:
        return VITE_ORIGIN
    from tools.deploy.preflight import _load

    origins = _load(REPO / "terraform" / "environments" / f"{env}.tfvars").get("allowed_origins") or ["*"]
    return VITE_ORIGIN if origins[0] == "*" else origins[0]


def api_url(text: str) -> str:
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an http(s) URL such as https://<id>.execute-api.<region>.amazonaws.com/Prod"
        )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, type=api_url, help="the API's invoke URL with its stage, e.g. .../Prod")
    parser.add_argument("--env", choices=("dev", "staging", "prod"), help="read the origin from this var-file")
    parser.add_argument("--origin", help="Origin header to send (default: the environment's, or Vite's)")
    parser.add_argument("--video", help="a YouTube video URL for the info and thumbnail routes")
    args = parser.parse_args(argv)
    verifier = Verifier(args.url, args.origin or origin_for(args.env), args.video)
    rows = verifier.run()
    print(f"verify {verifier.base} (origin {verifier.origin})")
    print(render(rows))
    failed = [r for r in rows if r.status == FAIL]
    print(
        f"\n{len(failed)} failed, {sum(r.status == SKIP for r in rows)} skipped, {sum(r.status == OK for r in rows)} ok"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
