"""The documented mood labels (`Mood` in openapi.yaml): a 3x3 grid over valence (x) and
energy (y), both 0-1. Shared by the analysis (which labels music) and the poets."""

from __future__ import annotations

# Rows by energy (low, mid, high); columns by valence (low, mid, high).
MOOD_GRID = (
    ("melancholic", "calm", "peaceful"),
    ("dark", "neutral", "uplifting"),
    ("tense", "energetic", "joyful"),
)
MOODS = tuple(label for row in MOOD_GRID for label in row)
_EDGES = (1 / 3, 2 / 3)


def _band(value: float) -> int:
    return sum(value >= edge for edge in _EDGES)


def mood_label(*, valence: float, energy: float) -> str:
    """Mood label for `valence` and `energy` (each 0-1; values outside are clamped)."""
    v = min(1.0, max(0.0, float(valence)))
    e = min(1.0, max(0.0, float(energy)))
    return MOOD_GRID[_band(e)][_band(v)]


def mood_center(label: str) -> tuple[float, float]:
    """(valence, energy) at the centre of a label's cell."""
    for row_i, row in enumerate(MOOD_GRID):
        if label in row:
            return ((row.index(label) + 0.5) / 3, (row_i + 0.5) / 3)
    raise ValueError(f"unknown mood {label!r}; expected one of {', '.join(MOODS)}")
