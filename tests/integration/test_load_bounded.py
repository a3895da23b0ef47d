"""A short, bounded version of `make load` (CI): concurrent poetry and thumbnail requests to
the local API must all succeed. Functions resolve concurrently in one process here, so this
also proves one function's request never sees another's event."""

from tools import loadtest


def test_load_bounded_concurrent_mix_has_no_errors(start_api, monkeypatch):
    from functions.thumbnail import handler

    monkeypatch.setattr(handler, "fetcher", handler.fetcher)  # restored after the test
    upstream = loadtest.local_thumbnail_upstream()
    try:
        gateway = loadtest.gateway_for(12)
        api = start_api(gateway)
        report = loadtest.run(
            base=api.base,
            clients=12,
            seconds=2.0,
            routes={"poetry": loadtest._poetry, "thumbnail": loadtest._thumbnail},
            min_requests=10,  # a size, not a speed: 60 requests a route however slow the machine
        )
    finally:
        upstream.close()
    assert report["errors"] == 0, report["error_samples"]
    assert report["by_route"]["poetry"]["requests"] >= 60 and report["by_route"]["thumbnail"]["requests"] >= 60
    # Environments are reused: far fewer cold starts than requests, never more than the clients.
    started = loadtest.environments_started(gateway)
    assert all(1 <= n <= 12 for n in started.values()), started
    assert sum(started.values()) < report["requests"] / 5, started
