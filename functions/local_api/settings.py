"""`functions/settings.json`: the one file of function settings (memory, timeout, env),
read by Terraform with jsondecode and by the local API here."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SETTINGS_PATH = Path(__file__).resolve().parent.parent / "settings.json"


@lru_cache(maxsize=1)
def load() -> dict:
    return json.loads(SETTINGS_PATH.read_text(encoding="utf-8"))


def function(name: str) -> dict:
    return load()["functions"][name]


def local_environment(user_env: dict[str, str]) -> dict[str, str]:
    """Variables the local API adds: every function's `env` with its `local_env` on top.

    The process is shared by all functions, so two functions may not set one variable to
    different values. Variables already in `user_env` win and are not returned."""
    merged: dict[str, tuple[str, str]] = {}
    for name, fn in load()["functions"].items():
        for key, value in {**fn.get("env", {}), **fn.get("local_env", {})}.items():
            if key in merged and merged[key][1] != str(value):
                raise ValueError(f"settings.json: {key} differs between {merged[key][0]} and {name}")
            merged[key] = (name, str(value))
    return {key: value for key, (_, value) in merged.items() if key not in user_env}


# Environments per function when no reserved concurrency applies: the one local default.
LOCAL_CONCURRENCY = 10
TFVARS_DIR = SETTINGS_PATH.parent.parent / "terraform" / "environments"


def concurrency(name: str, environment: str | None = None) -> int:
    """How many environments `name` may run at once locally.

    With an environment (`make serve ENV=prod`), its reserved concurrency as Terraform sets it
    from terraform/environments/<env>.tfvars (`reserved_concurrency[name]`, else
    `default_reserved_concurrency`); without one, LOCAL_CONCURRENCY."""
    function(name)  # an unknown function fails here, not later
    if not environment:
        return LOCAL_CONCURRENCY
    values = _tfvars(environment)
    per_function = values.get("reserved_concurrency") or {}
    value = per_function.get(name, values.get("default_reserved_concurrency"))
    return int(value) if value is not None else LOCAL_CONCURRENCY


@lru_cache(maxsize=4)
def _tfvars(environment: str) -> dict:
    path = TFVARS_DIR / f"{environment}.tfvars"
    if not path.is_file():
        known = sorted(p.stem for p in TFVARS_DIR.glob("*.tfvars"))
        raise ValueError(f"no environment {environment!r}: terraform/environments has {known}")
    import hcl2  # a dev dependency, like the local API itself

    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle)
