"""A larger tuning-only pool for tempo: more MMA grooves and music21 pieces, on two soundfonts.

The corpus's tuning side (bench/groundtruth.py) holds 42 music clips, too few to tell a rule that
fixes octave choices from one that fits a handful of clips. This pool adds every MMA library
groove the corpus does not use (on either side), the chorales of the corpus's list that it did
not pick and more Mozart and Haydn movements, rendered with the tuning soundfont. Nothing
here is on the held-out side: its grooves, pieces and soundfont stay unseen. Tempo ranges per
groove come from its name (slow, fast, ballad), the truth is the tempo MMA or the MIDI is given.

Since VERSION 3 every groove and piece is rendered a second time, at another tempo of its range
and on a second soundfont (MuseScore General Lite), and more Bach chorales (music21's, none from a
held-out cantata) are added on both: one timbre and a single tempo per groove let a fit learn
FluidR3's sound and each groove's one speed. The VERSION 2 clips keep their ids, tempi and renders.

No movement of a work the held-out side plays (another movement of the same quartet) is in it.
No folk tunes: for most of the further ABC tunes the rendering does not keep the tempo written
into the MIDI (a clip with a drum track on every beat at 153 BPM reads 143.5 in librosa too, even
with a prior centred on 153), so their truth cannot be trusted. The corpus's own folk clips read at
their truth or a 2:1 or 3:2 relative of it, and stay there.

Output: <out>/manifest.json (side "tuning", family "pool-groove" / "pool-<family>"; `skipped`:
grooves that do not render alone) and FLACs, only when the pool has the EXPECTED size."""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sources  # noqa: E402

SEED = 20261201
VERSION = 3  # bump when the pool changes (2: no movement of a held-out work; 3: second soundfont)
SECOND = "ms"  # id suffix of the second soundfont's renders
NEW_CHORALES = 30
SLOW = re.compile(r"ballad|slow|lullaby|hymn|spiritual|bolero|evansish|nite|mellow")
FAST = re.compile(r"fast|quickstep|bebop|bluegrass|polka|jive|ska|twist|dixiemarch")
# The pool of this VERSION, clips per family, as docs/benchmarks.md reports it: the 82 library
# grooves the corpus does not use less BlueFolk (bluefolk.mma has `Timesig 4 4` but no `Time 4`,
# which bench/midi.py reads), 10 chorales and 6 movements, each twice (two soundfonts), and 30
# more chorales. Another MMA library or music21 corpus changes it; then bump VERSION, update this
# and the docs.
EXPECTED = {"pool-groove": 162, "pool-chorale": 50, "pool-classical": 12}


def library_grooves(exclude: set[str]) -> list[tuple[str, str]]:
    """(groove, meter) of each library file's first groove in 2/4, 3/4, 4/4 or 6/8."""
    found = []
    for path in sorted((sources.MMA_LIB / "stdlib").glob("*.mma")):
        text = path.read_text(errors="replace")
        sig = re.search(r"^\s*timesig\s+(\d+)\s*/?\s*(\d+)", text, re.I | re.M)
        first = re.search(r"^\s*defgroove\s+(\S+)", text, re.I | re.M)
        if not sig or not first or first.group(1).lower() in exclude:
            continue
        ratio = f"{sig.group(1)}/{sig.group(2)}"
        if ratio in ("2/4", "3/4", "4/4", "6/8"):
            found.append((first.group(1), ratio))
    return found


def corpus_grooves() -> set[str]:
    """Lower-case names of every groove the corpus uses, on either side: the pool skips them."""
    return {g.lower() for grooves in sources.GROOVES.values() for g, _, _ in grooves}


def tempo_range(groove: str, ratio: str) -> tuple[int, int]:
    """BPM range of the felt beat for a groove (the dotted quarter in 6/8), from its name."""
    name = groove.lower()
    if ratio == "6/8":
        return (60, 110)
    if SLOW.search(name):
        return (56, 86)
    if FAST.search(name):
        return (150, 190)
    return (90, 170) if ratio == "3/4" else (85, 160)


def work_of(source: str) -> str:
    """The work a music21 source belongs to: a quartet for its movements, a cantata for its
    chorale ("haydn/opus1no1/movement3" -> "haydn/opus1no1", "bach/bwv6.6" -> "bach/bwv6")."""
    parts = source.split("/")
    if len(parts) >= 3:
        return "/".join(parts[:-1])
    return re.sub(r"^(bach/bwv\d+)\..*$", r"\1", source)


