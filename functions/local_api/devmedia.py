"""A local media server standing in for YouTube in development and tests (never deployed use).

    python -m functions.local_api.devmedia --port 8765
    YOUTUBE_DEV_MEDIA_URL=http://127.0.0.1:8765 make serve

It generates a 45 s demo track shaped A B A with ffmpeg (imageio-ffmpeg locally) in three
audio-only formats shaped like YouTube's (249, 251, 140) and serves, for any video id,
`/videos/<id>.json` (metadata and formats for `devextractor.LocalMediaIE`) and `/media/...`.
A few ids show each failure class; see `SPECIAL_IDS`."""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from functions.youtube.transcode import find_ffmpeg

DEMO_SECONDS = 45
# Shaped A B A (15 s each) so the analysis has sections to find and a poem an arc to follow.
# A: quiet C major triad of sines, B: 10 dB louder F major triad of square waves, both struck
# every 0.5 s (120 BPM, key C major overall). Commas are escaped for the filtergraph.
_DEMO_A = "0.08*(sin(2*PI*261.63*t)+sin(2*PI*329.63*t)+sin(2*PI*392*t))*(0.3+0.7*exp(-10*mod(t,0.5)))"
_DEMO_B = "0.2*(sgn(sin(2*PI*174.61*t))+sgn(sin(2*PI*220*t))+sgn(sin(2*PI*261.63*t)))*(0.4+0.6*exp(-8*mod(t,0.5)))"
DEMO_EXPR = f"if(between(t,15,30),{_DEMO_B},{_DEMO_A})".replace(",", "\\,")
FORMATS = (  # (format_id, file, codec args, acodec, abr kb/s)
    ("249", "249.webm", ["-c:a", "libopus", "-b:a", "48k"], "opus", 48),
    ("251", "251.webm", ["-c:a", "libopus", "-b:a", "128k"], "opus", 128),
    ("140", "140.m4a", ["-c:a", "aac", "-b:a", "128k"], "mp4a.40.2", 128),
)
# 11-character ids (valid YouTube ids) that demonstrate each failure class.
SPECIAL_IDS = {
    "bot-refusal": {"refusal": "bot"},  # 503 YouTube refused this server
    "private-vid": {"refusal": "private"},  # 404
    "removed-vid": {"refusal": "removed"},  # 404
    "unavailable": None,  # 404 (not in the catalog)
    "age-limited": {"refusal": "age"},  # 403
    "members-vid": {"refusal": "members"},  # 403
    "geo-blocked": {"refusal": "geo"},  # 403
    "upcoming-ev": {"refusal": "upcoming"},  # 413 live
    "live-stream": {"is_live": True, "duration": None},  # info 200 isLive; analysis 413
    "toolong-vid": {"duration": 3601},  # 413 too long
    "unknown-dur": {"duration": None},  # like direct media: `duration <? N` lets it through
    "toolarge-mb": {
        "formats": [{"format_id": "249", "url": "/huge", "ext": "webm", "acodec": "opus", "vcodec": "none", "abr": 48}]
    },  # 413 too large
    "upstream503": "503",  # catalog answers 503: 502 upstream error
    "net-refused": {"formats": "closed-port"},  # media host refuses connections: 503 network
    "nolength-mb": {
        "formats": [
            {"format_id": "249", "url": "/nolength", "ext": "webm", "acodec": "opus", "vcodec": "none", "abr": 48}
        ]
    },  # no Content-Length: size checked while reading
    "slow-stream": {
        "formats": [{"format_id": "249", "url": "/slow", "ext": "webm", "acodec": "opus", "vcodec": "none", "abr": 48}]
    },  # trickles bytes: 504
}
HUGE_BYTES = 10 * 1024**3


