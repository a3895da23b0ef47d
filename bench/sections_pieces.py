"""The pieces of the sections corpus (bench/sections.py): the first ground truth's selection,
kept as it was when the structure step was tuned (music21 chorales and classical pieces in 2/4,
3/4 and 4/4, seeded tempo 72-150 BPM and ensemble, rendered up to 75 s), so its figures stay
reproducible while bench/groundtruth.py renders the wider corpus. Runs in .tools/bench."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import groundtruth as gt
import midi
import mido
from music21 import corpus, meter

SEED = 20240604
MAX_SECONDS = 75.0
ENSEMBLES = {
    "piano": [0],
    "strings": [40, 40, 41, 42],
    "organ": [19],
    "winds": [73, 71, 60, 70],
    "guitar": [24, 25, 32],
    "choir-bass": [52, 52, 52, 33],
}
CHORALES = (
    "2.6 3.6 4.8 5.7 6.6 10.7 11.6 13.6 14.5 17.7 18.5-lz 19.7 20.11 24.6 25.6 26.6 28.6 29.8 30.6 32.6 "
    "33.6 36.4-2 37.6 38.6 39.7 40.8 41.6 42.7 43.11 44.7 45.7 47.5 48.7 55.5 56.5 57.8 60.5 64.2 64.8 65.2 "
    "65.7 66.6 67.7 69.6-a 70.7 72.6 73.5 74.8 77.6 78.7 80.8 81.7 83.5 84.5 85.6 86.6 87.7 88.7 89.6 90.5 "
    "92.9 93.7 94.8 96.6 99.6 101.7 102.7"
).split()
OTHERS = [
    "mozart/k155/movement1",
    "mozart/k155/movement3",
    "mozart/k156/movement1",
    "mozart/k458/movement1",
    "mozart/k458/movement3",
    "mozart/k80/movement1",
    "haydn/opus1no1/movement1",
    "haydn/opus1no1/movement3",
    "haydn/opus74no1/movement3",
    "beethoven/opus18no1/movement1",
    "beethoven/opus18no1/movement3",
    "beethoven/opus59no1/movement3",
    "joplin/maple_leaf_rag",
    "handel/rinaldo/lascia_chio_pianga",
    "corelli/opus3no1/1grave",
    "schubert/lindenbaum",
    "monteverdi/madrigal.3.1",
    "cpebach",
]


def _interleaved() -> list[str]:
    """Chorales and the other pieces alternately, so a small limit still mixes styles."""
    bach = [f"bach/bwv{n}" for n in CHORALES]
    out: list[str] = []
    for i in range(max(len(bach), len(OTHERS))):
        out += bach[i : i + 1] + OTHERS[i : i + 1]
    return out


def select_pieces(limit: int) -> list[dict]:
    """Up to `limit` pieces with an unambiguous key in 2/4, 3/4 or 4/4."""
    rng = random.Random(SEED)
    picked: list[dict] = []
    for name in _interleaved():
        if len(picked) >= limit:
            break
        try:
            score = corpus.parse(name)
        except Exception as exc:  # a corpus entry missing in this music21 version
            print(f"skip {name}: {exc}", file=sys.stderr)
            continue
        if hasattr(score, "scores"):  # an Opus: take its first score
            score = score.scores[0]
        truth = gt._key_truth(score)
        sigs = score.recurse().getElementsByClass(meter.TimeSignature)
        if truth is None or not sigs or len({(s.numerator, s.denominator) for s in sigs}) != 1:
            print(f"skip {name}: ambiguous key or meter", file=sys.stderr)
            continue
        ts = sigs[0]
        if ts.denominator != 4 or ts.numerator not in (2, 3, 4):
            print(f"skip {name}: meter {ts.ratioString}", file=sys.stderr)
            continue
        picked.append(
            {
                "source": name,
                "score": score,
                "key": truth[0],
                "mode": truth[1],
                "beatsPerBar": ts.numerator,
                "tempo": rng.randint(72, 150),
                "ensemble": rng.choice(sorted(ENSEMBLES)),
            }
        )
    return picked


def write_midi(piece: dict, path: Path, *, programs: list[int], drums: bool) -> None:
    """The piece at its tempo with `programs` (lowest part last), optionally a drum track."""
    gt._prepare(piece["score"], piece["tempo"], max_seconds=MAX_SECONDS).write("midi", fp=str(path))
    mid = mido.MidiFile(str(path))
    tpb = mid.ticks_per_beat
    note_tracks = [t for t in mid.tracks if any(m.type == "note_on" for m in t)]
    for i, track in enumerate(note_tracks):
        last = i == len(note_tracks) - 1
        prog = programs[min(len(programs) - 1, i)] if last else programs[i % len(programs)]
        channels = {m.channel for m in track if hasattr(m, "channel")}
        for msg in track:
            if msg.type == "program_change":
                msg.program = prog
        for ch in channels:
            track.insert(0, mido.Message("program_change", channel=ch, program=prog, time=0))
    end = max(sum(m.time for m in t) for t in mid.tracks)
    if drums:
        mid.tracks.append(midi.drum_track(end, tpb, piece["beatsPerBar"], 2))
    mid.tracks.append(midi.end_track(end, tpb, piece["tempo"]))
    mid.save(str(path))
