"""Bounded, self-stopping load run against the local API on loopback (`make load`).

Starts the local API in this process on a free 127.0.0.1 port, with thumbnails served by a
loopback TLS upstream, runs N keep-alive clients for D seconds over offline poetry and
thumbnails, and prints JSON with counts, errors and p50/p99 latency. Exits 1 on any error.
Each function may run as many execution environments as there are clients (as an unreserved
Lambda function scales out), so the run measures the local API, not throttling; the report
says how many environments each function started.
With --url (a loopback address only) it drives an already running API, poetry only; that
server's own concurrency applies there, and a throttled request counts as an error."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

POEMS = [
    {"audioFeatures": {"tempo": 128, "energy": 0.8, "mode": "major"}, "persona": "hamlet", "language": "ko"},
    {"audioFeatures": {"tempo": 70, "energy": 0.2, "valence": 0.1}, "persona": "noir", "language": "en"},
    {"audioFeatures": {"tempo": 170, "energy": 0.95, "danceability": 0.9}, "persona": "zen", "language": "en"},
]
MAX_REQUESTS_PER_CLIENT = 100_000  # a second bound besides time


def _poetry(i: int):
    return (
        "POST",
        "/api/poetry/generate",
        json.dumps(POEMS[i % len(POEMS)]).encode(),
        {"Content-Type": "application/json"},
        200,
    )


THUMB_PATH = "/vi/dQw4w9WgXcQ/hqdefault.jpg"


def _thumbnail(i: int):
    return (
        "GET",
        f"/api/thumbnail?url=https://i.ytimg.com{THUMB_PATH}",
        None,
        {"Accept": "image/avif,image/webp,*/*"},
        200,
    )


def local_thumbnail_upstream():
    """A loopback TLS image server for i.ytimg.com (test CA), wired into the thumbnail handler
    in this process only: the same collaborators the integration tests inject."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "integration"))
    from thumbnail_upstream import JPEG, Reply, TlsUpstream

    from functions.thumbnail import handler as thumbnail_handler

    upstream = TlsUpstream()
    upstream.routes[THUMB_PATH] = Reply(body=JPEG)
    thumbnail_handler.fetcher = upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}, timeout_s=5.0)
    return upstream


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(*, base: str, clients: int, seconds: float, routes: dict, min_requests: int = 0) -> dict:
    """Each client requests the routes in turn for `seconds`, and at least `min_requests` times
    (so a bounded run has the same size on a slow machine as on a fast one)."""
    parts = urlsplit(base)
    host = parts.hostname or "127.0.0.1"
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load runs only against loopback addresses")
    stop_at = time.monotonic() + seconds
    results: dict[str, list] = {name: [] for name in routes}
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int):
        conn = http.client.HTTPConnection(host, parts.port, timeout=30)
        names = list(routes)
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if i >= min_requests and time.monotonic() >= stop_at:
                break
            name = names[(n + i) % len(names)]
            method, path, body, headers, expected = routes[name](i)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status: int | str = resp.status
            except (OSError, http.client.HTTPException) as exc:
                status = f"{type(exc).__name__}"
                conn.close()
                conn = http.client.HTTPConnection(host, parts.port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                results[name].append(elapsed)
                if status != expected:
                    errors.append(f"{name}: {status}")
        conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.monotonic() - started
    all_latencies = [v for values in results.values() for v in values]
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(all_latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:10],
        "requests_per_second": round(len(all_latencies) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(all_latencies, 0.50), 2),
        "p99_ms": round(percentile(all_latencies, 0.99), 2),
        "by_route": {
            name: {
                "requests": len(v),
                "p50_ms": round(percentile(v, 0.5), 2),
                "p99_ms": round(percentile(v, 0.99), 2),
                "mean_ms": round(statistics.fmean(v), 2) if v else 0,
            }
            for name, v in results.items()
        },
    }


def gateway_for(clients: int):
    """The local API's gateway with room for one environment per client in every function."""
    from functions.local_api import settings
    from functions.local_api.server import Gateway

    return Gateway(concurrency={name: max(1, clients) for name in settings.load()["functions"]})


def environments_started(gateway) -> dict:
    return {name: gateway.pool(name).started for name in ("poetry", "thumbnail")}


def _run_with_api(args, routes: dict) -> dict:
    if args.url:
        return run(base=args.url.rstrip("/"), clients=args.clients, seconds=args.seconds, routes=routes)
    from functions.local_api.server import make_server, prepare_environment

    prepare_environment()
    upstream = local_thumbnail_upstream()
    routes["thumbnail"] = _thumbnail
    gateway = gateway_for(args.clients)
    server = make_server("127.0.0.1", 0, gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        report = run(
            base=f"http://127.0.0.1:{server.server_address[1]}",
            clients=args.clients,
            seconds=args.seconds,
            routes=routes,
        )
        return {**report, "environments_started": environments_started(gateway)}
    finally:
        server.shutdown()
        server.server_close()
        upstream.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--url", help="an already running local API on loopback")
    args = parser.parse_args(argv)
    routes = {"poetry": _poetry}
    # Function logs and EMF lines go to stdout as in Lambda; keep stdout for the JSON report.
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        report = _run_with_api(args, routes)
    print(json.dumps(report, indent=2))
    return 1 if report["errors"] or not report["requests"] else 0


if __name__ == "__main__":
    sys.exit(main())
