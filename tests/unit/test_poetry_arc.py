"""Poems that follow the song's arc: sections in, one stanza per (merged) section out."""

from __future__ import annotations

import json

import pytest
from youtube_schema import sample_analysis

from functions.poetry import handler
from functions.poetry.features import MAX_STANZAS, song_arc
from functions.poetry.lexicon import LEXICONS
from functions.poetry.offline import write_poem
from functions.poetry.personas import LANGUAGES, PERSONAS
from functions.poetry.prompt import build_prompt

ABA = {
    "tempo": 110,
    "energy": 0.6,
    "valence": 0.5,
    "sections": [
        {"start": 0.0, "end": 24.0, "label": "A", "energy": 0.1, "loudness": -24.0},
        {"start": 24.0, "end": 50.0, "label": "B", "energy": 0.95, "loudness": -9.0},
        {"start": 50.0, "end": 74.0, "label": "A", "energy": 0.15, "loudness": -23.0},
    ],
}
LOUD = {w for bank in ("bright_loud", "dark_loud") for kind in ("a", "n") for w in LEXICONS["en"]["banks"][bank][kind]}
SOFT = {w for bank in ("bright_soft", "dark_soft") for kind in ("a", "n") for w in LEXICONS["en"]["banks"][bank][kind]}


# What audio-with-analysis returns for a 60 s track shaped A B A.
ANALYSIS = sample_analysis(
    duration=60.0,
    sections=[
        {"start": 0.0, "end": 19.5, "label": "A", "energy": 0.41, "loudness": -26.0},
        {"start": 19.5, "end": 39.5, "label": "B", "energy": 0.9, "loudness": -14.0},
        {"start": 39.5, "end": 55.0, "label": "A", "energy": 0.4, "loudness": -26.8},
        {"start": 55.0, "end": 60.0, "label": "C", "energy": 0.2, "loudness": -30.0},
    ],
    energyCurve=[0.4] * 10 + [0.9] * 11 + [0.4] * 8 + [0.2] * 3,
)


def _data(prompt) -> dict:
    return json.loads(prompt.user.split("\n", 1)[1])


def _bare(line: str) -> str:
    return line.rstrip(",.!— ")


def test_arc_merges_short_sections_and_caps_stanzas():
    sections = [{"start": 0, "end": 4, "label": "A"}, {"start": 4, "end": 30, "label": "B"}]
    sections += [{"start": 30 + 12 * i, "end": 42 + 12 * i, "label": "ABC"[i % 3]} for i in range(10)]
    parts = song_arc({"sections": sections})
    assert 2 <= len(parts) <= MAX_STANZAS
    assert parts[0].start == 0 and all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))
    assert all(p.end - p.start >= 10 for p in parts)


def test_arc_repairs_garbage_instead_of_failing():
    nan, inf = float("nan"), float("inf")
    garbage = [
        {"start": nan, "end": 10, "label": "A"},
        {"start": -5, "end": 20, "label": "A", "energy": nan, "loudness": inf},
        {"start": 20, "end": 40, "label": "verse"},
        {"start": 40, "end": inf, "label": "B"},
        {"start": 50, "end": 80, "label": "B", "energy": 7, "loudness": -500},
        "not a section",
        {"start": True, "end": 90, "label": "C"},
    ] * 20
    parts = song_arc({"sections": garbage})
    # Only the first 12 entries are read; of those, the two A (-5..20) and two B (50..80) survive,
    # clamped to 0 s and made contiguous (the empty 80..80 repeat is dropped).
    assert [(p.start, p.end, p.label, p.echoes) for p in parts] == [
        (0.0, 20.0, "A", None),
        (20.0, 50.0, "A", 0),
        (50.0, 80.0, "B", None),
    ]
    assert [p.energy for p in parts] == [0.5, 0.5, 1.0]  # NaN -> the fallback, 7 -> 1
    assert parts[2].loudness == -70.0  # -500 LUFS clamped
    for p in parts:
        assert 0 <= p.start < p.end and 0 <= p.energy <= 1
        assert p.loudness is None or -70 <= p.loudness <= 5
    prompt = build_prompt(
        features={"sections": garbage, "energyCurve": [nan, -1, 2, 0.5]}, persona="zen", language="en"
    )
    json.loads(prompt.user.split("\n", 1)[1])  # finite JSON (NaN would not be valid JSON)
    assert "NaN" not in prompt.user and "Infinity" not in prompt.user
    assert write_poem(features={"sections": garbage}, persona="zen", language="en")


def test_arc_prompt_asks_one_stanza_per_section_with_the_arc_as_data():
    prompt = build_prompt(features=ABA, persona="romantic", language="en")
    assert prompt.stanzas == 3
    assert "exactly 3 stanzas" in prompt.system and "one stanza per section" in prompt.system
    assert "echoes_stanza" in prompt.system  # the refrain instruction
    sections = _data(prompt)["sections"]
    assert [(s["label"], s["energy"]) for s in sections] == [("A", 0.1), ("B", 0.95), ("A", 0.15)]
    assert sections[2]["echoes_stanza"] == 1 and "echoes_stanza" not in sections[1]
    assert sections[1]["start_s"] == 24.0 and sections[1]["loudness_lufs"] == -9.0
    assert "24.0" not in prompt.system  # numbers stay in the data