def generate_media(directory: Path, *, ffmpeg: str | None = None, seconds: int = DEMO_SECONDS) -> dict[str, int]:
    """Write the demo track in every format into `directory`; return {file name: size}."""
    ffmpeg = ffmpeg or find_ffmpeg()
    sizes = {}
    for _fid, name, codec, _acodec, _abr in FORMATS:
        target = directory / name
        subprocess.run(
            [
                ffmpeg,
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"aevalsrc=exprs={DEMO_EXPR}:s=48000:d={seconds}",
                "-ac",
                "2",
                *codec,
                str(target),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        sizes[name] = target.stat().st_size
    return sizes


def _closed_port() -> int:
    with socket.socket() as sock:  # bound then closed: connections to it are refused
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def catalog_entry(video_id: str, sizes: dict[str, int], *, seconds: int = DEMO_SECONDS):
    """The JSON for `/videos/<id>.json`, None for 404, or an int status."""
    special = SPECIAL_IDS.get(video_id, {})
    if special is None or isinstance(special, str):
        return None if special is None else int(special)
    entry = {
        "title": f"Local demo track ({video_id})",
        "channel": "Local media server",
        "duration": seconds,
        "upload_date": "20260101",
        "view_count": 42,
        "is_live": False,
        "formats": [
            {
                "format_id": fid,
                "url": f"/media/{name}",
                "ext": name.rsplit(".", 1)[1],
                "acodec": acodec,
                "vcodec": "none",
                "abr": abr,
                "asr": 48000,
                "filesize": sizes.get(name),
                "protocol": "http",
            }
            for fid, name, _codec, acodec, abr in FORMATS
        ],
    }
    entry.update(special)
    if entry["formats"] == "closed-port":
        entry["formats"] = [
            {
                "format_id": "249",
                "url": f"http://127.0.0.1:{_closed_port()}/249.webm",
                "ext": "webm",
                "acodec": "opus",
                "vcodec": "none",
                "abr": 48,
            }
        ]
    return entry


class _Handler(BaseHTTPRequestHandler):
    media_dir: Path
    sizes: dict[str, int]
    seen: list[str]
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        self.seen.append(path)
        if path.startswith("/videos/") and path.endswith(".json"):
            entry = catalog_entry(path[len("/videos/") : -len(".json")], self.sizes)
            if entry is None:
                return self._send(404, b'{"error": "not found"}')
            if isinstance(entry, int):
                return self._send(entry, b'{"error": "unavailable"}')
            return self._send(200, json.dumps(entry).encode())
        if path.startswith("/media/") and path[len("/media/") :] in self.sizes:
            return self._send(200, (self.media_dir / path[len("/media/") :]).read_bytes(), "application/octet-stream")
        if path == "/huge":  # declares 10 GB; yt-dlp's max_filesize stops at the header
            self.send_response(200)
            self.send_header("Content-Length", str(HUGE_BYTES))
            self.end_headers()
            self.close_connection = True
            return None
        if path == "/nolength":  # read until close; only the byte count can enforce a limit
            self.send_response(200)
            self.end_headers()
            self.wfile.write((self.media_dir / "249.webm").read_bytes())
            self.close_connection = True
            return None
        if path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", str(1024 * 1024))
            self.end_headers()
            try:
                for _ in range(1024):
                    self.wfile.write(b"\0" * 1024)
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            self.close_connection = True
            return None
        return self._send(404, b'{"error": "not found"}')


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up early (max_filesize, deadlines) are expected here


class MediaServer:
    """The server on 127.0.0.1; `with MediaServer() as server: server.url`."""

    def __init__(self, *, port: int = 0, media_dir: Path | None = None, seconds: int = DEMO_SECONDS):
        self._own_dir = media_dir is None
        self.media_dir = Path(tempfile.mkdtemp(prefix="devmedia-")) if media_dir is None else media_dir
        self.requests: list[str] = []  # paths served, in order (tests count downloads)
        try:  # a busy port must not leave the rendered media behind either
            sizes = generate_media(self.media_dir, seconds=seconds)
            handler = type("Handler", (_Handler,), {"media_dir": self.media_dir, "sizes": sizes, "seen": self.requests})
            self._server = _QuietServer(("127.0.0.1", port), handler)
        except BaseException:
            if self._own_dir:
                shutil.rmtree(self.media_dir, ignore_errors=True)
            raise
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> MediaServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._own_dir:
            shutil.rmtree(self.media_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so `kill` also removes the media dir
    with MediaServer(port=args.port) as server:
        print(f"local media server on {server.url}; run: YOUTUBE_DEV_MEDIA_URL={server.url} make serve", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
