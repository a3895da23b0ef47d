"""The one place functions parse their environment. A bad value raises `ConfigError` (503 in
every function: the deployment is wrong, not the request), naming the variable, never its value."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, overload

from functions.common.errors import ServiceUnavailable


class ConfigError(ServiceUnavailable):
    reason = "config"

    def __init__(self, name: str, problem: str):
        super().__init__("The service is misconfigured", f"{name} {problem}")
        self.name = name


@overload
def env_str(env: Mapping[str, str], name: str) -> str | None: ...
@overload
def env_str(env: Mapping[str, str], name: str, default: str) -> str: ...
@overload
def env_str(env: Mapping[str, str], name: str, default: None) -> str | None: ...


def env_str(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    """The stripped value, or `default` when unset or blank."""
    raw = env.get(name, "").strip()
    return raw or default


def _bounded(name: str, value, low, high):
    if low is not None and value < low:
        raise ConfigError(name, f"must be at least {low}")
    if high is not None and value > high:
        raise ConfigError(name, f"must be at most {high}")
    return value


def env_int(env: Mapping[str, str], name: str, default: int, *, low: int | None = None, high: int | None = None) -> int:
    raw = env_str(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, "must be an integer") from None
    return _bounded(name, value, low, high)


def env_float(
    env: Mapping[str, str], name: str, default: float, *, low: float | None = None, high: float | None = None
) -> float:
    raw = env_str(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, "must be a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(name, "must be a finite number")
    return _bounded(name, value, low, high)


def env_list(env: Mapping[str, str], name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A comma-separated list; blanks dropped; unset means `default`."""
    raw = env_str(env, name)
    if raw is None:
        return default
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def env_json(env: Mapping[str, str], name: str, default: Any = None) -> Any:
    raw = env_str(env, name)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        raise ConfigError(name, "must be valid JSON") from None


def env_choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env_str(env, name) or default).lower()
    if value not in choices:
        raise ConfigError(name, f"must be one of {', '.join(choices)}")
    return value
