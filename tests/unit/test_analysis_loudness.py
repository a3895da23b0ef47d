"""Integrated loudness against pyloudnorm (the reference the issue names)."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from functions.analysis.loudness import LUFS_FLOOR, LoudnessMeter


def _measure(y: np.ndarray, sr: int, block: int) -> float:
    meter = LoudnessMeter(sr=sr, channels=y.shape[1])
    for start in range(0, len(y), block):
        meter.update(y[start : start + block])
    return meter.integrated()


@pytest.mark.parametrize(
    "sr,channels,block", [(44100, 2, 4410 * 3), (48000, 1, 1000), (22050, 5, 22050), (8000, 1, 333), (96000, 2, 96000)]
)
def test_loudness_matches_pyloudnorm_in_any_block_size(sr, channels, block):
    rng = np.random.default_rng(sr + channels)
    t = np.arange(sr * 6) / sr
    y = np.stack(
        [
            0.3 * np.sin(2 * np.pi * (100 + 300 * c) * t) * (0.2 + (t % 2)) + 0.02 * rng.standard_normal(len(t))
            for c in range(channels)
        ],
        axis=1,
    )
    ref = pyloudnorm.Meter(sr).integrated_loudness(y)
    assert _measure(y, sr, block) == pytest.approx(ref, abs=0.01)


def test_loudness_of_silence_and_short_audio_is_the_floor():
    assert _measure(np.zeros((48000, 2)), 48000, 4800) == LUFS_FLOOR
    assert _measure(np.full((1000, 1), 0.5), 8000, 100) == LUFS_FLOOR  # shorter than one 400 ms block


def test_loudness_of_a_full_scale_square_is_clamped_in_range():
    sr = 48000
    y = np.sign(np.sin(2 * np.pi * 3000 * np.arange(sr * 2) / sr))[:, None].repeat(6, axis=1)
    value = _measure(y, sr, sr)
    assert value == 5.0  # 6 channels of full-scale square would be about +12 LUFS
