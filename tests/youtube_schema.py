"""Contract validators that honour OpenAPI 3.0's `nullable` (fastjsonschema, a JSON Schema
validator, ignores it): `nullable: true` becomes a type list with "null"."""
from __future__ import annotations

import fastjsonschema

from functions.common.contract import spec


def _json_schema(node):
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") and "type" in node:
        out["type"] = [node["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def validator(name: str):
    components = _json_schema(spec()["components"])
    return fastjsonschema.compile({"$ref": f"#/components/schemas/{name}", "components": components})


def sample_analysis(**overrides) -> dict:
    """A contract-valid `Analysis` (what the analysis function returns), for stand-ins."""
    analysis = {
        "analyzerVersion": "1.0.0", "duration": 20.0, "tempo": 120.0, "tempoConfidence": 0.7, "timeSignature": 4,
        "key": "C", "keyIndex": 0, "mode": "major", "keyConfidence": 0.4, "loudness": -14.0, "energy": 0.6,
        "danceability": 0.7, "valence": 0.6, "acousticness": 0.3, "instrumentalness": 1.0, "speechiness": 0.05,
        "spectralCentroid": 1500.0, "spectralRolloff": 3200.0, "zeroCrossingRate": 0.05, "mfcc": [0.0] * 13,
        "mood": "uplifting",
    }
    analysis.update(overrides)
    return analysis
