"""The transcode (mono Vorbis + the original's loudness) and the invoke payload bound, with the
static ffmpeg from imageio-ffmpeg."""

import json
import subprocess

import numpy as np
import pyloudnorm
import pytest
import soundfile

from functions.common.errors import BadGateway, GatewayTimeout
from functions.youtube import transcode
from functions.youtube.config import Settings
from functions.youtube.invoker import INVOKE_PAYLOAD_LIMIT, build_event

MAX_DURATION_S = Settings().max_duration_s  # the default MAX_DURATION_SECONDS (600)


@pytest.fixture(scope="module")
def ffmpeg():
    return transcode.find_ffmpeg()


def _noise(ffmpeg, path, seconds, rate=44100):
    # White noise is the hardest content to compress; 8 kHz keeps the source file small.
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
            f"anoisesrc=d={seconds}:c=white:r={rate}:a=0.5",
            "-ac",
            "2",
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return path


def test_youtube_transcode_payload_at_max_duration_fits_a_synchronous_invoke(ffmpeg, tmp_path):
    # Longer than the limit on purpose: -t must cap what reaches the invoke. Full-band white
    # noise is the hardest content to compress (Vorbis is variable bit rate).
    source = _noise(ffmpeg, tmp_path / "source.wav", MAX_DURATION_S + 30, rate=22050)
    target = transcode.to_analysis_audio(
        source, tmp_path / "audio.ogg", ffmpeg=ffmpeg, max_seconds=MAX_DURATION_S, timeout_s=120
    )
    info = soundfile.info(str(target))  # libsndfile, as the analysis reads it
    assert info.channels == 1 and info.samplerate == transcode.SAMPLE_RATE_HZ
    assert MAX_DURATION_S - 1 <= info.duration <= MAX_DURATION_S + 0.1
    payload = build_event(
        target.read_bytes(),
        fmt="ogg",
        source={"type": "youtube", "id": "BaW_jenozKc", "url": "https://www.youtube.com/watch?v=BaW_jenozKc"},
    )
    print(
        json.dumps(
            {
                "seconds": MAX_DURATION_S,
                "vorbis_bytes": target.stat().st_size,
                "payload_bytes": len(payload),
                "limit": INVOKE_PAYLOAD_LIMIT,
            }
        )
    )
    assert len(payload) <= INVOKE_PAYLOAD_LIMIT
    # Half as long again would still fit: the worst case is not a near miss (measured 3.5 MB).
    assert 1.5 * len(payload) <= INVOKE_PAYLOAD_LIMIT
    assert json.loads(payload)["format"] == "ogg"


def test_youtube_transcode_short_clip_is_mono_vorbis_at_the_analysis_rate(ffmpeg, tmp_path):
    source = _noise(ffmpeg, tmp_path / "s.wav", 3, rate=44100)
    target = transcode.to_analysis_audio(source, tmp_path / "a.ogg", ffmpeg=ffmpeg, max_seconds=600, timeout_s=60)
    info = soundfile.info(str(target))
    assert (info.channels, info.format, info.subtype) == (1, "OGG", "VORBIS")
    assert info.samplerate == transcode.SAMPLE_RATE_HZ
    assert 2.9 <= info.duration <= 3.1


def _stereo(path, left, right, sr=44100):
    soundfile.write(path, np.stack([left, right], axis=1).astype(np.float32), sr, subtype="PCM_16")
    y, _ = soundfile.read(path, dtype="float64", always_2d=True)
    return pyloudnorm.Meter(sr).integrated_loudness(y)


@pytest.mark.parametrize("layout", ["same", "independent", "left-only"])
def test_youtube_transcode_loudness_is_the_stereo_originals(ffmpeg, tmp_path, layout):
    # A mono mixdown reads 3 LU low on identical channels and more on independent ones; the
    # sidecar must carry BS.1770 of the original channels (pyloudnorm as the reference).
    rng = np.random.default_rng(3)
    t = np.arange(8 * 44100) / 44100
    left = 0.3 * np.sin(2 * np.pi * 330 * t) * (1 + np.sin(2 * np.pi * 2 * t)) / 2
    right = {"same": left, "independent": 0.1 * rng.standard_normal(t.size), "left-only": 0 * t}[layout]
    ref = _stereo(tmp_path / "s.wav", left, right)
    target = transcode.to_analysis_audio(
        tmp_path / "s.wav", tmp_path / "a.ogg", ffmpeg=ffmpeg, max_seconds=600, timeout_s=60
    )
    lufs = transcode.source_loudness(target)
    assert lufs is not None and abs(lufs - ref) <= 0.2
    mono, sr = soundfile.read(target, dtype="float64")
    mixdown = pyloudnorm.Meter(sr).integrated_loudness(mono)
    if layout != "left-only":  # the mixdown itself is not what the user hears
        assert mixdown < ref - 2.0


def test_youtube_transcode_mixdown_is_the_mean_of_the_two_channels(ffmpeg, tmp_path):
    t = np.arange(4 * 44100) / 44100
    left = 0.4 * np.sin(2 * np.pi * 440 * t)
    _stereo(tmp_path / "s.wav", left, -left)  # opposite phase: (L + R) / 2 cancels
    target = transcode.to_analysis_audio(
        tmp_path / "s.wav", tmp_path / "a.ogg", ffmpeg=ffmpeg, max_seconds=600, timeout_s=60
    )
    mono, _ = soundfile.read(target, dtype="float64")
    assert np.sqrt(np.mean(mono**2)) < 0.01


def test_youtube_transcode_without_a_loudness_summary_reads_none(tmp_path):
    assert transcode.parse_loudness("no summary here") is None
    assert transcode.parse_loudness("Integrated loudness:\n    I:         -inf LUFS") is None
    assert transcode.parse_loudness("Integrated loudness:\n    I:         -14.3 LUFS") == -14.3
    assert transcode.source_loudness(tmp_path / "missing.ogg") is None


def test_youtube_transcode_garbage_is_502(ffmpeg, tmp_path):
    source = tmp_path / "source.webm"
    source.write_bytes(b"<html>not audio</html>" * 100)
    with pytest.raises(BadGateway) as info:
        transcode.to_analysis_audio(source, tmp_path / "a.ogg", ffmpeg=ffmpeg, max_seconds=600, timeout_s=60)
    assert info.value.reason == "transcode_failed"


def test_youtube_transcode_overrun_is_504_and_kills_ffmpeg(ffmpeg, tmp_path):
    source = _noise(ffmpeg, tmp_path / "s.wav", 120, rate=44100)
    with pytest.raises(GatewayTimeout):
        transcode.to_analysis_audio(source, tmp_path / "a.ogg", ffmpeg=ffmpeg, max_seconds=600, timeout_s=0.01)


def test_youtube_transcode_rejects_nonpositive_limits(ffmpeg, tmp_path):
    with pytest.raises(ValueError):
        transcode.to_analysis_audio(tmp_path / "x", tmp_path / "y", ffmpeg=ffmpeg, max_seconds=0, timeout_s=1)


def test_youtube_transcode_finds_configured_ffmpeg_first(ffmpeg, tmp_path):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert transcode.find_ffmpeg(str(fake)) == str(fake)
