"""Small readers over tfparse output (resources by type and module instance, lists that
tfparse collapses to a single dict)."""

from __future__ import annotations

import re

FUNCTION_MODULE = re.compile(r'^module\.function\["([^"]+)"\]\.')


def items(plan: dict, type_: str) -> list[dict]:
    return plan.get(type_, [])


def path(resource: dict) -> str:
    return resource["__tfmeta"]["path"]


def by_function(plan: dict, type_: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for resource in items(plan, type_):
        match = FUNCTION_MODULE.match(path(resource))
        if match:
            found.setdefault(match.group(1), []).append(resource)
    return found


def one_by_function(plan: dict, type_: str, name: str | None = None) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for key, resources in by_function(plan, type_).items():
        chosen = [r for r in resources if name is None or path(r).endswith(f".{name}")]
        assert len(chosen) == 1, f"{key}: expected one {type_}{'.' + name if name else ''}, got {len(chosen)}"
        found[key] = chosen[0]
    return found


def single(plan: dict, type_: str, suffix: str) -> dict:
    chosen = [r for r in items(plan, type_) if path(r).endswith(suffix)]
    assert len(chosen) == 1, f"expected one {type_} ending {suffix}, got {[path(r) for r in chosen]}"
    return chosen[0]


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def locals_of(plan: dict, module_path: str = "locals") -> dict:
    merged: dict = {}
    for block in items(plan, "locals"):
        if block["__tfmeta"]["path"] == module_path:
            merged.update({k: v for k, v in block.items() if k not in ("__tfmeta", "id")})
    return merged


def outputs(plan: dict) -> dict:
    return {o["__tfmeta"]["path"]: o.get("value") for o in items(plan, "output")}


def statements(document: dict) -> list[dict]:
    return as_list(document.get("statement"))
