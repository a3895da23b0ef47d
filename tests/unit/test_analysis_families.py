"""Per-family accuracy floors on the committed sample (tests/fixtures/analysis/sample/).

The sample is what the youtube function sends (mono Vorbis at 22,050 Hz), cut by
bench/make_fixtures.py from the tuning side of the bench corpus; only permissively licensed
families are committed (music21 scores on FluidR3, espeak-ng). The floors are the levels
measured when the sample was cut, so a change that loses a family fails here; the held-out
figures and the GPL-sourced families (grooves, game music) are `make bench`'s."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from functions.analysis.analyzer import analyze
from functions.analysis.key import PITCH_CLASSES, mirex_score

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "analysis" / "sample"
TRUTH = json.loads((SAMPLE / "truth.json").read_text())
TOLERANCE = 0.04
# family -> (tempo Acc1, tempo Acc2, key MIREX) floors; None where the measured level is 0 and a
# floor could not fail. The sample is cut from the tuning side, which the metre choice was fitted
# on: these floors are in-sample.
FLOORS = {"chorale": (1.0, 1.0, 1.0), "classical": (None, 1.0, 1.0), "folk": (0.5, 1.0, 1.0)}
# Clips measured at another metrical level, and the ratio they read: the Mozart clip doubled
# (85 -> 170), the 6/8 folk tune at the eighth note (63 -> 188; before analyser 1.3.0's metre
# choice it read the quarter note, 94, a 3:2 case). Any other clip must read its tempo.
KNOWN_LEVELS = {"classical-mozart_k155_movement1-plain.ogg": 2, "folk-airdsAirs_book1-10-plain.ogg": 3}


def _ratio_hit(est: float, ref: float, ratios) -> bool:
    return any(abs(est / (ref * k) - 1) <= TOLERANCE for k in ratios)


@pytest.fixture(scope="module")
def results() -> dict:
    return {name: analyze(SAMPLE / name) for name in TRUTH}


@pytest.mark.parametrize("family", sorted(FLOORS))
def test_analysis_family_accuracy_floors(results, family):
    clips = [(name, truth) for name, truth in TRUTH.items() if truth["family"] == family]
    assert clips, f"no {family} clip in the sample"
    acc1 = sum(_ratio_hit(results[n]["tempo"], t["tempo"], (1,)) for n, t in clips) / len(clips)
    acc2 = sum(_ratio_hit(results[n]["tempo"], t["tempo"], (1, 2, 0.5, 3, 1 / 3)) for n, t in clips)
    keys = [
        mirex_score((results[n]["keyIndex"], results[n]["mode"]), (PITCH_CLASSES.index(t["key"]), t["mode"]))
        for n, t in clips
    ]
    floor1, floor2, floor_key = FLOORS[family]
    assert floor1 is None or acc1 >= floor1
    assert acc2 / len(clips) >= floor2
    assert sum(keys) / len(keys) >= floor_key


def test_analysis_sample_tempo_reads_the_truth_or_its_known_level(results):
    # Pins each clip, so a clip moving from its measured level to another (a 3:2 reading, say)
    # fails even where its family's floor is None; reading the truth is always accepted.
    for name, truth in TRUTH.items():
        if truth["kind"] == "music":
            ratios = (1, KNOWN_LEVELS[name]) if name in KNOWN_LEVELS else (1,)
            assert _ratio_hit(results[name]["tempo"], truth["tempo"], ratios), (name, results[name]["tempo"])


def test_analysis_sample_speech_and_music_are_told_apart(results):
    for name, truth in TRUTH.items():
        value = results[name]["speechiness"]
        if truth["kind"] == "speech":
            assert value > 0.66, name
        else:
            assert value < 0.33, name


def test_analysis_sample_is_small_and_in_the_youtube_format():
    import soundfile

    files = sorted(SAMPLE.glob("*.ogg"))
    assert len(files) == len(TRUTH) and sum(f.stat().st_size for f in files) < 500_000
    for f in files:
        info = soundfile.info(str(f))
        assert (info.channels, info.samplerate, info.subtype) == (1, 22050, "VORBIS")
