"""The analysis as users and Lambda meet it: the command line, the youtube function's transcode
and event through the handler, the numba cache under /tmp, nothing written elsewhere, and the
committed fixtures."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from analysis_signals import click_track, encode, progression, speech_like

from functions.analysis import handler
from functions.analysis.key import PITCH_CLASSES
from functions.common.contract import component_validator
from functions.youtube import invoker, transcode

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "analysis"
SR = 22050


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=240, **kwargs)


def test_analysis_cli_prints_the_full_schema(tmp_path):
    path = tmp_path / "song.wav"
    path.write_bytes(encode(progression(0, "major", sr=SR, bars=8) + click_track(120, 16.0, sr=SR), SR, "wav"))
    out = _run("-m", "functions.analysis", str(path), env=_env())
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    component_validator("Analysis")(result)
    assert (result["key"], result["mode"]) == ("C", "major")
    assert "song.wav: analysed in" in out.stderr


def test_analysis_cli_reports_several_files_and_a_bad_one(tmp_path):
    good = tmp_path / "speech.flac"
    good.write_bytes(encode(speech_like(6.0, sr=SR), SR, "flac"))
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"ID3 but not really audio" * 10)
    out = _run("-m", "functions.analysis", "--quiet", str(good), str(bad), str(tmp_path / "missing.wav"), env=_env())
    assert out.returncode == 1
    results = json.loads(out.stdout)
    assert [r["file"] for r in results] == [str(good)]
    assert "bad.mp3: The audio could not be decoded" in out.stderr and "missing.wav: no such file" in out.stderr


def test_analysis_handler_analyses_the_event_the_youtube_function_sends(tmp_path, lambda_context):
    # A 44.1 kHz stereo download through youtube's own ffmpeg pass and event builder.
    song = progression(2, "major", sr=44100, bars=8) + click_track(110, 16.0, sr=44100)
    source = tmp_path / "download.wav"
    source.write_bytes(encode(np.stack([song, 0.8 * song], axis=1), 44100, "wav"))
    audio = transcode.to_analysis_audio(
        source, tmp_path / "audio.ogg", ffmpeg=transcode.find_ffmpeg(), max_seconds=600, timeout_s=60
    )
    info = sf.info(str(audio))
    assert (info.format, info.subtype, info.channels, info.samplerate) == ("OGG", "VORBIS", 1, transcode.SAMPLE_RATE_HZ)
    lufs = transcode.source_loudness(audio)
    assert lufs is not None
    payload = invoker.build_event(audio.read_bytes(), fmt="ogg", source={"type": "youtube", "id": "abc"}, loudness=lufs)

    result = handler.lambda_handler(json.loads(payload), lambda_context)
    analysis = result["analysis"]
    component_validator("Analysis")(analysis)
    assert (analysis["key"], analysis["mode"]) == ("D", "major")
    assert analysis["tempo"] == pytest.approx(110, rel=0.04)
    assert analysis["duration"] == pytest.approx(16.0, abs=0.1)
    assert analysis["loudness"] == pytest.approx(lufs, abs=0.01)  # the original's, not the mixdown's


IMPORT_AND_REPORT = (
    "import os, functions.analysis.handler as h, numba;"
    "print(os.environ['NUMBA_CACHE_DIR']); print(numba.config.CACHE_DIR)"
)


def test_analysis_handler_points_numba_at_tmp_before_librosa_loads():
    out = _run("-c", IMPORT_AND_REPORT, env=_env())
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["/tmp/numba_cache", "/tmp/numba_cache"]


def test_analysis_handler_keeps_a_numba_cache_dir_that_is_already_set(tmp_path):
    out = _run("-c", IMPORT_AND_REPORT, env=_env(NUMBA_CACHE_DIR=str(tmp_path / "shipped")))
    assert out.stdout.split() == [str(tmp_path / "shipped")] * 2


def _snapshot(*dirs: Path) -> set[tuple[str, float]]:
    return {(str(p), p.stat().st_mtime) for d in dirs for p in d.rglob("*") if "__pycache__" not in p.parts}


def test_analysis_handler_writes_nothing_outside_tmp(tmp_path):
    import librosa

    watched = [ROOT / "functions", Path(librosa.__file__).parent, Path(__file__).parent]
    before = _snapshot(*watched)
    work = tmp_path / "cwd"
    work.mkdir()
    data = base64.b64encode(encode(click_track(120, 3.0, sr=SR), SR, "flac")).decode()
    code = (
        "import json, sys, types, functions.analysis.handler as h;"
        "ctx = types.SimpleNamespace(function_name='analysis', memory_limit_in_mb=2048, aws_request_id='r',"
        " invoked_function_arn='arn:aws:lambda:us-east-1:1:function:analysis');"
        "r = h.lambda_handler(json.loads(sys.stdin.read()), ctx); print(json.dumps(r)[:40])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=work,
        input=json.dumps({"audio": data, "format": "flac"}),
        capture_output=True,
        text=True,
        timeout=240,
        env=_env(PYTHONDONTWRITEBYTECODE="1", HOME=str(tmp_path / "home")),
    )
    assert out.returncode == 0 and '"analysis"' in out.stdout, out.stderr
    assert _snapshot(*watched) == before
    assert list(work.iterdir()) == [] and not (tmp_path / "home").exists()


@pytest.mark.parametrize("name", sorted(json.loads((FIXTURES / "truth.json").read_text())))
def test_analysis_committed_fixtures_read_as_rendered(name):
    truth = json.loads((FIXTURES / "truth.json").read_text())[name]
    data = (FIXTURES / name).read_bytes()
    from functions.analysis.analyzer import analyze

    result = analyze(data, format="ogg")
    component_validator("Analysis")(result)
    if truth["kind"] == "speech":
        assert result["speechiness"] > 0.66
        return
    assert result["speechiness"] < 0.33
    assert result["tempo"] == pytest.approx(truth["tempo"], rel=0.04)
    assert (PITCH_CLASSES[result["keyIndex"]], result["mode"]) == (truth["key"], truth["mode"])
