"""Poem generation as plain functions: no events, no HTTP."""

from __future__ import annotations

from functions.common.deadline import Deadline
from functions.poetry.model_catalog import ModelCatalog
from functions.poetry.personas import check_choice
from functions.poetry.poem import Poem, PoemRequest
from functions.poetry.spend import SpendGuard


def generate(request: PoemRequest, *, provider, deadline: Deadline, guard: SpendGuard, client: str) -> Poem:
    """Checks the request, then the caps (spend only for a provider that bills), then writes.
    The provider meters its own billed calls through the guard (see providers.get_provider).

    A `model` the deployed API would refuse (ModelCatalog.from_env, as BedrockProvider reads it) is
    a 400 whichever provider writes, so a frontend that works on the offline poet works on Bedrock."""
    check_choice(persona=request.persona, language=request.language)
    if request.model is not None and provider.name != "bedrock":  # Bedrock resolves it itself
        ModelCatalog.from_env().resolve(request.model)
    guard.admit(client, metered=provider.name == "bedrock")
    return provider.write(request, deadline)


def record_usage(poem: Poem, *, logger) -> None:
    """Usage as structured log fields, queried on demand with Logs Insights. No custom metric:
    AWS/Bedrock already counts tokens and latency per model for free."""
    logger.info(
        "poem written",
        extra={
            "provider": poem.provider,
            "model": poem.model,
            "input_tokens": poem.input_tokens,
            "output_tokens": poem.output_tokens,
            "cost_usd": round(poem.cost_usd, 6) if poem.cost_usd is not None else None,
            "latency_ms": round(poem.latency_ms or 0, 1),
        },
    )
