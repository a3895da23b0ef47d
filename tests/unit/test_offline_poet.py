import re

import pytest

from functions.common.errors import BadRequest
from functions.poetry.features import normalise
from functions.poetry.offline import write_poem
from functions.poetry.personas import LANGUAGES, PERSONAS

HANGUL = re.compile(r"[\uac00-\ud7a3]")
BRIGHT = {"tempo": 128, "energy": 0.8, "valence": 0.9, "mode": "major"}


def _stanzas(poem: str) -> list[str]:
    return poem.split("\n\n")


def test_offline_poet_is_deterministic():
    assert write_poem(features=BRIGHT, persona="hamlet", language="en") == write_poem(
        features=dict(reversed(list(BRIGHT.items()))), persona="hamlet", language="en"
    )


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_offline_poet_writes_several_distinct_stanzas(persona, language):
    poem = write_poem(features=BRIGHT, persona=persona, language=language)
    stanzas = _stanzas(poem)
    assert len(stanzas) >= 3
    assert len(set(stanzas)) == len(stanzas), "two stanzas are identical"
    assert all(len(s.splitlines()) >= 3 for s in stanzas)
    assert "{" not in poem and "}" not in poem, "an unfilled slot leaked into the poem"


def test_offline_poet_korean_is_korean_and_english_is_not():
    ko = write_poem(features=BRIGHT, persona="hamlet", language="ko")
    en = write_poem(features=BRIGHT, persona="hamlet", language="en")
    assert len(HANGUL.findall(ko)) > 50
    assert not HANGUL.search(en)


def test_offline_poet_korean_particles_follow_final_consonant():
    poem = write_poem(features={"energy": 0.9, "valence": 0.9}, persona="romantic", language="ko")
    # "태양가" or "바람이가"-style mistakes would mean the particle rule is broken.
    assert not re.search(r"[양람빛겨울]가 ", poem)


def test_offline_poet_personas_sound_different():
    poems = {p: write_poem(features=BRIGHT, persona=p, language="en") for p in PERSONAS}
    assert len(set(poems.values())) == len(PERSONAS)
    assert re.search(r"(question|alas|methinks|O |shapes our ends|the rest is)", poems["hamlet"], re.I)


def test_offline_poet_tempo_sets_line_length():
    def mean_words(tempo):
        poem = write_poem(features={"tempo": tempo, "energy": 0.5}, persona="noir", language="en")
        lines = [line for line in poem.splitlines() if line]
        return sum(len(line.split()) for line in lines) / len(lines)

    assert mean_words(70) > mean_words(170) + 2


def test_offline_poet_energy_sets_stanza_count():
    calm = write_poem(features={"energy": 0.1}, persona="zen", language="en")
    wild = write_poem(features={"energy": 0.95}, persona="zen", language="en")
    assert len(_stanzas(wild)) > len(_stanzas(calm))
    assert wild.count("!") > calm.count("!")


def test_offline_poet_valence_and_mode_change_imagery():
    def words(features):
        return set(re.findall(r"[a-z]+", write_poem(features=features, persona="stargazer", language="en").lower()))

    dark = words({"mode": "minor", "valence": 0.05, "energy": 0.2})
    bright = words({"mode": "major", "valence": 0.95, "energy": 0.2})
    assert {"grey", "hollow", "faded", "cold", "lonely", "pale", "rain", "ash", "ghost"} & dark
    assert len(dark & {"grey", "hollow", "faded", "cold", "lonely", "pale"}) > len(
        bright & {"grey", "hollow", "faded", "cold", "lonely", "pale"}
    )


def test_offline_poet_rejects_unknown_persona_with_valid_list():
    with pytest.raises(BadRequest) as info:
        write_poem(features={}, persona="yoda", language="en")
    assert "hamlet" in info.value.details


def test_offline_poet_rejects_unknown_language():
    with pytest.raises(BadRequest) as info:
        write_poem(features={}, persona="hamlet", language="tlh")
    assert "ko" in info.value.details


def test_features_normalise_clamps_and_derives():
    music = normalise(
        {
            "tempo": 999,
            "energy": -1,
            "valence": float("nan"),
            "mode": "minor",
            "key": "Bb",
            "mood": "ecstatic",
            "junk": 1,
        }
    )
    assert music.tempo == 300 and music.energy == 0
    assert music.valence == 0.35  # from the minor mode
    assert music.key == "A#"
    assert music.mood == "calm"  # unknown label replaced by the derived one (v 0.35, e 0)