def test_arc_prompt_without_sections_is_as_before():
    plain = {k: v for k, v in ABA.items() if k != "sections"}
    prompt = build_prompt(features=plain, persona="romantic", language="en")
    assert "sections" not in _data(prompt) and "section" not in prompt.system
    assert prompt.stanzas == 4  # energy 0.6: the shape rule of a poem without an arc


def test_arc_prompt_takes_a_whole_analysis_object():
    prompt = build_prompt(features=ANALYSIS, persona="noir", language="ko")
    data = _data(prompt)
    assert prompt.stanzas == len(data["sections"]) == 3  # the 5 s C section merges into the A before it
    assert [s["label"] for s in data["sections"]] == ["A", "B", "A"] and data["sections"][2]["end_s"] == 60.0
    assert len(data["energy_curve"]) == 16 and "mfcc" not in data


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_arc_offline_poet_writes_one_stanza_per_section_and_echoes_the_return(persona, language):
    poem = write_poem(features=ABA, persona=persona, language=language)
    stanzas = [s.splitlines() for s in poem.split("\n\n")]
    assert len(stanzas) == 3
    assert [_bare(x) for x in stanzas[2][:2]] == [_bare(x) for x in stanzas[0][:2]], "the return is not echoed"
    assert _bare(stanzas[1][0]) != _bare(stanzas[0][0])
    assert poem == write_poem(features=ABA, persona=persona, language=language)


def test_arc_offline_poet_intensity_follows_section_energy():
    loud_b = soft_b = loud_a = soft_a = 0
    for persona in PERSONAS:
        stanzas = write_poem(features=ABA, persona=persona, language="en").lower().split("\n\n")
        words_a, words_b = set(stanzas[0].replace(",", " ").split()), set(stanzas[1].replace(",", " ").split())
        loud_a, soft_a = loud_a + len(words_a & LOUD), soft_a + len(words_a & SOFT)
        loud_b, soft_b = loud_b + len(words_b & LOUD), soft_b + len(words_b & SOFT)
        assert stanzas[1].rstrip().endswith("!") and not stanzas[0].rstrip().endswith("!")
    assert loud_b > soft_b and soft_a > loud_a


def _post(rest_event, lambda_context, body):
    event = rest_event(body=None)
    event["body"] = body if isinstance(body, str) else json.dumps(body)
    result = handler.lambda_handler(event, lambda_context)
    return result["statusCode"], json.loads(result["body"])


def test_arc_handler_accepts_the_analysis_object_as_audio_features(rest_event, lambda_context):
    status, body = _post(rest_event, lambda_context, {"audioFeatures": ANALYSIS, "persona": "zen", "language": "en"})
    assert status == 200 and len(body["poetry"].split("\n\n")) == 3


@pytest.mark.parametrize(
    "sections,status",
    [
        ([{"start": 12 * i, "end": 12 * i + 12, "label": "A"} for i in range(13)], 400),  # more than 12
        ([{"start": -1, "end": 20, "label": "A"}, {"start": 20, "end": 40, "label": "B"}], 400),
        ([{"start": 0, "end": 20, "label": "verse"}], 400),
        ("sections", 400),
    ],
)
def test_arc_handler_refuses_an_invalid_arc_with_400(rest_event, lambda_context, sections, status):
    got, body = _post(
        rest_event, lambda_context, {"audioFeatures": {"sections": sections}, "persona": "zen", "language": "en"}
    )
    assert got == status and "sections" in body["error"]


def test_arc_handler_clamps_nan_and_refuses_infinity_never_500(rest_event, lambda_context):
    # Python's JSON reader takes NaN and Infinity. No range check can refuse NaN, so the poet
    # drops or clamps it; Infinity fails the range check and is a 400.
    raw = (
        '{"persona": "zen", "language": "en", "audioFeatures": {"energy": NaN, "energyCurve": [NaN, 0.5],'
        ' "sections": [{"start": 0, "end": NaN, "label": "A", "energy": NaN},'
        ' {"start": 20, "end": 45, "label": "B", "loudness": LOUD}, {"start": 45, "end": 70, "label": "A"}]}}'
    )
    status, body = _post(rest_event, lambda_context, raw.replace("LOUD", "NaN"))
    assert status == 200 and len(body["poetry"].split("\n\n")) == 2
    status, body = _post(rest_event, lambda_context, raw.replace("LOUD", "-Infinity"))
    assert status == 400 and "loudness" in body["error"]


def test_arc_prompt_with_twelve_sections_asks_for_eight_shorter_stanzas():
    sections = [{"start": 15 * i, "end": 15 * i + 15, "label": "ABCD"[i % 4], "energy": i / 12} for i in range(12)]
    prompt = build_prompt(features={"tempo": 150, "sections": sections}, persona="noir", language="ko")
    assert (prompt.stanzas, prompt.lines_per_stanza) == (MAX_STANZAS, 4)
    assert len(_data(prompt)["sections"]) == MAX_STANZAS
    poem = write_poem(features={"tempo": 150, "sections": sections}, persona="noir", language="ko")
    assert len(poem.split("\n\n")) == MAX_STANZAS
