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


MAX_SECTIONS_IN = 12  # as the contract allows; more from a direct caller are cut
MIN_STANZA_S = 10.0  # sections shorter than this are merged into a neighbour
MAX_STANZAS = 8
CURVE_POINTS_OUT = 16
_LABELS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class Part:
    """One stanza's share of the song: a (merged) section. `echoes` is the index of the first
    part with the same label when the label returns, else None."""

    start: float
    end: float
    label: str
    energy: float
    loudness: float | None
    echoes: int | None


def _finite(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if value == value and abs(value) != float("inf") else None


def energy_curve(features: dict | None) -> tuple[float, ...]:
    """The energy curve resampled to CURVE_POINTS_OUT values in 0-1; () when absent or unusable."""
    raw = features.get("energyCurve") if isinstance(features, dict) else None
    if not isinstance(raw, list):
        return ()
    values = [v for v in (_finite(x) for x in raw[:256]) if v is not None]
    if len(values) < 2:
        return ()
    out = []
    for i in range(CURVE_POINTS_OUT):  # mean of each of CURVE_POINTS_OUT equal spans
        lo = i * len(values) // CURVE_POINTS_OUT
        hi = max(lo + 1, (i + 1) * len(values) // CURVE_POINTS_OUT)
        span = values[lo:hi]
        out.append(min(1.0, max(0.0, sum(span) / len(span))))
    return tuple(out)


def song_arc(features: dict | None, *, fallback_energy: float = 0.5) -> tuple[Part, ...]:
    """The sections as stanzas: validated, sorted, gaps and overlaps repaired, sections under
    MIN_STANZA_S merged into a neighbour, at most MAX_STANZAS. () when fewer than two remain
    (a poem without an arc is written as before)."""
    raw = features.get("sections") if isinstance(features, dict) else None
    if not isinstance(raw, list):
        return ()
    items = []
    for item in raw[:MAX_SECTIONS_IN]:
        if not isinstance(item, dict) or item.get("label") not in _LABELS:
            continue
        start, end = _finite(item.get("start")), _finite(item.get("end"))
        if start is None or end is None:
            continue
        start, end = min(max(start, 0.0), 86400.0), min(max(end, 0.0), 86400.0)
        energy = _clamp(item.get("energy"), 0.0, 1.0, fallback_energy)
        loud = _clamp(item.get("loudness"), -70.0, 5.0, None)
        items.append([start, end, item["label"], energy, loud])
    items.sort(key=lambda it: (it[0], it[1]))
    parts: list[list] = []
    for i, (start, end, label, energy, loud) in enumerate(items):
        start = parts[-1][1] if parts else start  # contiguous: each starts where the last ended
        end = max(end, items[i + 1][0] if i + 1 < len(items) else end)
        if end - start > 0:
            parts.append([start, end, label, energy, loud])
    while len(parts) > 1:
        lengths = [p[1] - p[0] for p in parts]
        shortest = min(range(len(parts)), key=lambda k: lengths[k])
        if lengths[shortest] >= MIN_STANZA_S and len(parts) <= MAX_STANZAS:
            break
        # Into the shorter neighbour: a short fill joins whatever it sits between most evenly.
        if shortest == 0:
            other = 1
        elif shortest == len(parts) - 1:
            other = shortest - 1
        else:
            other = shortest - 1 if lengths[shortest - 1] <= lengths[shortest + 1] else shortest + 1
        a, b = sorted((shortest, other))
        parts[a : b + 1] = [_merge(parts[a], parts[b])]
    if len(parts) < 2:
        return ()
    first: dict[str, int] = {}
    out = []
    for i, (start, end, label, energy, loud) in enumerate(parts):
        echoes = first.get(label)
        first.setdefault(label, i)
        out.append(Part(round(start, 2), round(end, 2), label, round(energy, 3), loud, echoes))
    return tuple(out)


def _merge(a: list, b: list) -> list:
    """Two neighbouring parts as one: the longer one's label, energy weighted by duration."""
    la, lb = a[1] - a[0], b[1] - b[0]
    label = a[2] if la >= lb else b[2]
    energy = (a[3] * la + b[3] * lb) / (la + lb)
    louds = [x for x in (a[4], b[4]) if x is not None]
    return [a[0], b[1], label, energy, max(louds) if louds else None]