def plan(main_manifest: dict, extra_pieces: int) -> list[dict]:
    import groundtruth  # music21 and mido live in the bench venv only (tests import this module)
    from music21 import corpus

    rng = random.Random(SEED)
    used = {c["source"] for c in main_manifest["clips"]}
    # Other movements of a held-out work would carry its themes and textures into tuning.
    held_works = {work_of(c["source"]) for c in main_manifest["clips"] if c["side"] == "heldout"}
    clips = []
    for groove, ratio in library_grooves(corpus_grooves()):
        lo, hi = tempo_range(groove, ratio)
        mode = rng.choice(["major", "minor"])
        clips.append(
            {
                "id": f"pool-groove-{groove.replace('&', 'n')}",
                "kind": "music",
                "family": "pool-groove",
                "side": "tuning",
                "groove": groove,
                "source": f"mma {groove}",
                "key": rng.choice(groundtruth.NAMES),
                "mode": mode,
                "tempo": rng.randint(lo, hi),
                "drums": True,
                "progression": rng.randrange(len(sources.PROGRESSIONS[mode])),
                "meter": ratio,
                "beatsPerBar": 2 if ratio == "6/8" else int(ratio[0]),
            }
        )
    # The corpus's lists first (what it did not pick), then more movements of the same composers.
    classical = sources.CLASSICAL + [
        str(p).split("corpus/")[-1].rsplit(".", 1)[0]
        for c in ("mozart", "haydn")  # Beethoven's quartets take minutes each to parse
        for p in corpus.getComposer(c)
        if str(p).endswith(".mxl")
    ]
    picked = {
        "chorale": groundtruth.music21_pieces("chorale", extra_pieces + 20, rng),
        "classical": groundtruth.music21_pieces("classical", extra_pieces + 20, rng, names=classical),
    }
    for family, pieces in picked.items():
        fresh = [p for p in pieces if p["source"] not in used and work_of(p["source"]) not in held_works]
        for i, piece in enumerate(fresh):
            base = piece["source"].replace("/", "_").replace("#", "-").replace(".abc", "")
            drums = i % 2 == 1
            clips.append(
                {
                    **piece,
                    "id": f"pool-{family}-{base}-{'drums' if drums else 'plain'}",
                    "family": f"pool-{family}",
                    "kind": "music",
                    "side": "tuning",
                    "drums": drums,
                }
            )
    rng2 = random.Random(SEED + VERSION)  # the VERSION 2 clips above keep their draws
    clips += [second_rendering(clip, rng2) for clip in clips]
    clips += more_chorales(used, held_works, rng2)
    return clips


def piece_range(clip: dict) -> tuple[int, int]:
    """BPM range of a clip's felt beat: the groove's (tempo_range) or groundtruth's for pieces."""
    if clip["family"] == "pool-groove":
        return tempo_range(clip["groove"], clip["meter"])
    return sources.piece_tempo_range(clip["meter"])


def second_rendering(clip: dict, rng: random.Random) -> dict:
    """The same groove or piece at another tempo of its range, on the second soundfont."""
    lo, hi = piece_range(clip)
    other = [t for t in range(lo, hi + 1) if abs(t / clip["tempo"] - 1) > 0.1] or [clip["tempo"]]
    out = {**clip, "id": f"{clip['id']}-{SECOND}", "tempo": rng.choice(other), "soundfontKey": "tuning2"}
    if clip["family"] == "pool-groove":
        out["progression"] = rng.randrange(len(sources.PROGRESSIONS[clip["mode"]]))
    else:
        out["ensemble"] = rng.choice(sorted(sources.ENSEMBLES))
    return out


