"""A build that skipped .pyc or the numba cache says so in manifest.json `degraded`, and the
deploy path (make build-check, make deploy-gate before plan/deploy) refuses it unless
ALLOW_DEGRADED=1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import build_helpers  # noqa: F401  (puts build/ on sys.path)
import pytest
from lambdabuild import __main__ as cli
from lambdabuild import build, layers, manifest, runenv, sandbox
from lambdabuild.config import Function, Layer, Target

HERE = f"{sys.version_info.major}.{sys.version_info.minor}"


def project(root: Path, *, python_version: str, numba_cache: bool) -> None:
    """A one-function, one-layer project: functions/alpha with layer `libs`."""
    fdir = root / "functions"
    for rel, text in {
        "__init__.py": "",
        "openapi.yaml": "{}\n",
        "common/__init__.py": "",
        "alpha/__init__.py": "",
        "alpha/handler.py": "def lambda_handler(event, context):\n    return {}\n",
    }.items():
        (fdir / rel).parent.mkdir(parents=True, exist_ok=True)
        (fdir / rel).write_text(text)
    settings = {
        "runtime": f"python{python_version}",
        "python_version": python_version,
        "architecture": "x86_64",
        "glibc": "2.34",
        "functions": {"alpha": {"handler": "functions.alpha.handler.lambda_handler", "layers": ["libs"]}},
    }
    (fdir / "settings.json").write_text(json.dumps(settings))
    (root / "layers" / "libs").mkdir(parents=True)
    (root / "layers" / "libs" / "requirements.txt").write_text("")
    (root / "layers" / "libs" / "layer.json").write_text(json.dumps({"numba_cache": numba_cache}))


@pytest.fixture
def offline_layers(monkeypatch):
    """prepare_layer without pip: one pure-Python module in the layer."""

    def prepare(layer, stage, work, target):
        (stage / "python").mkdir(parents=True)
        (stage / "python" / "libmod.py").write_text("X = 1\n")
        return layers.TrimReport(), frozenset()

    monkeypatch.setattr(build.layers, "prepare_layer", prepare)
    monkeypatch.delenv("BUILD_SETTINGS", raising=False)
    monkeypatch.delenv("ALLOW_DEGRADED", raising=False)
    monkeypatch.setenv("BUILD_NUMBA_CACHE", "auto")


def variant(root: Path, python_version: str) -> build.Variant:
    target = Target(
        runtime=f"python{python_version}", python_version=python_version, architecture="x86_64", glibc="2.34"
    )
    return build.Variant(target=target, dist=root / "build/dist", work=root / "build/work", label="target")


def test_build_without_target_python_records_pyc_as_degraded_and_the_cache_skip_as_info(
    tmp_path, offline_layers, monkeypatch
):
    project(tmp_path, python_version="3.12", numba_cache=True)
    monkeypatch.setattr(build.sandbox, "find_interpreter", lambda version: None)
    doc = build.build(variant(tmp_path, "3.12"), root=tmp_path)
    # Missing .pyc cost every cold start their compile; a skipped numba cache costs nothing while
    # the analysis path caches nothing, so it is reported, not gated.
    assert [(d["artifact"], d["skipped"]) for d in doc["degraded"]] == [("layer/libs", "pyc")]
    info = json.loads((tmp_path / "build/dist/build-info.json").read_text())
    assert info["layers"]["libs"]["numba_cache"]["status"] == "skipped"
    assert "no CPython 3.12" in info["layers"]["libs"]["numba_cache"]["reason"]
    assert json.loads((tmp_path / "build/dist/manifest.json").read_text())["degraded"] == doc["degraded"]


@pytest.fixture
def this_python(monkeypatch):
    """The target interpreter is the one running the tests, so .pyc get compiled."""
    here = sandbox.probe(sys.executable)
    if here is None:
        pytest.skip("this interpreter's prefix cannot be probed")
    monkeypatch.setattr(build.sandbox, "find_interpreter", lambda version: here)


def test_build_with_everything_built_records_nothing_degraded(tmp_path, offline_layers, this_python):
    # The layer asks for no numba cache, so nothing is skipped.
    project(tmp_path, python_version=HERE, numba_cache=False)
    doc = build.build(variant(tmp_path, HERE), root=tmp_path)
    assert doc["degraded"] == []
    assert manifest.deploy_problems(doc, allow=False) == []


def test_build_failed_numba_warmup_is_recorded_as_degraded(tmp_path, offline_layers, this_python, monkeypatch):
    project(tmp_path, python_version=HERE, numba_cache=True)
    failed = {"status": "failed", "reason": "warm-up of alpha failed"}
    monkeypatch.setattr(build, "build_numba_cache", lambda *args: failed)
    doc = build.build(variant(tmp_path, HERE), root=tmp_path)
    assert doc["degraded"] == [
        {
            "artifact": "layer/libs",
            "skipped": "numba_cache",
            "reason": "failed: warm-up of alpha failed",
            "effect": "the analysis did not run under the target runtime; nothing numba caches was checked",
        }
    ]


class FailingBox:
    """A sandbox whose warm-up process exits 1, as a crashing handler does."""

    def __init__(self, root, interpreter, site):
        self.root, self.tmp = root, root / "tmp"

    def populate(self, *args):
        pass

    def run(self, argv, env, *, timeout, program=None):
        return subprocess.CompletedProcess(argv, 1, stdout="", stderr="ImportError: no module named librosa")


@pytest.fixture
def failing_warmup(tmp_path, monkeypatch):
    interp = sandbox.Interpreter(executable="/usr/bin/python3.12", prefix="/usr", version="3.12")
    monkeypatch.setattr(build, "target_interpreter", lambda v: interp)
    monkeypatch.setattr(build.sandbox, "namespaces_unavailable", lambda: None)
    monkeypatch.setattr(build.sandbox, "Sandbox", FailingBox)
    monkeypatch.setattr(build, "runtime_site", lambda v: tmp_path / "site")
    monkeypatch.setattr(build.events, "invocations", lambda *a, **k: [{"name": "direct", "event": {}}])
    monkeypatch.setattr(build.runenv, "lambda_env", lambda fn, target, **kwargs: {})
    fn = Function(name="alpha", handler="h.h", layers=("libs",), internal=True)
    layer = Layer(name="libs", directory=tmp_path, config={"numba_cache": True})
    args = (variant(tmp_path, "3.12"), layer, tmp_path / "stage", [fn], {"libs": tmp_path / "l.zip"})
    return args + ({"alpha": tmp_path / "f.zip"},)


def test_build_numba_warmup_failure_degrades_under_auto(failing_warmup, monkeypatch):
    monkeypatch.setenv("BUILD_NUMBA_CACHE", "auto")
    result = build.build_numba_cache(*failing_warmup)
    assert result == {"status": "failed", "reason": "warm-up of alpha failed"}


def test_build_numba_warmup_failure_fails_the_build_when_required(failing_warmup, monkeypatch):
    monkeypatch.setenv("BUILD_NUMBA_CACHE", "1")
    with pytest.raises(RuntimeError, match="BUILD_NUMBA_CACHE=1.*warm-up of alpha failed"):
        build.build_numba_cache(*failing_warmup)


def test_build_numba_warmup_reads_locals_tf_of_the_root_it_builds(failing_warmup, tmp_path):
    # The warm-up mirrors Terraform's variables from the project being built, and an unreadable
    # locals.tf stops the build with its reason (`lambdabuild build` prints it, no traceback).
    with pytest.raises(runenv.TerraformLocalsError, match="locals.tf"):
        build.build_numba_cache(*failing_warmup, tmp_path)


def write_manifest(dist: Path, **extra) -> Path:
    doc = {
        "target": {"runtime": "python3.12", "architecture": "x86_64", "python_version": "3.12", "glibc": "2.34"},
        "artifacts": {},
        "functions": {},
        **extra,
    }
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "manifest.json").write_text(json.dumps(doc))
    return dist


SKIPPED_PYC = manifest.degradation("layer/libs", "pyc", "no CPython 3.12 found", "cold starts compile sources")


def test_build_deploy_gate_refuses_a_degraded_build(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ALLOW_DEGRADED", raising=False)
    dist = write_manifest(tmp_path / "dist", degraded=[SKIPPED_PYC])
    assert cli.deployable(dist) == 1
    err = capsys.readouterr().err
    assert "refusing to deploy" in err and "layer/libs: no pyc (no CPython 3.12 found)" in err
    assert "ALLOW_DEGRADED=1" in err


def test_build_deploy_gate_accepts_a_degraded_build_when_allowed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALLOW_DEGRADED", "1")
    dist = write_manifest(tmp_path / "dist", degraded=[SKIPPED_PYC])
    assert cli.deployable(dist) == 0
    assert "deploying a degraded build (ALLOW_DEGRADED=1): layer/libs: no pyc" in capsys.readouterr().err


def test_build_deploy_gate_passes_a_complete_build(tmp_path, monkeypatch):
    monkeypatch.delenv("ALLOW_DEGRADED", raising=False)
    assert cli.deployable(write_manifest(tmp_path / "dist", degraded=[])) == 0


def test_build_deploy_gate_refuses_a_manifest_that_recorded_nothing(tmp_path, monkeypatch, capsys):
    # Written before builds recorded degradation: what it skipped is unknown.
    monkeypatch.delenv("ALLOW_DEGRADED", raising=False)
    assert cli.deployable(write_manifest(tmp_path / "dist")) == 1
    assert "no `degraded` record" in capsys.readouterr().err


def test_build_deploy_gate_refuses_a_missing_manifest(tmp_path, capsys):
    assert cli.deployable(tmp_path / "dist") == 1
    assert "run 'make build' first" in capsys.readouterr().err


def test_build_deploy_gate_refuses_over_budget_even_when_degraded_is_allowed(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLOW_DEGRADED", "1")
    fn = {"artifact": "function/a", "layers": [], "unzipped_total_bytes": 300 * 1024 * 1024}
    assert cli.deployable(write_manifest(tmp_path / "dist", functions={"a": fn}, degraded=[])) == 1


def test_build_check_refuses_a_degraded_build_unless_allowed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "ROOT", tmp_path)  # artifact paths are relative to the project root
    dist = write_manifest(tmp_path / "build/dist", degraded=[SKIPPED_PYC])
    monkeypatch.delenv("ALLOW_DEGRADED", raising=False)
    assert cli.check(dist) == 1
    assert "degraded: layer/libs: no pyc" in capsys.readouterr().out
    monkeypatch.setenv("ALLOW_DEGRADED", "1")
    assert cli.check(dist) == 0
    assert "allowed (ALLOW_DEGRADED=1): layer/libs: no pyc" in capsys.readouterr().out


@pytest.mark.parametrize(("value", "allowed"), [("1", True), ("0", False), ("", False), ("yes", False)])
def test_build_allow_degraded_only_on_1(value, allowed):
    assert manifest.allow_degraded({"ALLOW_DEGRADED": value}) is allowed


def test_build_cli_prints_a_build_error_without_a_traceback(monkeypatch, capsys):
    def fail(variant):
        raise runenv.TerraformLocalsError("cannot parse terraform/locals.tf: line 3")

    monkeypatch.setattr(cli.build, "build", fail)
    monkeypatch.setattr(cli.build, "local_variant", lambda: None)
    assert cli.main(["build", "--local-python"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("build failed: cannot parse terraform/locals.tf") and "Traceback" not in err
