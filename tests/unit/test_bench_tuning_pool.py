"""The tuning pool (bench/tuning_pool.py) never takes a held-out groove, reads MMA files right,
skips only a groove that does not render alone and has the size the docs report."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import types
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


# --- main(): which render failures may skip a clip, and the pool's size -------------------------


def pool_clip(family: str, n: int) -> dict:
    return {"id": f"{family}-{n}", "kind": "music", "family": family, "side": "tuning", "source": f"s{n}"}


class FakeGroundtruth(types.ModuleType):
    """bench/groundtruth.py without music21 or fluidsynth: make_clip writes a file or raises."""

    def __init__(self, failures: dict):
        super().__init__("groundtruth")
        self.failures = failures
        self.logged: list[str] = []

    def log(self, msg):
        self.logged.append(msg)

    def make_clip(self, clip, out, tmp):
        if clip["id"] in self.failures:
            raise self.failures[clip["id"]]
        (out / f"{clip['id']}.flac").write_bytes(b"fLaC")


@pytest.fixture
def pool_run(tmp_path, monkeypatch):
    """Run main() on a planned pool of 3 grooves and 1 chorale, with render failures by clip id."""
    clips = [pool_clip("pool-groove", i) for i in range(3)] + [pool_clip("pool-chorale", 0)]
    monkeypatch.setattr(tuning_pool, "plan", lambda manifest, pieces: clips)
    monkeypatch.setattr(tuning_pool, "EXPECTED", {"pool-groove": 2, "pool-chorale": 1}, raising=False)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "manifest.json").write_text(json.dumps({"clips": []}))
    out = tmp_path / "pool"

    def run(failures: dict) -> FakeGroundtruth:
        fake = FakeGroundtruth(failures)
        monkeypatch.setitem(sys.modules, "groundtruth", fake)
        assert tuning_pool.main(["--corpus", str(tmp_path / "corpus"), "--out", str(out)]) == 0
        return fake

    return run, out


MMA_FAILED = subprocess.CalledProcessError(2, ["mma", "/tmp/x/groove.mma", "-f", "/tmp/x/clip.mid"])
FLUIDSYNTH_FAILED = subprocess.CalledProcessError(1, ["fluidsynth", "-ni", "sf2", "clip.mid"])


@pytest.mark.parametrize("failure", [sources.GrooveNotFound("MMA groove BlueFolk not found"), MMA_FAILED])
def test_tuning_pool_skips_a_groove_that_does_not_render_alone(pool_run, failure):
    run, out = pool_run
    fake = run({"pool-groove-1": failure})
    written = json.loads((out / "manifest.json").read_text())
    assert [c["id"] for c in written["clips"]] == ["pool-groove-0", "pool-groove-2", "pool-chorale-0"]
    assert [s["id"] for s in written["skipped"]] == ["pool-groove-1"]
    assert any(m.startswith("skip pool-groove-1") for m in fake.logged)


@pytest.mark.parametrize(
    ("clip_id", "failure"),
    [
        ("pool-groove-1", FLUIDSYNTH_FAILED),  # the synthesiser, not the groove
        ("pool-groove-1", ValueError("bad progression")),
        ("pool-groove-1", KeyError("minor")),
        ("pool-chorale-0", MMA_FAILED),  # only a groove may be skipped
    ],
)
def test_tuning_pool_stops_on_any_other_render_failure(pool_run, tmp_path, clip_id, failure):
    run, out = pool_run
    with pytest.raises(type(failure)):
        run({clip_id: failure})
    assert not (out / "manifest.json").exists()


def test_tuning_pool_fails_when_the_pool_is_not_the_expected_size(pool_run):
    run, out = pool_run
    lost = sources.GrooveNotFound("MMA groove X not found")
    with pytest.raises(
        SystemExit, match=r"2 clips rendered of 4 planned, not the 3[\s\S]*pool-groove: 1 clips, expected 2"
    ):
        run({"pool-groove-0": lost, "pool-groove-1": lost})
    assert not (out / "manifest.json").exists()


def test_tuning_pool_fails_when_more_clips_render_than_expected(pool_run):
    run, out = pool_run
    with pytest.raises(SystemExit, match="pool-groove: 3 clips, expected 2"):
        run({})


def test_tuning_pool_does_not_reuse_a_pool_of_another_size(pool_run):
    run, out = pool_run
    out.mkdir()
    (out / "a.flac").write_bytes(b"fLaC")
    old = {"version": tuning_pool.VERSION, "clips": [{"file": "a.flac", "family": "pool-groove"}]}
    (out / "manifest.json").write_text(json.dumps(old))
    fake = run({"pool-groove-1": MMA_FAILED})
    assert not any("up to date" in m for m in fake.logged)
    assert len(json.loads((out / "manifest.json").read_text())["clips"]) == 3


def test_tuning_pool_expected_size_is_the_documented_one():
    doc = (BENCH.parent / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    total = sum(tuning_pool.EXPECTED.values())
    assert f"{total} clips beside the tuning side" in doc
    for family, n in tuning_pool.EXPECTED.items():
        assert f"| {family} ({n}) |" in doc


# --- version 3: the second soundfont and more chorales ------------------------------------------


def test_tuning_pool_second_rendering_moves_tempo_and_soundfont(monkeypatch):
    monkeypatch.setattr(sources, "PROGRESSIONS", {"minor": [[1], [2], [3]]})
    rng = random.Random(1)
    groove = {"id": "pool-groove-Swing", "family": "pool-groove", "groove": "Swing", "meter": "4/4"}
    groove |= {"source": "mma Swing", "tempo": 100, "mode": "minor", "progression": 0}
    for _ in range(50):
        twin = tuning_pool.second_rendering(groove, rng)
        assert twin["id"] == "pool-groove-Swing-ms" and twin["soundfontKey"] == "tuning2"
        assert 85 <= twin["tempo"] <= 160 and abs(twin["tempo"] / 100 - 1) > 0.1
        assert twin["source"] == "mma Swing"  # one source: fit_tempo keeps both renders in one fold
    piece = {"id": "pool-chorale-x-plain", "family": "pool-chorale", "meter": "6/8", "tempo": 80, "ensemble": "organ"}
    twin = tuning_pool.second_rendering(piece, rng)
    assert 60 <= twin["tempo"] <= 110 and abs(twin["tempo"] / 80 - 1) > 0.1
    assert twin["ensemble"] in sources.ENSEMBLES and groove["tempo"] == 100  # the original is untouched


def test_tuning_pool_more_chorales_skip_listed_used_and_held_out_works(monkeypatch):
    paths = [f"/m21/corpus/bach/{n}.mxl" for n in ("bwv1.6", "bwv2.6", "bwv7.7", "bwv8.6-a", "bwv9.7", "bwv10.7")]
    fake_m21 = types.ModuleType("music21")
    fake_m21.corpus = types.SimpleNamespace(getComposer=lambda name: paths)
    monkeypatch.setitem(sys.modules, "music21", fake_m21)
    offered = []

    def pieces(family, limit, rng, *, names):
        offered.extend(names)
        return [{"source": n, "family": family, "tempo": 90} for n in names]

    fake_gt = types.ModuleType("groundtruth")
    fake_gt.music21_pieces = pieces
    monkeypatch.setitem(sys.modules, "groundtruth", fake_gt)
    monkeypatch.setattr(sources, "CHORALES", ["bach/bwv2.6"])
    out = tuning_pool.more_chorales({"bach/bwv10.7"}, {"bach/bwv7"}, random.Random(0))
    # bwv2.6 is listed, bwv10.7 used by the corpus, bwv7 a held-out cantata, bwv8.6-a not a chorale id
    assert offered == ["bach/bwv1.6", "bach/bwv9.7"]
    assert sources.CHORALES == ["bach/bwv2.6"]  # the corpus's list is left as it was
    assert [c["id"] for c in out] == ["pool-chorale-bach_bwv1.6-plain", "pool-chorale-bach_bwv9.7-plain-ms"]
    assert [c.get("soundfontKey") for c in out] == [None, "tuning2"]
    assert all(c["family"] == "pool-chorale" and c["side"] == "tuning" for c in out)
