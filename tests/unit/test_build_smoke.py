"""Smoke-run pieces that need no sandbox: the function environment, the events, the verdicts."""

import base64
import io
import json

import build_helpers  # noqa: F401  (puts build/ on sys.path)
import pytest
import soundfile as sf
from lambdabuild import events, runenv, smoke
from lambdabuild.config import Function, Target

TARGET = Target(runtime="python3.12", python_version="3.12", architecture="x86_64", glibc="2.34")
OPENAPI = {
    "paths": {
        "/api/poetry/generate": {"post": {"operationId": "generatePoetry", "x-function": "poetry"}},
        "/api/things": {
            "get": {
                "operationId": "listThings",
                "x-function": "things",
                "parameters": [{"name": "q", "in": "query", "required": True}, {"name": "page", "in": "query"}],
            }
        },
    }
}


def test_build_lambda_env_is_exactly_lambda_settings_and_terraform(monkeypatch):
    monkeypatch.setenv("HOME_SECRET_FROM_THIS_MACHINE", "leak")
    fn = Function(
        name="youtube",
        handler="functions.youtube.handler.lambda_handler",
        layers=("common",),
        env={"MAX_DURATION_SECONDS": "600"},
        memory=1024,
        timeout=28,
    )
    env = runenv.lambda_env(
        fn, TARGET, all_functions=["youtube", "analysis"], grants={"youtube": {"cache": True, "invoke": ["analysis"]}}
    )
    assert "HOME_SECRET_FROM_THIS_MACHINE" not in env and "HOME" not in env
    assert env["_HANDLER"] == "functions.youtube.handler.lambda_handler"
    assert env["MAX_DURATION_SECONDS"] == "600"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "1024"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["PATH"].endswith(":/opt/bin") and env["LAMBDA_TASK_ROOT"] == "/var/task"
    assert env["POWERTOOLS_SERVICE_NAME"] == "youtube" and env["ALLOWED_ORIGINS"] == "*"
    assert env["CACHE_TABLE_NAME"] == "music-poetry-smoke-cache"
    assert env["ANALYSIS_FUNCTION_NAME"] == "music-poetry-smoke-analysis"


def test_build_terraform_grants_read_the_real_locals():
    # The smoke mirrors what Terraform adds to each function's environment from terraform/locals.tf.
    grants = runenv.terraform_grants()
    assert grants["youtube"] == {"cache": True, "invoke": ["analysis"]}
    assert grants["poetry"]["invoke"] == [] and grants["poetry"]["cache"] is False


def locals_tf(root, text):
    (root / "terraform").mkdir()
    (root / "terraform" / "locals.tf").write_text(text)
    return root


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("locals {\n  function_grants = {\n", "cannot parse"),
        ("locals {\n  a = 1\n}\n", "neither local.function_grants nor local.function_invokes"),
    ],
)
def test_build_terraform_grants_refuse_an_unusable_locals_tf(tmp_path, text, message):
    with pytest.raises(runenv.TerraformLocalsError, match=message):
        runenv.terraform_grants(locals_tf(tmp_path, text))


def test_build_terraform_grants_refuse_a_missing_locals_tf(tmp_path):
    with pytest.raises(runenv.TerraformLocalsError, match="cannot read .*locals.tf"):
        runenv.terraform_grants(tmp_path)


def test_build_terraform_grants_read_invokes_alone(tmp_path):
    root = locals_tf(tmp_path, 'locals {\n  function_invokes = {\n    youtube = ["analysis"]\n  }\n}\n')
    assert runenv.terraform_grants(root) == {"youtube": {"cache": False, "invoke": ["analysis"]}}


def test_build_smoke_fails_when_locals_tf_is_unreadable(tmp_path, monkeypatch, capsys):
    # Without Terraform's per-grant variables the handlers would run in an environment Lambda never has.
    from lambdabuild import build, sandbox

    monkeypatch.setattr(sandbox, "namespaces_unavailable", lambda: None)
    root = locals_tf(tmp_path, "locals {\n")
    variant = build.Variant(target=TARGET, dist=tmp_path / "dist", work=tmp_path / "work", label="py")
    assert smoke.run(variant, root=root) == 2
    assert "smoke: cannot parse" in capsys.readouterr().err


