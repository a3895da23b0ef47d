"""Synthetic audio for the analysis tests: tones, click tracks, chords in known keys,
speech-like syllables, and encoders to every container the analysis accepts."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf

PCS = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


def midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def tone(freq: float, seconds: float, *, sr: int, harmonics: int = 4, amp: float = 0.2) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    y = sum((0.6 ** (h - 1)) * np.sin(2 * np.pi * freq * h * t) for h in range(1, harmonics + 1) if freq * h < sr / 2)
    env = np.minimum(1.0, np.minimum(t / 0.01, (seconds - t) / 0.05))
    return (amp * y * env).astype(np.float32)


def click_track(bpm: float, seconds: float, *, sr: int, accent_every: int = 0, seed: int = 0) -> np.ndarray:
    """Noise bursts on every beat (accented every `accent_every` beats when > 0)."""
    rng = np.random.default_rng(seed)
    y = np.zeros(int(seconds * sr), np.float32)
    burst = (rng.standard_normal(int(0.03 * sr)) * np.exp(-np.linspace(0, 8, int(0.03 * sr)))).astype(np.float32)
    for i, start in enumerate(np.arange(0.1, seconds - 0.05, 60.0 / bpm)):
        s = int(start * sr)
        gain = 0.9 if accent_every and i % accent_every == 0 else 0.3
        seg = y[s : s + len(burst)]
        seg += gain * burst[: len(seg)]
    return y


def progression(tonic: int, mode: str, *, sr: int, beat_s: float = 0.5, bars: int = 4) -> np.ndarray:
    """I-IV-V-I (major) or i-iv-V-i (minor) triads with bass, one chord per bar of 4 beats."""
    third = 4 if mode == "major" else 3
    chords = [(0, third, 7), (5, 5 + third, 12), (7, 11, 14), (0, third, 7)]
    out = []
    for _ in range(bars // 4 or 1):
        for chord in chords:
            notes = [60 + tonic + n for n in chord] + [48 + tonic + chord[0]]
            seg = sum(tone(midi_hz(n), 4 * beat_s, sr=sr, amp=0.12) for n in notes)
            out.append(seg)
    return np.concatenate(out)


def speech_like(seconds: float, *, sr: int, seed: int = 0) -> np.ndarray:
    """Syllables: voiced glides (100-220 Hz, formant-ish harmonics) of 80-250 ms, with pauses."""
    rng = np.random.default_rng(seed)
    out, total = [], 0
    while total < seconds * sr:
        dur = rng.uniform(0.08, 0.25)
        n = int(dur * sr)
        t = np.arange(n) / sr
        f0 = rng.uniform(100, 220) * (1 + 0.2 * np.sin(2 * np.pi * rng.uniform(2, 5) * t))
        phase = 2 * np.pi * np.cumsum(f0) / sr
        voiced = sum(np.sin(h * phase) / h for h in range(1, 12))
        syll = (0.3 * voiced * np.hanning(n)).astype(np.float32)
        gap = np.zeros(int(rng.choice([0.04, 0.08, 0.25, 0.4]) * sr), np.float32)
        out += [syll, gap]
        total += n + len(gap)
    return np.concatenate(out)[: int(seconds * sr)]


def encode(y: np.ndarray, sr: int, fmt: str = "wav", subtype: str | None = None) -> bytes:
    """Encode float samples ((n,) or (n, channels)) to bytes in `fmt` (wav/flac/ogg/opus/mp3)."""
    buf = io.BytesIO()
    container = {"wav": "WAV", "flac": "FLAC", "ogg": "OGG", "opus": "OGG", "mp3": "MP3"}[fmt]
    subtype = (
        subtype or {"wav": "PCM_16", "flac": "PCM_16", "ogg": "VORBIS", "opus": "OPUS", "mp3": "MPEG_LAYER_III"}[fmt]
    )
    sf.write(buf, y, sr, format=container, subtype=subtype)
    return buf.getvalue()
