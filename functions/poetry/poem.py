"""What goes into a poet and what comes out."""

from __future__ import annotations

from dataclasses import dataclass


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
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: float | None = None
    cost_usd: float | None = None  # list price of the tokens (Bedrock only); the daily cap adds it up
