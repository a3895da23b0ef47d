"""Poem generation as a plain function: no events, no HTTP."""
from __future__ import annotations

from functions.common.deadline import Deadline
from functions.poetry.catalog import check_choice
from functions.poetry.providers import Poem, PoemRequest, Provider


def generate(request: PoemRequest, *, provider: Provider, deadline: Deadline) -> Poem:
    check_choice(persona=request.persona, language=request.language)
    return provider.write(request, deadline)
