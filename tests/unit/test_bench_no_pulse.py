"""bench/no_pulse.py: beats per chord period, the shuffled chord peak, and the summary it prints."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import no_pulse  # noqa: E402

from functions.analysis import tempo  # noqa: E402


@pytest.mark.parametrize(("period_s", "bpm", "beats"), [(4.0, 60, 4), (4.0, 61, 4), (2.0, 90, 3), (4.0, 70, "other")])
def test_no_pulse_beats_per_period_is_the_nearest_count_within_four_percent(period_s, bpm, beats):
    assert no_pulse.beats_per_period(period_s, bpm) == beats


def test_no_pulse_chord_peak_tells_regular_changes_from_shuffled_ones():
    fps = 10.0
    chroma = np.zeros((12, 600), np.float32)
    for i in range(600):  # a new chord every 3 s
        chroma[[(i // 30) % 12, ((i // 30) + 4) % 12, ((i // 30) + 7) % 12], i] = 1.0
    regular = no_pulse.chord_peak(chroma, fps=fps)
    shuffled = no_pulse.chord_peak(chroma[:, np.random.default_rng(0).permutation(600)], fps=fps)
    assert regular > tempo.CHORD_PULSE > shuffled
    assert no_pulse.chord_peak(chroma[:, :5], fps=fps) == 0.0  # no lag of 1.5 s fits


def test_no_pulse_summary_reports_percentiles_firing_clips_and_counts():
    rows = [
        {"id": f"c{i}", "confidence": 0.5 + i, "fires": i == 0, "beatsPerChordPeriod": 4 if i < 2 else None}
        | {"nullConfidence": [0.1 * i], "nullChordPeak": [0.2]}
        for i in range(3)
    ]
    out = no_pulse.summary(rows)
    assert out["clips"] == 3 and out["fires"] == ["c0"] and out["beatsPerChordPeriod"] == {"4": 2}
    assert out["nullConfidence"]["p100"] == pytest.approx(0.2) and out["nullChordPeak"]["p50"] == pytest.approx(0.2)
    assert [r["id"] for r in out["musicConfidence"]] == ["c0", "c1", "c2"]
