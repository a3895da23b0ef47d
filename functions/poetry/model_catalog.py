"""Which Bedrock model writes the poem, and what its tokens cost.

The allow-list holds what the function may call (`ALLOWED_MODELS`). Deployed, those are the
workspace's application inference profiles (ARNs, tagged for the budget), and
`BEDROCK_PROFILE_SOURCES` maps each to the system profile it was copied from, so aliases,
retired ids and prices still work. Unconfigured (a laptop), the allow-list is Haiku's
geographic profile only: Sonnet is opt-in. Claude 3 Haiku and 3.5 Haiku were retired in
2026, so an unchanged frontend that still sends their ids is mapped to the successor.
Prices come from bedrock_prices.json, the table `make cost` reads too."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from functions.common.config import ConfigError, env_json, env_list, env_str
from functions.common.errors import BadRequest, ServiceUnavailable

PRICES_FILE = Path(__file__).with_name("bedrock_prices.json")
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
DEFAULT_ALIASES = ("haiku",)  # enabled when nothing is configured
_GEO_PREFIX = re.compile(r"^(us|eu|apac|jp|au|ca|us-gov|global)\.")


@lru_cache(maxsize=1)
def price_table() -> dict:
    return json.loads(PRICES_FILE.read_text(encoding="utf-8"))


def _model_ids() -> dict[str, str]:
    """alias -> foundation model id, from the price table."""
    return {spec["alias"]: spec["model_id"] for spec in price_table()["models"].values()}


HAIKU = _model_ids()["haiku"]
SONNET = _model_ids()["sonnet"]


def geography(region: str) -> str:
    """Inference-profile prefix for a region."""
    if region.startswith("eu-"):
        return "eu"
    if region.startswith(("ap-", "me-")):
        return "apac"
    return "us"


def base_model(model: str) -> str:
    """`us.anthropic.x` -> `anthropic.x`; ARNs and plain ids pass through their last path part."""
    return _GEO_PREFIX.sub("", model.rsplit("/", 1)[-1])


def _region(env: Mapping[str, str]) -> str:
    return env_str(env, "AWS_REGION") or env_str(env, "AWS_DEFAULT_REGION") or "us-east-1"


def _object(env: Mapping[str, str], name: str) -> dict:
    value = env_json(env, name, {})
    if not isinstance(value, dict):
        raise ConfigError(name, "must be a JSON object")
    return value


class ModelCatalog:
    """Resolves a requested model (None, alias, id, profile, retired id) to an allowed id."""

    def __init__(
        self,
        *,
        allowed: list[str],
        aliases: dict[str, str],
        retired: dict[str, str],
        default: str,
        sources: dict[str, str] | None = None,
    ):
        self.allowed = allowed
        self.aliases = aliases
        self.retired = retired
        self.default = default
        self.sources = {model: (sources or {}).get(model, model) for model in allowed}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ModelCatalog:
        env = os.environ if env is None else env
        geo = geography(_region(env))
        sources = {str(k): str(v) for k, v in _object(env, "BEDROCK_PROFILE_SOURCES").items()}
        allowed = list(env_list(env, "ALLOWED_MODELS")) or list(sources)
        if not allowed:
            allowed = [f"{geo}.{_model_ids()[alias]}" for alias in DEFAULT_ALIASES]
        # An alias names the first allowed model of its family, wherever its profile lives.
        aliases = {}
        for alias, model_id in _model_ids().items():
            match = next((m for m in allowed if base_model(sources.get(m, m)) == model_id), None)
            if match:
                aliases[alias] = match
        aliases.update(_object(env, "MODEL_ALIASES"))
        retired = {old: aliases.get(alias, alias) for old, alias in RETIRED_TO_ALIAS.items()}  # any prefix: resolve
        retired.update(_object(env, "RETIRED_MODEL_MAP"))
        default = env_str(env, "DEFAULT_MODEL", "haiku")
        return cls(allowed=allowed, aliases=aliases, retired=retired, default=default, sources=sources)

    def resolve(self, requested: str | None) -> str:
        name = (requested or self.default).strip()
        name = self.aliases.get(name.lower(), name)
        # A retired id under any geography's prefix (global., jp., ...) is still retired.
        name = self.retired.get(name, self.retired.get(base_model(name), name))
        name = self.aliases.get(name, name)  # a retired-map target may itself be an alias
        if name not in self.allowed:
            # A model id, or any geography's system profile, of an enabled model goes to the
            # enabled profile: the same model, routed as this deployment allows.
            name = next((m for m, src in self.sources.items() if base_model(name) == base_model(src)), name)
        if name not in self.allowed:
            raise BadRequest(f"Model {requested or self.default!r} is not allowed", f"Allowed models: {self.listing()}")
        return name

    def listing(self) -> str:
        """Allowed models by alias and source id (never an ARN: it names the account)."""
        names = {model: alias for alias, model in self.aliases.items() if model in self.allowed}
        return ", ".join(
            f"{names[m]} ({self.sources[m]})" if m in names else self.sources[m].rsplit("/", 1)[-1]
            for m in self.allowed
        )

    def prices(self, model: str) -> dict[str, float] | None:
        """Per-million-token list prices of an allowed model, or None when the table lacks it."""
        base = base_model(self.sources.get(model, model))
        table = price_table()
        for spec in table["models"].values():
            if spec["model_id"] == base:
                return spec[table["endpoint"]]
        return None

    def cost_usd(self, model: str, *, input_tokens: int, output_tokens: int) -> float:
        """List price of one call. A model missing from the table is a configuration error:
        spending on a model we cannot price would defeat the daily cap."""
        rate = self.prices(model)
        if rate is None:
            raise ServiceUnavailable("The model has no price", f"Add {base_model(model)} to bedrock_prices.json")
        return (
            input_tokens * rate["input_per_million_tokens"] + output_tokens * rate["output_per_million_tokens"]
        ) / 1e6
