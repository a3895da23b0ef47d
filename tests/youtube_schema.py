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
