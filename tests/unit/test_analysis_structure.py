"""Sections and the energy curve: synthetic tracks with known structure."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_signals import click_track, encode, midi_hz, tone

from functions.analysis import structure
from functions.analysis.analyzer import analyze

SR = 22050


def _arpeggio(seconds: float) -> np.ndarray:
    """Quiet plucked C major arpeggio, 120 BPM."""
    out = np.zeros(int(seconds * SR), np.float32)
    decay = np.exp(-np.linspace(0, 5, int(0.5 * SR))).astype(np.float32)
    for i, t in enumerate(np.arange(0, seconds - 0.5, 0.5)):
        s = int(t * SR)
        note = tone(midi_hz([60, 64, 67, 72][i % 4]), 0.5, sr=SR, harmonics=3, amp=0.2) * decay
        out[s : s + len(note)] += note[: len(out) - s]
    return out


def _chorus(seconds: float) -> np.ndarray:
    """Loud, bright A minor / F major chords over noise clicks at 150 BPM."""
    out = np.zeros(int(seconds * SR), np.float32)
    for i, t in enumerate(np.arange(0, seconds - 2, 2.0)):
        chord = [57, 60, 64, 81] if i % 2 == 0 else [53, 57, 60, 77]
        seg = sum(tone(midi_hz(n), 2.0, sr=SR, harmonics=8, amp=0.12) for n in chord)
        s = int(t * SR)
        out[s : s + len(seg)] += seg[: len(out) - s]
    return out + click_track(150, seconds, sr=SR)


def _melody(seconds: float, *, seed: int) -> np.ndarray:
    """A tune that never repeats itself: random D minor notes of 0.25-1 s, organ-like."""
    rng = np.random.default_rng(seed)
    out, t = np.zeros(int(seconds * SR), np.float32), 0.0
    while t < seconds - 1.0:
        dur = float(rng.choice([0.25, 0.5, 1.0]))
        note = tone(midi_hz(62 + int(rng.choice([0, 2, 3, 5, 7, 8, 10, 12]))), dur, sr=SR, harmonics=6, amp=0.25)
        s = int(t * SR)
        out[s : s + len(note)] += note[: len(out) - s]
        t += dur
    return out


@pytest.fixture(scope="module")
def aba() -> dict:
    a, b = _arpeggio(20.0), _chorus(20.0)
    return analyze(encode(np.concatenate([a, b, a]), SR, "wav", "FLOAT"), format="wav")


def test_structure_aba_gives_a_b_a_within_3_s(aba):
    sections = aba["sections"]
    assert [s["label"] for s in sections] == ["A", "B", "A"]
    assert [s["start"] for s in sections] == pytest.approx([0.0, 20.0, 40.0], abs=3.0)
    assert sections[-1]["end"] == aba["duration"]
    assert all(a["end"] == b["start"] for a, b in zip(sections, sections[1:], strict=False))


def test_structure_energy_and_loudness_follow_the_sections(aba):
    a1, b, a2 = aba["sections"]
    assert b["energy"] > a1["energy"] + 0.2 and b["energy"] > a2["energy"] + 0.2
    assert b["loudness"] > a1["loudness"] + 6 and b["loudness"] > a2["loudness"] + 6
    assert -70 <= min(s["loudness"] for s in aba["sections"]) <= max(s["loudness"] for s in aba["sections"]) <= 5
    curve = aba["energyCurve"]
    assert len(curve) == structure.CURVE_POINTS and all(0 <= v <= 1 for v in curve)
    middle, ends = np.mean(curve[13:19]), np.mean(curve[2:8] + curve[-8:-2])
    assert middle > ends + 0.2


def test_structure_section_loudness_is_anchored_to_lufs(aba):
    # The chorus section alone, measured the BS.1770 way, against the section's estimate.
    b = _chorus(20.0)
    alone = analyze(encode(b, SR, "wav", "FLOAT"), format="wav")
    assert aba["sections"][1]["loudness"] == pytest.approx(alone["loudness"], abs=1.5)


def test_structure_a_passage_played_twice_is_two_sections():
    verse, bridge = _melody(16.0, seed=3), _chorus(16.0)
    result = analyze(encode(np.concatenate([verse, verse, bridge, verse]), SR, "wav", "FLOAT"), format="wav")
    assert [s["label"] for s in result["sections"]] == ["A", "A", "B", "A"]
    assert [s["start"] for s in result["sections"]] == pytest.approx([0.0, 16.0, 32.0, 48.0], abs=3.0)


def test_structure_steady_track_is_one_section():
    result = analyze(encode(_arpeggio(30.0), SR, "wav", "FLOAT"), format="wav")
    assert [s["label"] for s in result["sections"]] == ["A"]
    assert result["sections"][0]["start"] == 0.0 and result["sections"][0]["end"] == result["duration"]


def test_structure_never_more_than_12_sections():
    # 16 different 8-second passages (keys and timbres): more changes than sections allowed.
    parts = []
    for i in range(16):
        root = 48 + (i * 5) % 12
        body = sum(tone(midi_hz(root + n), 8.0, sr=SR, harmonics=2 + 3 * (i % 3), amp=0.1) for n in (0, 4, 7))
        parts.append(body + (click_track(90 + 10 * i, 8.0, sr=SR, seed=i) if i % 2 else 0))
    result = analyze(encode(np.concatenate(parts), SR, "wav", "FLOAT"), format="wav")
    assert 2 <= len(result["sections"]) <= structure.MAX_SECTIONS
    assert len(result["energyCurve"]) == structure.CURVE_POINTS
