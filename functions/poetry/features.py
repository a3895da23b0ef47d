"""Music features as the poets use them: validated upstream by the contract, clamped and
completed here so that any caller (handler, tests, a future provider) gets sane values."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import overload

from functions.common.mood import MOODS, mood_center, mood_label

PITCH_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLATS = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}
_UNIT_FIELDS = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness")


@overload
def _clamp(value: object, low: float, high: float, default: float) -> float: ...
@overload
def _clamp(value: object, low: float, high: float, default: None) -> float | None: ...


def _clamp(value, low: float, high: float, default: float | None) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return default
    return float(min(high, max(low, value)))


@dataclass(frozen=True)
class Music:
    """Normalised features. Ranges: tempo 20-300 BPM, unit fields 0-1, loudness -70-5 LUFS."""

    tempo: float
    energy: float
    valence: float
    danceability: float
    acousticness: float
    instrumentalness: float
    speechiness: float
    loudness: float | None
    mode: str | None
    key: str | None
    mood: str

    def as_dict(self) -> dict:
        return asdict(self)


def normalise(features: dict | None) -> Music:
    """Clamp known fields, ignore unknown ones, and fill gaps from what is known.

    Valence falls back to the mode (major brighter), energy to the loudness; the mood label
    is kept only when it is one of the documented `Mood` values, else derived."""
    f = features if isinstance(features, dict) else {}
    mode = f.get("mode") if f.get("mode") in ("major", "minor") else None
    key = f.get("key")
    key = _FLATS.get(key, key) if isinstance(key, str) else None
    key = key if key in PITCH_NAMES else None
    loudness = _clamp(f.get("loudness"), -70.0, 5.0, None)
    mood = f.get("mood") if f.get("mood") in MOODS else None
    hinted_v, hinted_e = mood_center(mood) if mood else (None, None)

    valence = _clamp(f.get("valence"), 0, 1, None)
    if valence is None:
        valence = hinted_v if hinted_v is not None else {"major": 0.65, "minor": 0.35}.get(mode or "", 0.5)
    energy = _clamp(f.get("energy"), 0, 1, None)
    if energy is None:
        if hinted_e is not None:
            energy = hinted_e
        elif loudness is not None:  # -30 LUFS quiet ... -5 LUFS loud
            energy = min(1.0, max(0.0, (loudness + 30.0) / 25.0))
        else:
            energy = 0.5
    units = {name: _clamp(f.get(name), 0, 1, 0.5) for name in _UNIT_FIELDS}
    units.update(energy=energy, valence=valence)
    return Music(
        tempo=_clamp(f.get("tempo"), 20.0, 300.0, 100.0) if f.get("tempo") else 100.0,
        loudness=loudness,
        mode=mode,
        key=key,
        mood=mood or mood_label(valence=valence, energy=energy),
        **units,
    )
