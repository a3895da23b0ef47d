"""Poem generation as plain functions: no events, no HTTP."""

from __future__ import annotations

from functions.common.deadline import Deadline
from functions.poetry.personas import check_choice
from functions.poetry.poem import Poem, PoemRequest


def generate(request: PoemRequest, *, provider, deadline: Deadline) -> Poem:
    check_choice(persona=request.persona, language=request.language)
    return provider.write(request, deadline)


def record_usage(poem: Poem, *, logger, metrics, unit) -> None:
    """Usage as structured log fields and EMF metrics (tokens, latency), per provider."""
    logger.info(
        "poem written",
        extra={
            "provider": poem.provider,
            "model": poem.model,
            "input_tokens": poem.input_tokens,
            "output_tokens": poem.output_tokens,
            "latency_ms": round(poem.latency_ms or 0, 1),
        },
    )
    metrics.add_metadata(key="provider", value=poem.provider)
    metrics.add_metric(name="PoemLatency", unit=unit.Milliseconds, value=poem.latency_ms or 0)
    if poem.input_tokens is not None:
        metrics.add_metric(
            name="BedrockInputTokens" if poem.provider == "bedrock" else "InputTokens",
            unit=unit.Count,
            value=poem.input_tokens,
        )
    if poem.output_tokens is not None:
        metrics.add_metric(
            name="BedrockOutputTokens" if poem.provider == "bedrock" else "OutputTokens",
            unit=unit.Count,
            value=poem.output_tokens,
        )
