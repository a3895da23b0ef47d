"""Integrated loudness (ITU-R BS.1770-4 / EBU R128), measured block by block while decoding.

The K-weighting filters are the RBJ-cookbook high shelf (+4 dB, 1500 Hz, Q 1/sqrt 2) and
high pass (38 Hz, Q 0.5) designed for the actual sample rate, as pyloudnorm does, so the
result matches pyloudnorm on any rate. Only 100 ms sums of squares per channel are kept."""

from __future__ import annotations

import numpy as np
from scipy.signal import sosfilt

LUFS_FLOOR = -70.0  # the absolute gate: anything quieter is silence
LUFS_CEIL = 5.0  # clamp; full-scale square waves reach about +3 LUFS per channel
SEGMENT_S = 0.1  # gating blocks are 400 ms with 75 % overlap = 4 segments of 100 ms


def k_weighting_sos(sr: int) -> np.ndarray:
    """Second-order sections of the K-weighting pre-filter at sample rate `sr` (Hz)."""

    def biquad(kind: str, gain_db: float, q: float, fc: float) -> list[float]:
        a = 10 ** (gain_db / 40.0)
        w0 = 2.0 * np.pi * fc / sr
        alpha, cw = np.sin(w0) / (2.0 * q), np.cos(w0)
        if kind == "shelf":
            sa = 2 * np.sqrt(a) * alpha
            b = [
                a * ((a + 1) + (a - 1) * cw + sa),
                -2 * a * ((a - 1) + (a + 1) * cw),
                a * ((a + 1) + (a - 1) * cw - sa),
            ]
            den = [(a + 1) - (a - 1) * cw + sa, 2 * ((a - 1) - (a + 1) * cw), (a + 1) - (a - 1) * cw - sa]
        else:
            b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
            den = [1 + alpha, -2 * cw, 1 - alpha]
        return [v / den[0] for v in b] + [1.0] + [v / den[0] for v in den[1:]]

    return np.array([biquad("shelf", 4.0, 1 / np.sqrt(2), 1500.0), biquad("pass", 0.0, 0.5, 38.0)])


def channel_weights(channels: int) -> np.ndarray:
    """BS.1770 channel gains in WAV order: 5 = L R C Ls Rs, 6 = 5.1 (L R C LFE Ls Rs)."""
    if channels == 5:
        return np.array([1.0, 1.0, 1.0, 1.41, 1.41])
    if channels == 6:
        return np.array([1.0, 1.0, 1.0, 0.0, 1.41, 1.41])
    return np.ones(channels)


class LoudnessMeter:
    """Feed float blocks of shape (samples, channels) with `update`; read `integrated()` (LUFS).

    Parameters
    ----------
    sr : sample rate in Hz of the blocks
    channels : number of channels
    """

    def __init__(self, *, sr: int, channels: int):
        self.sr, self.channels = sr, channels
        self._sos = k_weighting_sos(sr)
        self._zi = np.zeros((len(self._sos), channels, 2))  # silence before the start, as pyloudnorm
        self._seg = max(1, int(round(SEGMENT_S * sr)))
        self._carry = np.zeros((channels, 0))
        self._sums: list[np.ndarray] = []  # per 100 ms segment: sum of squares per channel

    def update(self, block: np.ndarray) -> None:
        # Channels first and contiguous: sosfilt along a strided axis is several times slower.
        chans = np.ascontiguousarray(block.T, dtype=np.float64)
        filtered, self._zi = sosfilt(self._sos, chans, axis=-1, zi=self._zi)
        data = np.concatenate([self._carry, filtered], axis=1) if self._carry.shape[1] else filtered
        n = data.shape[1] // self._seg * self._seg
        if n:
            sq = np.square(data[:, :n]).reshape(self.channels, -1, self._seg).sum(axis=2)
            self._sums.append(sq.T)
        self._carry = data[:, n:]

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS, clamped to [LUFS_FLOOR, LUFS_CEIL]."""
        if not self._sums:
            return LUFS_FLOOR
        seg = np.concatenate(self._sums)
        if len(seg) < 4:
            return LUFS_FLOOR
        # 400 ms blocks, hop 100 ms: mean square per channel of 4 consecutive segments.
        csum = np.concatenate([np.zeros((1, self.channels)), np.cumsum(seg, axis=0)])
        z = (csum[4:] - csum[:-4]) / (4 * self._seg)
        power = z @ channel_weights(self.channels)
        with np.errstate(divide="ignore"):
            block_lufs = -0.691 + 10 * np.log10(power)
        gated = block_lufs > LUFS_FLOOR
        if not gated.any():
            return LUFS_FLOOR
        relative = -0.691 + 10 * np.log10(power[gated].mean()) - 10.0
        gated &= block_lufs > relative
        value = -0.691 + 10 * np.log10(power[gated].mean())
        return float(np.clip(value, LUFS_FLOOR, LUFS_CEIL))