def more_chorales(used: set[str], held_works: set[str], rng: random.Random) -> list[dict]:
    """NEW_CHORALES of music21's Bach chorales beyond sources.CHORALES, none from a used source or
    a held-out cantata, on the two soundfonts in turn, half with drums."""
    import groundtruth
    from music21 import corpus

    # Chorales are numbered bwvN.M (bwv846 is a prelude); a chorale stored as .krn and .mxl
    # counts once. In BWV order as strings, so these are the lowest-numbered cantatas, not a sample.
    names = sorted(
        {
            name
            for name in (str(p).split("corpus/")[-1].rsplit(".", 1)[0] for p in corpus.getComposer("bach"))
            if re.fullmatch(r"bach/bwv\d+\.\d+(-\d+)?", name) and name not in sources.CHORALES
        }
    )
    fresh = [n for n in names if n not in used and work_of(n) not in held_works]
    pieces = groundtruth.music21_pieces("chorale", NEW_CHORALES, rng, names=fresh)
    clips = []
    for i, piece in enumerate(pieces):
        base = piece["source"].replace("/", "_").replace("#", "-")
        drums, second = (i // 2) % 2 == 1, i % 2 == 1
        clips.append(
            {
                **piece,
                "id": f"pool-chorale-{base}-{'drums' if drums else 'plain'}" + (f"-{SECOND}" if second else ""),
                "family": "pool-chorale",
                "kind": "music",
                "side": "tuning",
                "drums": drums,
                **({"soundfontKey": "tuning2"} if second else {}),
            }
        )
    return clips


def unrenderable(clip: dict, exc: Exception) -> bool:
    """The one failure a pool clip may have: a library groove that does not render alone (no
    `Time N` line for bench/midi.py, or mma exits non-zero on it). Anything else (fluidsynth,
    music21, soundfile, a bug) stops the pool."""
    if clip["family"] != "pool-groove":
        return False
    if isinstance(exc, subprocess.CalledProcessError):
        cmd = exc.cmd if isinstance(exc.cmd, list | tuple) else str(exc.cmd).split()
        return bool(cmd) and Path(str(cmd[0])).name == "mma"
    return isinstance(exc, sources.GrooveNotFound)


def size_problems(rows: list[dict]) -> list[str]:
    """Families whose clip count differs from EXPECTED (missing or extra families included)."""
    got = Counter(row["family"] for row in rows)
    return [
        f"{family}: {got.get(family, 0)} clips, expected {EXPECTED.get(family, 0)}"
        for family in sorted(set(got) | set(EXPECTED))
        if got.get(family, 0) != EXPECTED.get(family, 0)
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="the main corpus (its sources are skipped)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--pieces", type=int, default=30, help="music21 pieces per family, before skipping")
    args = ap.parse_args(argv)
    import groundtruth

    main_manifest = json.loads((args.corpus / "manifest.json").read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    done = args.out / "manifest.json"
    if done.exists():  # parsing the scores takes minutes: reuse a complete pool
        old = json.loads(done.read_text())
        complete = all((args.out / c["file"]).exists() for c in old["clips"])
        if old.get("version") == VERSION and complete and not size_problems(old["clips"]):
            groundtruth.log(f"tuning pool up to date: {len(old['clips'])} clips in {args.out}")
            return 0
    clips = plan(main_manifest, args.pieces)
    rows, skipped = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for clip in clips:
            try:
                # make_clip dispatches on the corpus family (groove, folk, ...), not the pool's.
                groundtruth.make_clip({**clip, "family": clip["family"].removeprefix("pool-")}, args.out, Path(tmp))
            except (sources.GrooveNotFound, subprocess.CalledProcessError) as exc:
                if not unrenderable(clip, exc):
                    raise
                groundtruth.log(f"skip {clip['id']}: {exc}")
                skipped.append({"id": clip["id"], "reason": str(exc)})
                continue
            keep = ("id", "kind", "family", "side", "source", "key", "mode", "tempo", "meter", "beatsPerBar", "drums")
            soundfont = sources.SOUNDFONTS[clip.get("soundfontKey", "tuning")].name
            row = {"file": f"{clip['id']}.flac", "soundfont": soundfont}
            rows.append(row | {k: clip[k] for k in keep if k in clip})
    problems = size_problems(rows)
    if problems:  # no manifest: the benchmark would report a pool the docs do not describe
        raise SystemExit(
            f"tuning pool: {len(rows)} clips rendered of {len(clips)} planned, not the {sum(EXPECTED.values())} "
            f"of pool version {VERSION}:\n  "
            + "\n  ".join(problems)
            + "".join(f"\n  skipped {s['id']}: {s['reason']}" for s in skipped)
            + "\nA different MMA library or music21 corpus? If the change is meant, bump VERSION and update "
            "EXPECTED in bench/tuning_pool.py and docs/benchmarks.md."
        )
    done.write_text(json.dumps({"version": VERSION, "seed": SEED, "clips": rows, "skipped": skipped}, indent=1))
    groundtruth.log(f"{len(rows)} pool clips in {args.out} ({len(skipped)} grooves skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
