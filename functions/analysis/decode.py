"""Decoding: audio bytes or a file -> mono float32 at the analysis rate, with the integrated
loudness measured on the original channels at the original rate on the way (BS.1770 sums the
channels' powers, which a mono mixdown cannot give back).

The file is read in blocks and resampled as a stream, so memory grows with the analysis-rate
signal only (10 minutes at 22050 Hz mono float32 is 53 MB), not with the source format."""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import soundfile as sf
import soxr

from functions.analysis.loudness import LoudnessMeter
from functions.common.errors import BadRequest, PayloadTooLarge

# 22050 Hz: the tempo, key and loudness results on the benchmark corpus are the same as at
# 44100 Hz, the STFT costs half, and centroid/rolloff still see up to 11 kHz (see `make bench`).
ANALYSIS_SR = 22050
# Declared format -> libsndfile major formats accepted for it.
FORMATS = {"wav": {"WAV", "WAVEX", "RF64", "W64"}, "flac": {"FLAC"}, "ogg": {"OGG"}, "mp3": {"MP3", "MPEG"}}
MIN_SR, MAX_SR = 4000, 384000
BLOCK_S = 10.0  # seconds of source audio per decoding block


class AudioError(BadRequest):
    """The audio is empty, corrupt, truncated or in a format we do not read (400)."""

    reason = "bad_audio"


class AudioTooLong(PayloadTooLarge):
    """The decoded audio is longer than the limit (413)."""

    reason = "too_long"


@dataclass(frozen=True)
class Decoded:
    y: np.ndarray  # mono float32 at `sr`
    sr: int  # Hz
    duration: float  # seconds of source audio
    loudness: float  # integrated LUFS of the source channels
    channels: int
    source_sr: int
    source_format: str  # libsndfile major format, e.g. "OGG"


def decode(
    source: bytes | str | os.PathLike,
    *,
    format: str | None = None,
    sr: int = ANALYSIS_SR,
    max_seconds: float | None = None,
    loudness: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Decoded:
    """Decode `source` (bytes or a path) to mono float32 at `sr` Hz.

    Parameters
    ----------
    source : the encoded audio, or a path to it
    format : the declared container (`wav`, `flac`, `ogg`, `mp3`); None accepts any of them
    sr : analysis sample rate in Hz
    max_seconds : reject longer audio with `AudioTooLong`; None for no limit
    loudness : integrated LUFS measured upstream, reported as is; None measures `source`
        (BS.1770, about 0.045 s of CPU for 3 minutes, which the youtube path need not spend)
    progress : called with a status line every minute of decoded audio

    Non-finite samples become 0 and samples are clipped to [-1, 1] (full scale).
    """
    if loudness is not None and not math.isfinite(loudness):
        raise ValueError(f"loudness must be finite LUFS, got {loudness}")
    if format is not None and format not in FORMATS:
        raise AudioError(f"Unsupported format {format!r}", f"Expected one of {', '.join(sorted(FORMATS))}")
    readable: str | os.PathLike | io.BytesIO
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise AudioError("The audio is empty", "Send at least one frame of encoded audio")
        readable = io.BytesIO(bytes(source))
    else:
        readable = source
    try:
        handle = sf.SoundFile(readable)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioError("The audio could not be decoded", _reason(exc)) from None
    with handle as fh:
        allowed = FORMATS[format] if format else set().union(*FORMATS.values())
        if fh.format not in allowed:
            raise AudioError(
                "The audio is not in the declared format",
                f"Found {fh.format}, expected {format or 'wav, flac, ogg or mp3'}",
            )
        if not MIN_SR <= fh.samplerate <= MAX_SR or fh.channels < 1:
            raise AudioError(
                "The audio has an unusable sample rate or channel count", f"{fh.samplerate} Hz, {fh.channels} channels"
            )
        if max_seconds is not None and fh.frames > 0 and fh.frames / fh.samplerate > max_seconds * 1.01:
            raise _too_long(fh.frames / fh.samplerate, max_seconds)
        return _read(fh, sr=sr, max_seconds=max_seconds, loudness=loudness, progress=progress)


def _read(fh: sf.SoundFile, *, sr: int, max_seconds: float | None, loudness: float | None, progress) -> Decoded:
    meter = LoudnessMeter(sr=fh.samplerate, channels=fh.channels) if loudness is None else None
    same_rate = fh.samplerate == sr  # the youtube function sends the analysis rate: no resampling
    stream = None if same_rate else soxr.ResampleStream(fh.samplerate, sr, 1, dtype="float32", quality="MQ")
    # Written in place into one growing buffer: a list of blocks joined at the end would hold the
    # whole signal twice at the peak (2 x 53 MB for 10 minutes).
    out = np.empty(int(fh.frames * sr / fh.samplerate) + sr if fh.frames > 0 else 60 * sr, np.float32)
    filled, frames = 0, 0
    blocksize = int(round(BLOCK_S * fh.samplerate))

    def put(chunk: np.ndarray) -> None:
        nonlocal out, filled
        if filled + len(chunk) > len(out):
            out = np.resize(out, max(2 * len(out), filled + len(chunk)))
        out[filled : filled + len(chunk)] = chunk
        filled += len(chunk)

    try:
        for block in fh.blocks(blocksize=blocksize, dtype="float32", always_2d=True):
            frames += len(block)
            if max_seconds is not None and frames / fh.samplerate > max_seconds * 1.01:
                raise _too_long(frames / fh.samplerate, max_seconds)
            block = np.clip(np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0), -1.0, 1.0)
            if meter is not None:
                meter.update(block)
            mono = block[:, 0] if fh.channels == 1 else block.mean(axis=1)
            put(mono if stream is None else stream.resample_chunk(mono))
            if progress and frames % (6 * blocksize) == 0:
                progress(f"decoding: {frames / fh.samplerate:.0f} s")
        if stream is not None:
            put(stream.resample_chunk(np.zeros(0, np.float32), last=True))
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError("The audio is corrupt or truncated", _reason(exc)) from None
    if frames == 0:
        # libsndfile reads no frame from an Ogg cut short (it cannot find the last page), so
        # zero samples may be a truncated upload as well as an empty recording.
        raise AudioError("The audio is empty or truncated", "It decodes to zero samples")
    y = out[:filled].copy() if filled < 0.9 * len(out) else out[:filled]
    if loudness is None:  # measured here, as no sender measured it (the meter ran above)
        loudness = meter.integrated() if meter is not None else float("nan")
    return Decoded(
        y=y,
        sr=sr,
        duration=frames / fh.samplerate,
        loudness=float(loudness),
        channels=fh.channels,
        source_sr=fh.samplerate,
        source_format=fh.format,
    )


def _too_long(seconds: float, limit: float) -> AudioTooLong:
    return AudioTooLong("The audio is too long", f"{seconds:.0f} s; the limit is {limit:.0f} s")


def _reason(exc: Exception) -> str:
    # libsndfile messages name the problem ("Format not recognised."), never a path we hold.
    text = str(exc).split(":")[-1].strip() or type(exc).__name__
    return text[:200]
