"""The tuning pool (bench/tuning_pool.py) never takes a held-out groove and reads MMA files right."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import sources  # noqa: E402
import tuning_pool  # noqa: E402

HEADERS = {
    "swing.mma": "Time 4\nTimesig 4 4\nDefGroove Swing   Basic swing beat.\nDefGroove SwingSus\n",
    "jig.mma": "Time 2\nTimesig 6/8\nDefGroove Jig  A jig.\n",
    "odd.mma": "Time 5\nTimesig 5 4\nDefGroove Odd\n",
    "waltz.mma": "Time 3\nTimeSig 3 4\n  defgroove SlowWaltz\n",
    "nosig.mma": "DefGroove NoSig\n",
}


@pytest.fixture
def library(tmp_path, monkeypatch):
    (tmp_path / "stdlib").mkdir()
    for name, text in HEADERS.items():
        (tmp_path / "stdlib" / name).write_text(text)
    monkeypatch.setattr(sources, "MMA_LIB", tmp_path)
    return tmp_path


def test_tuning_pool_reads_first_groove_and_meter(library):
    assert tuning_pool.library_grooves(set()) == [("Jig", "6/8"), ("Swing", "4/4"), ("SlowWaltz", "3/4")]


def test_tuning_pool_skips_excluded_grooves(library):
    assert [g for g, _ in tuning_pool.library_grooves({"swing", "jig"})] == ["SlowWaltz"]


def test_tuning_pool_excludes_every_corpus_groove_on_both_sides(library, monkeypatch):
    held_out = [
        g
        for grooves in sources.GROOVES.values()
        for i, (g, _, _) in enumerate(grooves)
        if sources.side_of(i) == "heldout"
    ]
    for g in held_out:
        (library / "stdlib" / f"{g.lower()}.mma").write_text(f"Timesig 4 4\nDefGroove {g}\n")
    assert len(held_out) == 18
    picked = [g for g, _ in tuning_pool.library_grooves(tuning_pool.corpus_grooves())]
    assert picked == ["Jig", "SlowWaltz"]  # Swing is a tuning-side corpus groove, also skipped


@pytest.mark.parametrize(
    ("groove", "ratio", "expected"),
    [
        ("Ballad68", "6/8", (60, 110)),
        ("SlowBlues", "4/4", (56, 86)),
        ("FastSwing", "4/4", (150, 190)),
        ("Waltz", "3/4", (90, 170)),
        ("Rhumba", "4/4", (85, 160)),
    ],
)
def test_tuning_pool_tempo_range_follows_the_name(groove, ratio, expected):
    assert tuning_pool.tempo_range(groove, ratio) == expected


@pytest.mark.parametrize(
    ("source", "work"),
    [
        ("haydn/opus1no1/movement3", "haydn/opus1no1"),
        ("mozart/k458/movement1", "mozart/k458"),
        ("bach/bwv6.6", "bach/bwv6"),
        ("bach/bwv36.4-2", "bach/bwv36"),
        ("cpebach", "cpebach"),
    ],
)
def test_tuning_pool_work_of_groups_movements(source, work):
    assert tuning_pool.work_of(source) == work
