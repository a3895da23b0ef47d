"""Decoding: every accepted container, channel layouts and rates, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_signals import encode, tone

from functions.analysis.decode import ANALYSIS_SR, AudioError, AudioTooLong, decode


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "opus", "mp3"])
def test_decode_every_container_to_mono_analysis_rate(fmt):
    sr = 48000 if fmt == "opus" else 44100
    data = encode(tone(440.0, 2.0, sr=sr), sr, fmt)
    out = decode(data, format="ogg" if fmt == "opus" else fmt)
    assert out.sr == ANALYSIS_SR and out.y.dtype == np.float32 and out.y.ndim == 1
    assert out.duration == pytest.approx(2.0, abs=0.08)
    assert len(out.y) == pytest.approx(2.0 * ANALYSIS_SR, rel=0.04)
    assert np.isfinite(out.y).all() and 0.05 < np.abs(out.y).max() <= 1.0


@pytest.mark.parametrize("channels", [1, 2, 6])
@pytest.mark.parametrize("sr", [8000, 22050, 96000])
def test_decode_mixes_channels_down_at_any_rate(channels, sr):
    y = np.stack([tone(220.0 * (c + 1), 1.0, sr=sr) for c in range(channels)], axis=1)
    out = decode(encode(y, sr, "flac"), format="flac")
    assert out.channels == channels and out.source_sr == sr
    expected = y.mean(axis=1)
    assert np.abs(out.y).max() == pytest.approx(np.abs(expected).max(), rel=0.1)


def test_decode_replaces_nan_and_inf_in_float_wav():
    y = tone(330.0, 1.0, sr=16000)
    y[100:200] = np.nan
    y[300] = np.inf
    y[400] = -np.inf
    y[500:510] = 1e30
    out = decode(encode(y, 16000, "wav", "FLOAT"), format="wav")
    # Samples are clipped to full scale before resampling; the resampler may ring a little past it.
    assert np.isfinite(out.y).all() and np.abs(out.y).max() < 1.5
    assert np.isfinite(out.loudness) and -70.0 <= out.loudness <= 5.0


def test_decode_declared_format_must_match_the_data():
    data = encode(tone(440.0, 0.5, sr=8000), 8000, "flac")
    with pytest.raises(AudioError, match="declared format"):
        decode(data, format="wav")


@pytest.mark.parametrize("data", [b"", b"\x00" * 64, b"RIFF\x00\x00garbage", b"OggS" + bytes(100)])
def test_decode_rejects_empty_and_corrupt_input(data):
    with pytest.raises(AudioError) as err:
        decode(data, format="ogg")
    assert err.value.status == 400


def test_decode_rejects_unknown_format_names():
    with pytest.raises(AudioError, match="Unsupported format"):
        decode(b"abc", format="aiff")


def test_decode_rejects_zero_sample_file():
    with pytest.raises(AudioError, match="empty"):
        decode(encode(np.zeros(0, np.float32), 8000, "wav"), format="wav")


def _truncated(fmt: str, cut: float) -> bytes:
    """The first `cut` of a 3 s tone, as a download cut off mid-file would leave it."""
    sr = 48000 if fmt == "opus" else 22050
    data = encode(tone(440.0, 3.0, sr=sr), sr, fmt)
    return data[: int(len(data) * cut)]


@pytest.mark.parametrize(("fmt", "cut", "seconds"), [("wav", 0.5, 1.5), ("opus", 0.6, 0.97)])
def test_decode_truncated_wav_and_opus_give_the_audio_that_arrived(fmt, cut, seconds):
    out = decode(_truncated(fmt, cut), format="ogg" if fmt == "opus" else fmt)
    assert out.duration == pytest.approx(seconds, abs=0.03)  # what arrived, not the header's 3 s
    assert len(out.y) == pytest.approx(seconds * ANALYSIS_SR, rel=0.04)
    assert np.isfinite(out.y).all() and np.abs(out.y).max() > 0.05


def test_decode_truncated_flac_is_corrupt_or_truncated():
    with pytest.raises(AudioError) as err:
        decode(_truncated("flac", 0.5), format="flac")
    assert (err.value.status, err.value.message) == (400, "The audio is corrupt or truncated")
    assert err.value.details and "Traceback" not in err.value.details  # libsndfile's reason ("lost sync")


def test_decode_truncated_ogg_vorbis_is_a_client_error():
    with pytest.raises(AudioError) as err:
        decode(_truncated("ogg", 0.5), format="ogg")
    assert err.value.status == 400
    assert "Traceback" not in f"{err.value.message} {err.value.details}"


def test_decode_enforces_the_duration_limit():
    data = encode(np.zeros(8000 * 5, np.float32), 8000, "wav")
    with pytest.raises(AudioTooLong) as err:
        decode(data, format="wav", max_seconds=2.0)
    assert err.value.status == 413
    assert decode(data, format="wav", max_seconds=10.0).duration == pytest.approx(5.0)


def test_decode_reads_paths_and_reports_progress(tmp_path):
    path = tmp_path / "long.flac"
    path.write_bytes(encode(np.zeros(8000 * 130, np.float32), 8000, "flac"))
    lines = []
    out = decode(path, progress=lines.append)
    assert out.duration == pytest.approx(130.0)
    assert lines and lines[0].startswith("decoding: 60 s")


def test_decode_takes_loudness_measured_upstream_without_metering(monkeypatch):
    from functions.analysis import decode as decode_module

    data = encode(tone(440.0, 1.0, sr=44100), 44100, "flac")
    measured = decode(data, format="flac").loudness

    class NoMeter:
        def __init__(self, **_):
            raise AssertionError("the meter ran although the loudness was given")

    monkeypatch.setattr(decode_module, "LoudnessMeter", NoMeter)
    given = decode(data, format="flac", loudness=-9.5)
    assert given.loudness == -9.5 and measured != -9.5
    assert decode(data, format="flac", loudness=0.0).loudness == 0.0
    with pytest.raises(AssertionError):
        decode(data, format="flac")  # without it the meter runs


@pytest.mark.parametrize("loudness", [float("nan"), float("inf"), float("-inf")])
def test_decode_rejects_a_loudness_that_is_not_finite(loudness):
    data = encode(tone(440.0, 0.5, sr=44100), 44100, "flac")
    with pytest.raises(ValueError):
        decode(data, format="flac", loudness=loudness)
