"""The embedded offline poet: deterministic (same input, same poem), no network, no model.

The music steers everything a reader notices: valence and mode pick bright or dark words,
energy picks loud or soft ones and the number of stanzas, tempo sets the line length
(fast music, short lines), danceability adds a refrain, and the persona frames each stanza."""

from __future__ import annotations

import hashlib
import json
import random
import re

from functions.poetry.features import Music, normalise
from functions.poetry.lexicon import LEXICONS
from functions.poetry.personas import check_choice

MODEL_NAME = "offline-poet-1"
_SLOT = re.compile(r"\{([a-z]+)(\d?)(?:\|(\w+))?\}")
_PARTICLES = {
    "이가": ("이", "가"),
    "은는": ("은", "는"),
    "을를": ("을", "를"),
    "와과": ("과", "와"),
    "이여": ("이여", "여"),
}


def _has_final_consonant(word: str) -> bool:
    last = word[-1]
    return "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0


def _particle(word: str, pair: str) -> str:
    with_final, without = _PARTICLES[pair]
    return with_final if _has_final_consonant(word) else without


def _seed(music: Music, persona: str, language: str) -> int:
    canonical = json.dumps([music.as_dict(), persona, language], sort_keys=True)
    return int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:8], "big")


class _Voice:
    """Picks words for one poem, weighted by where the music sits between the four banks."""

    def __init__(self, lexicon: dict, music: Music, rng: random.Random):
        v, e = music.valence, music.energy
        self.banks = lexicon["banks"]
        self.weights = {
            "bright_loud": v * e,
            "bright_soft": v * (1 - e),
            "dark_loud": (1 - v) * e,
            "dark_soft": (1 - v) * (1 - e),
        }
        self.rng = rng

    def word(self, kind: str):
        names = list(self.weights)
        bank = self.rng.choices(names, weights=[self.weights[n] + 0.02 for n in names])[0]
        return self.rng.choice(self.banks[bank][kind])

    def fill(self, template: str) -> str:
        chosen: dict[str, object] = {}
        used: set[str] = set()

        def slot(match: re.Match) -> str:
            kind, index, pair = match.group(1), match.group(2), match.group(3)
            key = kind + index
            if key not in chosen:
                bank_kind = "v" if kind in ("v", "vs", "vc") else kind
                for _ in range(8):  # a different word for {n2} than for {n}
                    word = self.word(bank_kind)
                    if str(word) not in used:
                        break
                chosen[key] = word
                used.add(str(word))
            word = chosen[key]
            if isinstance(word, tuple):  # (base, inflected) verb pairs
                text = word[0] if kind == "v" else word[1]
            else:
                text = word
            return text + (_particle(text, pair) if pair else "")

        return _SLOT.sub(slot, template)


def _verb_forms(template: str, language: str) -> str:
    # English verbs are (base, third person); Korean verbs are (declarative, connective).
    if language == "ko":
        return template.replace("{vs", "{V").replace("{vc", "{vs").replace("{V", "{v")
    return template


def _line_kind(tempo: float) -> str:
    return "short" if tempo >= 135 else "medium" if tempo >= 95 else "long"


def _finish(line: str, *, last: bool, energy: float, language: str) -> str:
    line = line.strip().rstrip(",.:;!")
    if language == "en":
        line = line[0].upper() + line[1:]
    if last:
        return line + ("!" if energy > 0.75 else ".")
    return line + ("," if energy < 0.5 or language == "ko" else " —" if energy > 0.8 else ",")


def write_poem(*, features: dict | None, persona: str, language: str) -> str:
    """Write a poem of several stanzas; the same arguments always give the same poem."""
    check_choice(persona=persona, language=language)
    music = normalise(features)
    rng = random.Random(_seed(music, persona, language))
    lexicon = LEXICONS[language]
    voice = _Voice(lexicon, music, rng)
    frame = lexicon["personas"][persona]

    stanzas_n = 3 + (music.energy > 0.4) + (music.energy > 0.75)
    kind = _line_kind(music.tempo)
    lines_per_stanza = {"short": 6, "medium": 4, "long": 3}[kind]
    refrain = (
        voice.fill(_verb_forms(rng.choice(lexicon["lines"]["short"]), language)) if music.danceability >= 0.7 else None
    )
    openers = rng.sample(frame["open"], k=min(stanzas_n, len(frame["open"])))

    seen: set[str] = set()
    stanzas = []
    for i in range(stanzas_n):
        body = [voice.fill(_verb_forms(openers[i % len(openers)], language))]
        for _ in range(50 * lines_per_stanza):  # bounded: repeats are skipped, not looped on
            if len(body) >= lines_per_stanza:
                break
            line = voice.fill(_verb_forms(rng.choice(lexicon["lines"][kind]), language))
            if line not in seen and line not in body:
                body.append(line)
        if i == stanzas_n - 1:
            body.append(voice.fill(_verb_forms(rng.choice(frame["close"]), language)))
        elif refrain:
            body.append(refrain)
        seen.update(body)
        stanzas.append(
            "\n".join(
                _finish(line, last=j == len(body) - 1, energy=music.energy, language=language)
                for j, line in enumerate(body)
            )
        )
    return "\n\n".join(stanzas)
