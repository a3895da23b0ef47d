"""The analysis: encoded audio in, the documented `Analysis` dict out (see openapi.yaml)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from functions.analysis import features, key, spectrum, structure, tempo
from functions.analysis.decode import ANALYSIS_SR, Decoded, decode
from functions.common.mood import mood_label
from functions.common.versions import ANALYZER_VERSION  # one definition, shared with youtube


def analyze(
    source: bytes | str | os.PathLike,
    *,
    format: str | None = None,
    max_seconds: float | None = None,
    loudness: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Decode `source` (bytes or a path) and describe it; raises `AudioError`/`AudioTooLong`.

    Parameters
    ----------
    format : declared container (`wav`, `flac`, `ogg`, `mp3`); None accepts any of them
    max_seconds : longest accepted audio in seconds; None for no limit
    loudness : integrated LUFS of the original channels, measured upstream (the youtube function
        measures it before its mono mixdown); None reports the loudness of `source` itself
    progress : called with short status lines (the command line prints them on stderr)
    """
    say = progress or (lambda _msg: None)
    decoded = decode(
        source, format=format, sr=ANALYSIS_SR, max_seconds=max_seconds, loudness=loudness, progress=progress
    )
    say(f"decoded {decoded.duration:.1f} s ({decoded.source_format}, {decoded.source_sr} Hz, {decoded.channels} ch)")
    return describe(decoded)


def describe(decoded: Decoded) -> dict:
    """The `Analysis` dict for decoded audio."""
    y = decoded.y
    if len(y) < spectrum.N_FFT:  # shorter than one frame: pad so every feature is defined
        y = np.pad(y, (0, spectrum.N_FFT - len(y)))
    fr = spectrum.frames(y, sr=decoded.sr)
    chroma, chroma_fps = key.chroma(key.pitch_spectrogram(y, sr=decoded.sr)), key.frame_rate(decoded.sr)
    signals = tempo.Signals.of(fr.mel, fps=fr.fps, chroma=chroma, chroma_fps=chroma_fps)
    onset = signals.onset
    beat = tempo.estimate(signals)
    k = key.estimate(key.pitch_class_vector(chroma, frames_per_second=chroma_fps))
    desc = features.descriptors(
        fr,
        onset,
        loudness=decoded.loudness,
        bpm=beat.bpm,
        tempo_confidence=beat.confidence,
        mode=k.mode,
        key_confidence=k.confidence,
        tonality=k.correlation,
    )
    weight = fr.rms.astype(float) + 1e-12
    result: dict[str, Any] = {
        "analyzerVersion": ANALYZER_VERSION,
        "duration": round(decoded.duration, 3),
        "tempo": round(beat.bpm, 2),
        "tempoConfidence": round(beat.confidence, 3),
        "timeSignature": beat.beats_per_bar,
        "key": k.name,
        "keyIndex": k.index,
        "mode": k.mode,
        "keyConfidence": round(k.confidence, 3),
        "loudness": round(decoded.loudness, 2),
        **{name: round(value, 3) for name, value in desc.items()},
        "spectralCentroid": round(float(np.average(fr.centroid, weights=weight)), 1),
        "spectralRolloff": round(float(np.average(fr.rolloff, weights=weight)), 1),
        "zeroCrossingRate": round(features.zero_crossing_rate(decoded.y), 5),
        "mfcc": [round(v, 3) for v in features.mfcc_means(fr.mel)],
        **structure.arc(
            fr, onset=onset, beat=beat, chroma=chroma, duration=decoded.duration, loudness=decoded.loudness
        ),
    }
    result["mood"] = mood_label(valence=result["valence"], energy=result["energy"])
    return result
