"""Which Bedrock model writes the poem: allow-list, aliases and retired-id successors.

Claude 3 Haiku and Claude 3.5 Haiku were retired in 2026, so an unchanged frontend that still
sends their ids is mapped to the successor instead of failing. All three tables can be
overridden from the environment; defaults use the cross-region inference profile of the
function's region geography (us., eu., apac.)."""

from __future__ import annotations

import os

from functions.common.config import ConfigError, env_json, env_list, env_str
from functions.common.errors import BadRequest

HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"
RETIRED_TO_ALIAS = {
    "anthropic.claude-3-haiku-20240307-v1:0": "haiku",
    "anthropic.claude-3-5-haiku-20241022-v1:0": "haiku",
    "anthropic.claude-instant-v1": "haiku",
    "anthropic.claude-3-sonnet-20240229-v1:0": "sonnet",
    "anthropic.claude-3-5-sonnet-20240620-v1:0": "sonnet",
    "anthropic.claude-3-5-sonnet-20241022-v2:0": "sonnet",
    "anthropic.claude-3-7-sonnet-20250219-v1:0": "sonnet",
    "anthropic.claude-v2": "sonnet",
    "anthropic.claude-v2:1": "sonnet",
}


def geography(region: str) -> str:
    """Inference-profile prefix for a region."""
    if region.startswith("eu-"):
        return "eu"
    if region.startswith(("ap-", "me-")):
        return "apac"
    return "us"


def _region() -> str:
    return env_str(os.environ, "AWS_REGION") or env_str(os.environ, "AWS_DEFAULT_REGION", "us-east-1")


def _json_env(name: str) -> dict[str, str]:
    value = env_json(os.environ, name, {})
    if not isinstance(value, dict):
        raise ConfigError(name, "must be a JSON object")
    return value


class ModelCatalog:
    """Resolves a requested model (None, alias, id, profile, retired id) to an allowed id."""

    def __init__(self, *, allowed: list[str], aliases: dict[str, str], retired: dict[str, str], default: str):
        self.allowed = allowed
        self.aliases = aliases
        self.retired = retired
        self.default = default

    @classmethod
    def from_env(cls) -> ModelCatalog:
        geo = geography(_region())
        defaults = {"haiku": f"{geo}.{HAIKU}", "sonnet": f"{geo}.{SONNET}"}
        allowed = list(env_list(os.environ, "ALLOWED_MODELS")) or list(defaults.values())
        # An alias names the first allowed model of its family, so a deployment whose allow-list
        # (and IAM) uses another geography's profiles still resolves `haiku` to something allowed.
        aliases = {
            alias: next((m for m in allowed if f"claude-{alias}" in m), default) for alias, default in defaults.items()
        }
        aliases.update(_json_env("MODEL_ALIASES"))
        retired: dict[str, str] = {}
        for old, alias in RETIRED_TO_ALIAS.items():
            for prefix in ("", "us.", "eu.", "apac."):
                retired[prefix + old] = aliases.get(alias, alias)
        retired.update(_json_env("RETIRED_MODEL_MAP"))
        default = env_str(os.environ, "DEFAULT_MODEL", "haiku")
        return cls(allowed=allowed, aliases=aliases, retired=retired, default=default)

    def resolve(self, requested: str | None) -> str:
        name = (requested or self.default).strip()
        name = self.aliases.get(name.lower(), name)
        name = self.retired.get(name, name)
        name = self.aliases.get(name, name)  # a retired-map target may itself be an alias
        if name not in self.allowed:
            raise BadRequest(
                f"Model {requested or self.default!r} is not allowed",
                f"Allowed models: {', '.join(self.allowed)} (aliases: {', '.join(self.aliases)})",
            )
        return name
