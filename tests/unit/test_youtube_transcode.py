"""The transcode and the invoke payload bound, with the static ffmpeg from imageio-ffmpeg."""

import json
import subprocess

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


def _noise(ffmpeg, path, seconds, rate=8000):
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
    # Longer than the limit on purpose: -t must cap what reaches the invoke.
    source = _noise(ffmpeg, tmp_path / "source.wav", MAX_DURATION_S + 30)
    target = transcode.to_mono_opus(
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
                "opus_bytes": target.stat().st_size,
                "payload_bytes": len(payload),
                "limit": INVOKE_PAYLOAD_LIMIT,
            }
        )
    )
    assert len(payload) <= INVOKE_PAYLOAD_LIMIT
    # Constant bit rate: size follows duration (32 kb/s plus Ogg framing under 5 %).
    assert target.stat().st_size <= MAX_DURATION_S * transcode.BITRATE_BPS / 8 * 1.05
    assert json.loads(payload)["format"] == "ogg"


def test_youtube_transcode_short_clip_is_mono_opus(ffmpeg, tmp_path):
    source = _noise(ffmpeg, tmp_path / "s.wav", 3, rate=44100)
    target = transcode.to_mono_opus(source, tmp_path / "a.ogg", ffmpeg=ffmpeg, max_seconds=600, timeout_s=60)
    info = soundfile.info(str(target))
    assert (info.channels, info.format, info.subtype) == (1, "OGG", "OPUS")
    assert 2.9 <= info.duration <= 3.1


def test_youtube_transcode_garbage_is_502(ffmpeg, tmp_path):
    source = tmp_path / "source.webm"
    source.write_bytes(b"<html>not audio</html>" * 100)
    with pytest.raises(BadGateway) as info:
        transcode.to_mono_opus(source, tmp_path / "a.ogg", ffmpeg=ffmpeg, max_seconds=600, timeout_s=60)
    assert info.value.reason == "transcode_failed"


def test_youtube_transcode_overrun_is_504_and_kills_ffmpeg(ffmpeg, tmp_path):
    source = _noise(ffmpeg, tmp_path / "s.wav", 120, rate=44100)
    with pytest.raises(GatewayTimeout):
        transcode.to_mono_opus(source, tmp_path / "a.ogg", ffmpeg=ffmpeg, max_seconds=600, timeout_s=0.01)


def test_youtube_transcode_rejects_nonpositive_limits(ffmpeg, tmp_path):
    with pytest.raises(ValueError):
        transcode.to_mono_opus(tmp_path / "x", tmp_path / "y", ffmpeg=ffmpeg, max_seconds=0, timeout_s=1)


def test_youtube_transcode_finds_configured_ffmpeg_first(ffmpeg, tmp_path):
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert transcode.find_ffmpeg(str(fake)) == str(fake)
