"""Poem providers behind one interface: `write(music request) -> Poem`.

`POETRY_PROVIDER` chooses explicitly (offline | bedrock | ollama); offline is the default
when nothing is configured, so a laptop with no account and no network still writes poems."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from functions.common.deadline import Deadline
from functions.common.errors import ServiceUnavailable
from functions.poetry import offline

PROVIDERS = ("offline", "bedrock", "ollama")


@dataclass(frozen=True)
class PoemRequest:
    features: dict
    persona: str
    language: str
    model: str | None = None


@dataclass(frozen=True)
class Poem:
    text: str
    provider: str
    model: str


class Provider(Protocol):
    name: str

    def write(self, request: PoemRequest, deadline: Deadline) -> Poem: ...


class OfflineProvider:
    name = "offline"

    def write(self, request: PoemRequest, deadline: Deadline) -> Poem:
        text = offline.write_poem(features=request.features, persona=request.persona, language=request.language)
        return Poem(text=text, provider=self.name, model=offline.MODEL_NAME)


def provider_name() -> str:
    name = os.environ.get("POETRY_PROVIDER", "offline").strip().lower() or "offline"
    if name not in PROVIDERS:
        raise ServiceUnavailable(f"Unknown poetry provider {name!r}",
                                 f"Set POETRY_PROVIDER to one of: {', '.join(PROVIDERS)}")
    return name


def get_provider() -> Provider:
    name = provider_name()
    if name == "offline":
        return OfflineProvider()
    raise ServiceUnavailable(f"The {name} provider is not available in this build",
                             "Set POETRY_PROVIDER=offline to use the embedded poet")