def test_build_lambda_env_internal_function_has_no_cors():
    fn = Function(name="analysis", handler="functions.analysis.handler.lambda_handler", layers=(), internal=True)
    env = runenv.lambda_env(fn, TARGET, grants={})
    assert "ALLOWED_ORIGINS" not in env and "CACHE_TABLE_NAME" not in env


def test_build_http_events_follow_the_recorded_fixture():
    (inv,) = events.invocations("poetry", internal=False, openapi=OPENAPI)
    event = inv["event"]
    fixture = json.loads(events.FIXTURE.read_text())
    assert set(event) == set(fixture)
    assert event["httpMethod"] == "POST" and event["requestContext"]["path"] == "/Prod/api/poetry/generate"
    assert json.loads(event["body"])["persona"] == "hamlet"
    (get,) = events.invocations("things", internal=False, openapi=OPENAPI)
    assert get["event"]["queryStringParameters"] == {"q": "smoke"}
    assert get["event"]["multiValueQueryStringParameters"] == {"q": ["smoke"]}
    assert get["event"]["body"] is None and "content-type" not in get["event"]["headers"]


def test_build_events_refuse_functions_without_any():
    with pytest.raises(KeyError, match="DIRECT_EVENTS"):
        events.invocations("mystery", internal=True, openapi=OPENAPI)
    with pytest.raises(KeyError, match="x-function"):
        events.invocations("mystery", internal=False, openapi=OPENAPI)


def test_build_analysis_event_is_decodable_ogg():
    # The youtube function sends mono Vorbis at 22,050 Hz (functions/youtube/transcode.py).
    event = events.analysis_event(2.0)
    data, rate = sf.read(io.BytesIO(base64.b64decode(event["audio"])))
    assert event["format"] == "ogg" and rate == 22050 and abs(len(data) / rate - 2.0) < 0.05


def proxy(status, body, ctype="application/json"):
    return {
        "phase": "invoke",
        "result": {
            "statusCode": status,
            "headers": {"Content-Type": ctype},
            "body": json.dumps(body) if isinstance(body, dict) else body,
        },
    }


@pytest.mark.parametrize(
    "record,ok",
    [
        (proxy(200, {"success": True}), True),
        (proxy(200, {"success": False}), False),
        (proxy(503, {"error": "Upstream unavailable", "details": "no network"}), True),
        (proxy(502, {"error": "The thumbnail host could not be resolved"}), True),
        (proxy(502, {"error": "x", "details": None}), False),
        (proxy(500, {"message": "Internal server error"}), False),
        (proxy(502, "<html>"), False),
        (proxy(200, "aGk=", ctype="image/jpeg"), True),
        ({"phase": "invoke", "result": None}, False),
        ({"phase": "invoke", "error": "Traceback ...\nKeyError: 'x'"}, False),
    ],
)
def test_build_smoke_verdicts_for_http(record, ok):
    assert smoke.check_result(False, record)[0] is ok


def test_build_smoke_reads_multi_value_headers():
    record = {
        "result": {
            "statusCode": 503,
            "multiValueHeaders": {"Content-Type": ["application/json"]},
            "body": json.dumps({"error": "YouTube refused", "details": "no network"}),
        }
    }
    ok, summary = smoke.check_result(False, record)
    assert ok and summary.startswith("503 'YouTube refused'")


def test_build_smoke_verdicts_for_direct():
    assert smoke.check_result(True, {"result": {"analysis": {"tempo": 120.0}}})[0] is True
    assert smoke.check_result(True, {"result": {"error": "bad audio", "status": 400}})[0] is False


def test_build_sandbox_script_mounts_tmp_last_and_drops_to_nobody(tmp_path):
    from lambdabuild import sandbox

    interp = sandbox.Interpreter(executable="/usr/bin/python3.12", prefix="/usr/local", version="3.12")
    box = sandbox.Sandbox(tmp_path / "box", interp, tmp_path / "site")
    lines = box.script(["/var/runtime/bootstrap.py"], {"A": "1 2"}).splitlines()
    binds = [i for i, line in enumerate(lines) if "mount --bind" in line]
    assert "/tmp" == lines[binds[-1]].split()[-1]
    assert any("remount,bind,ro /opt" in line for line in lines)
    assert lines[-1].startswith("exec setpriv --reuid=65534 --regid=65534")
    assert "env -i 'A=1 2' /var/lang/bin/python3.12 /var/runtime/bootstrap.py" in lines[-1]
