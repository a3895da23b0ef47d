"""Any input that decodes gives every schema field, finite and in range; the rest is a 4xx."""

from __future__ import annotations

import math

import numpy as np
import pytest
from analysis_signals import click_track, encode, progression, speech_like, tone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from youtube_schema import ANALYSIS_FIELDS

from functions.analysis.analyzer import analyze
from functions.analysis.decode import AudioError
from functions.common.contract import component_validator
from functions.common.mood import MOODS


def check(result: dict) -> dict:
    assert set(result) == ANALYSIS_FIELDS
    component_validator("Analysis")(result)  # types, enums and ranges from openapi.yaml
    numbers = [v for v in result.values() if isinstance(v, (int, float))] + result["mfcc"] + result["energyCurve"]
    numbers += [s[k] for s in result["sections"] for k in ("start", "end", "energy", "loudness")]
    assert result["sections"][0]["start"] == 0 and result["sections"][-1]["end"] == result["duration"]
    assert all(math.isfinite(v) for v in numbers)
    assert result["mood"] in MOODS
    return result


SR = 22050


def _sig(kind: str, seconds: float = 4.0, sr: int = SR) -> np.ndarray:
    rng = np.random.default_rng(7)
    n = int(seconds * sr)
    return {
        "silence": np.zeros(n, np.float32),
        "dc": np.full(n, 0.5, np.float32),
        "white": (0.3 * rng.standard_normal(n)).astype(np.float32),
        "clipped": np.clip(10 * tone(220.0, seconds, sr=sr), -1, 1),
        "square": np.sign(np.sin(2 * np.pi * 440 * np.arange(n) / sr)).astype(np.float32),
        "impulse": np.eye(1, n, n // 2, dtype=np.float32)[0],
        "tiny": (1e-7 * rng.standard_normal(n)).astype(np.float32),
    }[kind]


@pytest.mark.parametrize("kind", ["silence", "dc", "white", "clipped", "square", "impulse", "tiny"])
def test_robustness_edge_signals_give_a_valid_analysis(kind):
    result = check(analyze(encode(_sig(kind), SR, "wav", "FLOAT"), format="wav"))
    if kind == "silence":
        assert result["loudness"] == -70.0 and result["tempo"] == 0.0
    if kind == "dc":  # K-weighting's 38 Hz high pass removes DC; only the initial step is heard
        assert result["loudness"] < -25.0
    if kind == "square":
        assert result["loudness"] > -3.0


@pytest.mark.parametrize("seconds", [0.01, 0.1, 1.0])
def test_robustness_short_audio_keeps_its_duration(seconds):
    result = check(analyze(encode(tone(440.0, seconds, sr=SR), SR, "wav"), format="wav"))
    assert result["duration"] == pytest.approx(seconds, abs=1e-3)


@pytest.mark.parametrize("sr", [8000, 11025, 16000, 44100, 48000, 96000])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_robustness_any_rate_and_layout_gives_a_valid_analysis(sr, channels):
    y = np.stack([click_track(120, 6.0, sr=sr, seed=c) + tone(330.0, 6.0, sr=sr) for c in range(channels)], axis=1)
    check(analyze(encode(y, sr, "flac"), format="flac"))


def test_robustness_nan_and_inf_samples():
    y = tone(440.0, 2.0, sr=SR)
    y[::97] = np.nan
    y[::89] = np.inf
    y[::83] = -np.inf
    check(analyze(encode(y, SR, "wav", "FLOAT"), format="wav"))


def test_robustness_known_material_reads_as_such():
    music = check(analyze(encode(progression(7, "major", sr=SR, bars=8) + click_track(120, 16.0, sr=SR), SR, "flac")))
    assert (music["key"], music["mode"]) == ("G", "major")
    assert music["tempo"] == pytest.approx(120, rel=0.04) and music["speechiness"] < 0.33
    speech = check(analyze(encode(speech_like(12.0, sr=SR), SR, "ogg")))
    assert speech["speechiness"] > 0.66


@pytest.mark.parametrize("data", [b"not audio at all", b"\xff\xfb" + bytes(500), bytes(10)])
def test_robustness_garbage_is_a_client_error(data):
    with pytest.raises(AudioError):
        analyze(data, format="mp3")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seconds=st.floats(0.005, 2.5),
    sr=st.sampled_from([8000, 16000, 22050, 44100, 48000]),
    channels=st.integers(1, 3),
    scale=st.sampled_from([0.0, 1e-6, 0.1, 1.0, 1e6]),
    dc=st.floats(-1.0, 1.0),
    bad=st.sampled_from([None, np.nan, np.inf, -np.inf]),
    seed=st.integers(0, 2**16),
)
def test_robustness_random_float_wavs(seconds, sr, channels, scale, dc, bad, seed):
    rng = np.random.default_rng(seed)
    n = max(1, int(seconds * sr))
    y = (scale * rng.standard_normal((n, channels)) + dc).astype(np.float32)
    if bad is not None:
        y[rng.integers(0, n, size=max(1, n // 50))] = bad
    check(analyze(encode(y, sr, "wav", "FLOAT"), format="wav"))


@pytest.mark.slow
def test_robustness_twenty_minutes():
    sr = 8000
    loop = click_track(124, 30.0, sr=sr) + np.resize(progression(2, "minor", sr=sr, beat_s=60 / 124), 30 * sr)
    y = np.tile(loop, 40)  # 20 minutes
    result = check(analyze(encode(y, sr, "flac"), format="flac", max_seconds=1200))
    assert result["duration"] == pytest.approx(1200.0)
    assert result["tempo"] == pytest.approx(124, rel=0.04)
