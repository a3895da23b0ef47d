import json

import pytest

from functions.common import errors
from functions.common.deadline import Deadline
from functions.common.http import make_resolver
from functions.common.mood import MOODS, mood_center, mood_label
from functions.common.observability import logger_for


def _app():
    app = make_resolver(logger_for("test"))

    @app.get("/boom/<kind>")
    def boom(kind):
        if kind == "unexpected":
            raise RuntimeError("secret internal detail /var/task/x.py")
        raise getattr(errors, kind)("Something failed", "more")

    @app.get("/ok")
    def ok():
        return {"success": True}

    return app


def _call(app, rest_event, lambda_context, path, origin="http://localhost:5173"):
    event = rest_event(method="GET", path=path, headers={"origin": origin} if origin else {})
    result = app.resolve(event, lambda_context)
    headers = {k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items()}
    headers.update(result.get("headers") or {})
    return result["statusCode"], headers, json.loads(result["body"]) if result["body"] else None


@pytest.mark.parametrize(
    "name,status",
    [
        ("BadRequest", 400),
        ("Forbidden", 403),
        ("NotFound", 404),
        ("PayloadTooLarge", 413),
        ("TooManyRequests", 429),
        ("InternalError", 500),
        ("BadGateway", 502),
        ("ServiceUnavailable", 503),
        ("GatewayTimeout", 504),
    ],
)
def test_error_mapping_status_and_body(name, status, rest_event, lambda_context):
    code, _, body = _call(_app(), rest_event, lambda_context, f"/boom/{name}")
    assert code == status
    assert body == {"error": "Something failed", "details": "more"}


def test_error_mapping_unexpected_exception_hides_trace(rest_event, lambda_context):
    code, _, body = _call(_app(), rest_event, lambda_context, "/boom/unexpected")
    assert code == 500
    assert set(body) == {"error", "details"}
    assert "secret" not in json.dumps(body) and "Traceback" not in json.dumps(body)


def test_error_mapping_unknown_route_is_404_json(rest_event, lambda_context):
    code, _, body = _call(_app(), rest_event, lambda_context, "/nope")
    assert code == 404 and body["error"] == "Not found"


def test_cors_echoes_allowed_origin_with_vary(monkeypatch, rest_event, lambda_context):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://poetry.example.com, http://localhost:5173")
    code, headers, _ = _call(_app(), rest_event, lambda_context, "/ok", origin="http://localhost:5173")
    assert code == 200
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert headers["Vary"] == "Origin"


def test_cors_refuses_unknown_origin(monkeypatch, rest_event, lambda_context):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://poetry.example.com")
    code, headers, _ = _call(_app(), rest_event, lambda_context, "/ok", origin="https://evil.example")
    assert code == 200
    assert "Access-Control-Allow-Origin" not in headers


def test_cors_errors_carry_headers_too(monkeypatch, rest_event, lambda_context):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://poetry.example.com")
    code, headers, _ = _call(
        _app(), rest_event, lambda_context, "/boom/BadRequest", origin="https://poetry.example.com"
    )
    assert code == 400 and headers["Access-Control-Allow-Origin"] == "https://poetry.example.com"


def test_cors_wildcard_in_dev(rest_event, lambda_context):
    _, headers, _ = _call(_app(), rest_event, lambda_context, "/ok", origin="http://anything:1")
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_deadline_remaining_subtracts_reserve():
    deadline = Deadline(lambda: 10_000, reserve_s=1.5)
    assert deadline.remaining() == pytest.approx(8.5, abs=0.01)


def test_deadline_api_limit_caps_longer_lambda_timeout():
    now = [100.0]
    deadline = Deadline(lambda: 60_000, reserve_s=1.0, clock=lambda: now[0])
    assert deadline.remaining() == pytest.approx(28.0)
    now[0] += 20
    assert deadline.remaining() == pytest.approx(8.0)


def test_deadline_require_raises_gateway_timeout():
    deadline = Deadline(lambda: 3_000, reserve_s=1.0)
    assert deadline.require(1.0, "step") == pytest.approx(2.0, abs=0.01)
    with pytest.raises(errors.GatewayTimeout) as info:
        deadline.require(5.0, "download")
    assert info.value.status == 504 and "download" in info.value.details


def test_deadline_from_context_reads_the_remaining_lambda_time(lambda_context):
    assert 0 < Deadline.from_context(lambda_context).remaining() <= 25


@pytest.mark.parametrize(
    "valence,energy,label",
    [
        (0.1, 0.1, "melancholic"),
        (0.5, 0.1, "calm"),
        (0.9, 0.1, "peaceful"),
        (0.1, 0.5, "dark"),
        (0.5, 0.5, "neutral"),
        (0.9, 0.5, "uplifting"),
        (0.1, 0.9, "tense"),
        (0.5, 0.9, "energetic"),
        (0.9, 0.9, "joyful"),
        (-3, 7, "tense"),
    ],
)
def test_mood_label_maps_the_valence_energy_grid_and_clamps_outliers(valence, energy, label):
    assert mood_label(valence=valence, energy=energy) == label


def test_mood_center_round_trips():
    for label in MOODS:
        v, e = mood_center(label)
        assert mood_label(valence=v, energy=e) == label
    with pytest.raises(ValueError):
        mood_center("ecstatic")


def test_cors_follows_allowed_origins_changed_after_import(monkeypatch, rest_event, lambda_context):
    app = _app()  # built while ALLOWED_ORIGINS is "*"
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://poetry.example.com")
    _, headers, _ = _call(app, rest_event, lambda_context, "/ok", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in headers
