"""The embedded offline poet: deterministic (same input, same poem), no network, no model.

The music steers everything a reader notices: valence and mode pick bright or dark words,
energy picks loud or soft ones and the number of stanzas, tempo sets the line length
(fast music, short lines), danceability adds a refrain, and the persona frames each stanza."""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import asdict

from functions.poetry.features import Music, Part, normalise, song_arc
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


def _seed(music: Music, persona: str, language: str, parts: tuple[Part, ...]) -> int:
    key = [music.as_dict(), persona, language] + ([[list(asdict(p).values()) for p in parts]] if parts else [])
    canonical = json.dumps(key, sort_keys=True)
    return int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:8], "big")


class _Voice:
    """Picks words for one poem, weighted by where the music sits between the four banks."""

    def __init__(self, lexicon: dict, music: Music, rng: random.Random):
        self.banks = lexicon["banks"]
        self.valence = music.valence
        self.rng = rng
        self.set_energy(music.energy)

    def set_energy(self, e: float) -> None:
        v = self.valence
        self.weights = {
            "bright_loud": v * e,
            "bright_soft": v * (1 - e),
            "dark_loud": (1 - v) * e,
            "dark_soft": (1 - v) * (1 - e),
        }

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


def stanza_lines(kind: str, sections: int) -> int:
    """Lines per stanza: fast music, more and shorter lines; at most 4 when over 5 sections."""
    lines = {"short": 6, "medium": 4, "long": 3}[kind]
    return min(lines, 4) if sections > 5 else lines


_VOWEL_SOUND = re.compile(r"\b([Aa])n? (?=(\w+))")
_A_BEFORE = ("one", "once", "uni", "use", "eu")  # vowel letters with a consonant sound
_AN_BEFORE = ("hour", "honest", "honour")  # a silent h


def _articles(line: str) -> str:
    """English a/an by the sound of the next word ("an electric fire", "a one-way street")."""

    def fix(match: re.Match) -> str:
        word = match.group(2).lower()
        vowel = word[0] in "aeiou" and not word.startswith(_A_BEFORE) or word.startswith(_AN_BEFORE)
        return match.group(1) + ("n " if vowel else " ")

    return _VOWEL_SOUND.sub(fix, line)


def _finish(line: str, *, last: bool, energy: float, language: str) -> str:
    line = line.strip().rstrip(",.:;!")
    if language == "en":
        line = _articles(line)
        line = line[0].upper() + line[1:]
    if last:
        return line + ("!" if energy > 0.75 else ".")
    return line + ("," if energy < 0.5 or language == "ko" else " —" if energy > 0.8 else ",")


class _Templates:
    """Hands out line templates so that none is used more than MAX_USES times in one poem:
    the wanted kind first, then the neighbouring lengths, then nothing (a shorter stanza)."""

    MAX_USES = 2
    ORDER = {"short": ("short", "medium", "long"), "medium": ("medium", "short", "long"), "long": ("long", "medium")}

    def __init__(self, lexicon: dict, rng: random.Random):
        self.lines = lexicon["lines"]
        self.rng = rng
        self.uses: dict[str, int] = {}

    def take(self, pool: list[str]) -> str | None:
        free = [t for t in pool if self.uses.get(t, 0) < self.MAX_USES]
        if not free:
            return None
        template = self.rng.choice(free)
        self.uses[template] = self.uses.get(template, 0) + 1
        return template

    def line(self, kind: str) -> str | None:
        for k in self.ORDER[kind]:
            template = self.take(self.lines[k])
            if template:
                return template
        return None


def _stanza_lines(voice, templates, *, opener, kind, n_lines, language, avoid) -> list[str]:
    """`opener` (a template, or None) then body lines until `n_lines`, no line repeated."""
    body = []
    if opener:
        body.append(voice.fill(_verb_forms(opener, language)))
    for _ in range(4 * n_lines):  # bounded: a repeated line is skipped, not looped on
        if len(body) >= n_lines:
            break
        template = templates.line(kind)
        if template is None:
            break
        line = voice.fill(_verb_forms(template, language))
        if line not in avoid and line not in body:
            body.append(line)
    return body


def write_poem(*, features: dict | None, persona: str, language: str) -> str:
    """Write a poem of several stanzas; the same arguments always give the same poem.

    With `sections` in the features, one stanza per (merged) section: its words and punctuation
    follow the section's energy, and a section whose label came before opens with the first
    lines of that earlier stanza, like a refrain."""
    check_choice(persona=persona, language=language)
    music = normalise(features)
    parts = song_arc(features, fallback_energy=music.energy)
    rng = random.Random(_seed(music, persona, language, parts))
    lexicon = LEXICONS[language]
    voice = _Voice(lexicon, music, rng)
    templates = _Templates(lexicon, rng)
    frame = lexicon["personas"][persona]
    kind = _line_kind(music.tempo)
    lines_per_stanza = stanza_lines(kind, len(parts))
    energies = [0.3 * music.energy + 0.7 * p.energy for p in parts] or [music.energy] * (
        3 + (music.energy > 0.4) + (music.energy > 0.75)
    )
    refrain_template = templates.take(lexicon["lines"]["short"]) if not parts and music.danceability >= 0.7 else None
    refrain = voice.fill(_verb_forms(refrain_template, language)) if refrain_template else None

    seen: set[str] = set()
    written: list[list[str]] = []
    stanzas = []
    for i, energy in enumerate(energies):
        voice.set_energy(energy)
        last = i == len(energies) - 1
        echoes = parts[i].echoes if parts else None
        if echoes is not None:  # the same music again: its first two lines come back
            echo = written[echoes][:2]
            body = echo + _stanza_lines(
                voice,
                templates,
                opener=None,
                kind=kind,
                n_lines=lines_per_stanza - len(echo),
                language=language,
                avoid=seen,
            )
        else:
            opener = templates.take(frame["open"])
            body = _stanza_lines(
                voice, templates, opener=opener, kind=kind, n_lines=lines_per_stanza, language=language, avoid=seen
            )
        if last:
            close = templates.take(frame["close"])
            if close:
                body.append(voice.fill(_verb_forms(close, language)))
        elif refrain:
            body.append(refrain)
        seen.update(body)
        written.append(body)
        stanzas.append(
            "\n".join(
                _finish(line, last=j == len(body) - 1, energy=energy, language=language) for j, line in enumerate(body)
            )
        )
    return "\n\n".join(stanzas)
