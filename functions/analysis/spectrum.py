"""The one STFT: every spectral feature is read from a single pass over the signal.

The signal is framed block by block (n_fft 2048, hop 512 at 22050 Hz, Hann, centred with zero
padding as librosa does). Each block's magnitude spectrum is reduced at once to the per-frame
rows kept (128 mel bands, centroid, rolloff, flatness, RMS), so a 10-minute track
never holds its full spectrogram (that alone would be 212 MB of complex64)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft
import scipy.signal

N_FFT = 2048
HOP = 512
N_MELS = 128
ROLL_PERCENT = 0.85
BLOCK_FRAMES = 512  # about 12 s of frames per block: small temporaries, few Python iterations
ROLL_GROUP = 32  # bins per coarse step of the rolloff search


@dataclass(frozen=True)
class Frames:
    """Per-frame rows of the STFT, frames on the last axis; `sr` and `hop` in Hz and samples."""

    sr: int
    hop: int
    mel: np.ndarray  # (N_MELS, t) mel power, float32
    centroid: np.ndarray  # (t,) Hz
    rolloff: np.ndarray  # (t,) Hz, 85 % of the magnitude
    flatness: np.ndarray  # (t,) 0-1, spectral flatness of the power spectrum
    rms: np.ndarray  # (t,) root mean square from the spectrum (librosa.feature.rms semantics)

    @property
    def fps(self) -> float:
        return self.sr / self.hop


def _hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    # Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above.
    f = np.asarray(f, dtype=float)
    step = np.log(6.4) / 27.0
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / step, 3.0 * f / 200.0)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    step = np.log(6.4) / 27.0
    return np.where(m >= 15.0, 1000.0 * np.exp(step * (m - 15.0)), 200.0 * m / 3.0)


def mel_filters(*, sr: int, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """(n_mels, 1 + n_fft // 2) triangular mel filter bank, Slaney-normalised: the same matrix as
    librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels). Built here because importing librosa
    imports numba and llvmlite, about a third of a cold start (measured in `make smoke`'s sandbox)."""
    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(sr / 2.0), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_freqs)
    lower = -ramps[:n_mels] / fdiff[:n_mels, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    return weights * (2.0 / (mel_f[2:] - mel_f[:n_mels]))[:, None]


@lru_cache(maxsize=4)
def _banks(sr: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    window = scipy.signal.get_window("hann", N_FFT, fftbins=True).astype(np.float32)
    mel = mel_filters(sr=sr).astype(np.float32)
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / sr).astype(np.float32)
    return window, mel, freqs


def frames(y: np.ndarray, *, sr: int) -> Frames:
    """Frame-level spectral rows of mono float32 `y` at `sr` Hz (see `Frames`)."""
    window, mel_fb, freqs = _banks(sr)
    y = y.astype(np.float32, copy=False)
    pad = N_FFT // 2
    n_frames = 1 + (len(y) + 2 * pad - N_FFT) // HOP
    mel = np.empty((N_MELS, n_frames), np.float32)
    rows = {k: np.empty(n_frames, np.float32) for k in ("centroid", "rolloff", "flatness", "rms")}
    windowed = np.empty((min(BLOCK_FRAMES, n_frames), N_FFT), np.float32)
    for start in range(0, n_frames, BLOCK_FRAMES):
        stop = min(n_frames, start + BLOCK_FRAMES)
        # This block's samples of the zero-padded signal, without padding (copying) all of it.
        lo, hi = start * HOP - pad, (stop - 1) * HOP - pad + N_FFT
        seg = np.zeros(hi - lo, np.float32)
        seg[max(0, -lo) : max(0, -lo) + len(y[max(0, lo) : hi])] = y[max(0, lo) : hi]
        view = np.lib.stride_tricks.sliding_window_view(seg, N_FFT)[::HOP]
        spec = scipy.fft.rfft(np.multiply(view, window, out=windowed[: len(view)]), axis=1)  # (b, 1025) complex64
        mag = np.abs(spec)
        power = np.square(mag)
        mel[:, start:stop] = mel_fb @ power.T
        total = mag.sum(axis=1)
        safe = np.maximum(total, 1e-10)
        rows["centroid"][start:stop] = (mag @ freqs) / safe
        rows["rolloff"][start:stop] = np.where(total > 1e-10, freqs[_rolloff_bins(mag, total)], 0.0)
        logp = np.log(power + 1e-10)
        rows["flatness"][start:stop] = np.exp(logp.mean(axis=1)) / (power.mean(axis=1) + 1e-10)
        # librosa.feature.rms(S=mag): sqrt(2 * sum |X|^2 / n_fft^2), DC and Nyquist counted once.
        energy = 2 * power.sum(axis=1) - power[:, 0] - power[:, -1]
        rows["rms"][start:stop] = np.sqrt(energy / N_FFT**2)
    return Frames(sr=sr, hop=HOP, mel=mel, **rows)


def _rolloff_bins(mag: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Per frame of (b, bins) `mag`, the first bin whose cumulative magnitude reaches
    ROLL_PERCENT of `total` (librosa.feature.spectral_rolloff). Searched in ROLL_GROUP-bin steps,
    then within the step: a cumulative sum over all 1025 bins took a fifth of `frames`. Needs at
    least one frame and a bin past the last whole step (frames() has 1025 bins)."""
    n, bins = mag.shape
    full = (bins // ROLL_GROUP) * ROLL_GROUP
    coarse = np.cumsum(mag[:, :full].reshape(n, -1, ROLL_GROUP).sum(axis=2), axis=1)
    threshold = ROLL_PERCENT * total
    group = np.argmax(coarse >= threshold[:, None], axis=1)
    before = np.where(group > 0, coarse[np.arange(n), group - 1], 0.0)
    cols = group[:, None] * ROLL_GROUP + np.arange(ROLL_GROUP)
    fine = np.take_along_axis(mag, cols, axis=1).cumsum(axis=1) + before[:, None]
    fine[:, -1] = np.inf  # the step's coarse sum reached it: if this sum falls short by rounding, its last bin
    found = group * ROLL_GROUP + np.argmax(fine >= threshold[:, None], axis=1)
    # Not reached within the grouped bins: it lies in the rest (the Nyquist bin at N_FFT 2048).
    rest = full + np.argmax(np.cumsum(mag[:, full:], axis=1) + coarse[:, -1:] >= threshold[:, None], axis=1)
    return np.where(coarse[:, -1] >= threshold, found, np.minimum(rest, bins - 1))
