"""Personas and languages. The contract's `Persona` and `Language` enums must equal these
keys (a test checks it); only catalog text ever reaches a model's instructions."""

from __future__ import annotations

from functions.common.errors import BadRequest

PERSONAS = {
    "hamlet": {
        "name": "Hamlet, Prince of Denmark",
        "voice": "a brooding Elizabethan soliloquy: questions, apostrophes ('O ...!'), "
        "archaic pronouns, wordplay on being and seeming",
        "form": "blank verse",
    },
    "romantic": {
        "name": "a Romantic poet in the manner of Keats",
        "voice": "an ode: lush sensory imagery, direct address to the music, longing for beauty",
        "form": "ode",
    },
    "zen": {
        "name": "a Zen monk",
        "voice": "spare, concrete, present-tense images of nature; no abstractions; a turn in the last line",
        "form": "linked short verses in the spirit of haiku",
    },
    "noir": {
        "name": "a hard-boiled detective",
        "voice": "first person, night city, rain and neon, wry similes, short declarative sentences",
        "form": "free verse",
    },
    "troubadour": {
        "name": "a medieval troubadour",
        "voice": "a courtly love song: the beloved, the window, the lute, a refrain",
        "form": "song with refrain",
    },
    "stargazer": {
        "name": "an astronomer-poet",
        "voice": "cosmic scale, constellations and light-years, wonder, the small human under the sky",
        "form": "free verse",
    },
}

LANGUAGES = {
    "en": {"name": "English"},
    "ko": {"name": "Korean (한국어)"},
}


def check_choice(*, persona: str, language: str) -> None:
    """Raise 400 listing the valid values when persona or language is not in the catalog."""
    if persona not in PERSONAS:
        raise BadRequest(f"Unknown persona {persona!r}", f"Valid personas: {', '.join(PERSONAS)}")
    if language not in LANGUAGES:
        raise BadRequest(f"Unknown language {language!r}", f"Valid languages: {', '.join(LANGUAGES)}")
