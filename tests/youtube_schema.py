"""Contract validators (functions.common.contract honours OpenAPI 3.0's `nullable`), a
contract-valid sample analysis and a no-secrets store, shared by the youtube tests."""

from __future__ import annotations

from functions.common.contract import component_validator

# Every field an analysis carries, written out (not read from the contract) so a field the
# contract forgets still fails a test.
ANALYSIS_FIELDS = {
    "analyzerVersion",
    "duration",
    "tempo",
    "tempoConfidence",
    "timeSignature",
    "key",
    "keyIndex",
    "mode",
    "keyConfidence",
    "loudness",
    "energy",
    "danceability",
    "valence",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "spectralCentroid",
    "spectralRolloff",
    "zeroCrossingRate",
    "mfcc",
    "mood",
    "sections",
    "energyCurve",
}


def validator(name: str):
    return component_validator(name)


def sample_analysis(**overrides) -> dict:
    """A contract-valid `Analysis` (what the analysis function returns), for stand-ins."""
    analysis = {
        "analyzerVersion": "1.0.0",
        "duration": 20.0,
        "tempo": 120.0,
        "tempoConfidence": 0.7,
        "timeSignature": 4,
        "key": "C",
        "keyIndex": 0,
        "mode": "major",
        "keyConfidence": 0.4,
        "loudness": -14.0,
        "energy": 0.6,
        "danceability": 0.7,
        "valence": 0.6,
        "acousticness": 0.3,
        "instrumentalness": 1.0,
        "speechiness": 0.05,
        "spectralCentroid": 1500.0,
        "spectralRolloff": 3200.0,
        "zeroCrossingRate": 0.05,
        "mfcc": [0.0] * 13,
        "mood": "uplifting",
        "sections": [
            {"start": 0.0, "end": 8.0, "label": "A", "energy": 0.4, "loudness": -18.0},
            {"start": 8.0, "end": 14.0, "label": "B", "energy": 0.9, "loudness": -12.0},
            {"start": 14.0, "end": 20.0, "label": "A", "energy": 0.5, "loudness": -17.0},
        ],
        "energyCurve": [0.4] * 13 + [0.9] * 9 + [0.5] * 10,
    }
    analysis.update(overrides)
    return analysis


class NoSecrets:
    """The youtube function's secret store with no cookies and no proxy configured."""

    def cookies(self):
        return None

    def proxy(self):
        return None

    def redact(self, text):
        return text
