"""Poem providers behind one interface: `write(PoemRequest, Deadline) -> Poem`.

`POETRY_PROVIDER` chooses explicitly (offline | bedrock | ollama); offline is the default
when nothing is configured, so a laptop with no account and no network still writes poems."""

from __future__ import annotations

import os
import time
from typing import Protocol

from functions.common.config import env_choice
from functions.common.deadline import Deadline
from functions.poetry import offline
from functions.poetry.bedrock import BedrockProvider
from functions.poetry.ollama import OllamaProvider
from functions.poetry.poem import Poem, PoemRequest

PROVIDERS = ("offline", "bedrock", "ollama")


class Provider(Protocol):
    name: str

    def write(self, request: PoemRequest, deadline: Deadline) -> Poem: ...


class OfflineProvider:
    name = "offline"

    def write(self, request: PoemRequest, deadline: Deadline) -> Poem:
        started = time.perf_counter()
        text = offline.write_poem(features=request.features, persona=request.persona, language=request.language)
        return Poem(
            text=text, provider=self.name, model=offline.MODEL_NAME, latency_ms=(time.perf_counter() - started) * 1000
        )


def provider_name() -> str:
    return env_choice(os.environ, "POETRY_PROVIDER", "offline", PROVIDERS)


def get_provider(logger) -> Provider:
    name = provider_name()
    if name == "bedrock":
        return BedrockProvider(logger=logger)
    if name == "ollama":
        return OllamaProvider(logger=logger)
    return OfflineProvider()
