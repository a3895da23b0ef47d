"""Song structure benchmark: synthetic tracks with known sections, and the boundary and label scores.

    .tools/bench/bin/python bench/sections.py render --out .cache/bench/sections   # music21 + fluidsynth
    .venv/bin/python bench/sections.py evaluate --corpus .cache/bench/sections     # one JSON object

The ground truth is synthetic, and says so in its output: each track is a concatenation of rendered
passages of different pieces in different General MIDI ensembles, in the shapes AB, ABA, AABA and
ABAB, each with hard cuts and with 3 s equal-power crossfades. A returning section is the same
rendered passage at a gain changed by up to 3 dB. Real songs repeat with variation (new lyrics,
fills, key changes) and their section changes are subtler than a change of piece and ensemble, so
the figures here are an upper bound for real recordings (published systems reach about 0.5 F@3s
on SALAMI).

Split: the tuning tracks use pieces T and the FluidR3 soundfont, the held-out tracks other pieces
and the TimGM6mb soundfont; the parameters of `functions/analysis/structure.py` were chosen
looking at the tuning side only."""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
VERSION = 1  # bump when the rendering changes
SEED = 20261130
SR = 44100
SOUNDFONTS = {
    "tuning": Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    "heldOut": Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
}
PIECES_PER_SPLIT = 8
PAIRS_PER_SPLIT = 6
SHAPES = ("AB", "ABA", "AABA", "ABAB")
CROSSFADES_S = (0.0, 3.0)
SECTION_S = (16.0, 30.0)  # passage length range, cut at a bar line
TOLERANCE_S = 3.0
FRAME_S = 0.5  # label sampling step for the pairwise F-measure
TARGETS = {"boundaryF3": 0.80, "pairwiseF": 0.75, "warm3minSeconds": 0.05}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- rendering (bench venv)


def _render(midi: Path, wav: Path, soundfont: Path) -> np.ndarray:
    cmd = ["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(SR), "-F", str(wav), str(soundfont), str(midi)]
    subprocess.run(cmd, check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    y, _ = sf.read(wav, dtype="float32", always_2d=True)
    loud = np.flatnonzero(np.max(np.abs(y), axis=1) > 1e-3)
    return y[loud[0] :] if loud.size else y


def _materials(out: Path, tmp: Path) -> dict[str, list[dict]]:
    """Render PIECES_PER_SPLIT passages per split; pieces never shared between the splits."""
    sys.path.insert(0, str(BENCH))
    import sections_pieces as sp  # the first ground truth's piece list, ensembles and MIDI writer

    rng = random.Random(SEED)
    pieces = sp.select_pieces(2 * PIECES_PER_SPLIT)
    if len(pieces) < 2 * PIECES_PER_SPLIT:
        raise SystemExit(f"only {len(pieces)} usable pieces in the music21 corpus")
    rng.shuffle(pieces)
    ensembles = sorted(sp.ENSEMBLES)
    splits: dict[str, list[dict]] = {}
    for s, (split, soundfont) in enumerate(SOUNDFONTS.items()):
        mats = []
        for i, piece in enumerate(pieces[s * PIECES_PER_SPLIT : (s + 1) * PIECES_PER_SPLIT]):
            ensemble = ensembles[(i + 3 * s) % len(ensembles)]
            drums = i % 2 == 1
            mid = f"{split}-{i}-{piece['source'].replace('/', '_')}-{ensemble}{'-drums' if drums else ''}"
            path = out / "materials" / f"{mid}.flac"
            if not path.exists():
                log(f"render {mid}")
                midi = tmp / f"{mid}.mid"
                sp.write_midi(piece, midi, programs=sp.ENSEMBLES[ensemble], drums=drums)
                path.parent.mkdir(parents=True, exist_ok=True)
                sf.write(path, _render(midi, tmp / "render.wav", soundfont), SR, subtype="PCM_16")
            bar_s = piece["beatsPerBar"] * 60.0 / piece["tempo"]
            mats.append({"id": mid, "file": str(path.relative_to(out)), "source": piece["source"], "barSeconds": bar_s})
        splits[split] = mats
    return splits


def _passage(y: np.ndarray, bar_s: float, seconds: float) -> np.ndarray:
    """The first whole bars of `y` lasting about `seconds`, with a 20 ms fade at the cut."""
    bars = max(1, round(seconds / bar_s))
    n = min(len(y), int(bars * bar_s * SR))
    out = y[:n].copy()
    fade = min(n, int(0.02 * SR))
    out[-fade:] *= np.linspace(1.0, 0.0, fade)[:, None]
    return out


def _join(parts: list[np.ndarray], crossfade_s: float) -> tuple[np.ndarray, list[float]]:
    """Concatenate with equal-power crossfades; boundaries at the middle of each fade (s)."""
    track, bounds = parts[0], []
    n = int(crossfade_s * SR)
    for part in parts[1:]:
        if n:
            k = min(n, len(track), len(part))
            t = np.linspace(0.0, np.pi / 2, k)[:, None]
            mixed = track[-k:] * np.cos(t) + part[:k] * np.sin(t)
            bounds.append((len(track) - k / 2) / SR)
            track = np.concatenate([track[:-k], mixed, part[k:]])
        else:
            bounds.append(len(track) / SR)
            track = np.concatenate([track, part])
    return track, bounds


def render(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text())
        if old.get("version") == VERSION and all((out / t["file"]).exists() for t in old["tracks"]):
            log(f"sections corpus up to date: {len(old['tracks'])} tracks in {out}")
            return 0
    rng = random.Random(SEED + 1)
    tracks = []
    with tempfile.TemporaryDirectory() as tmp:
        splits = _materials(out, Path(tmp))
    for split, mats in splits.items():
        audio = {m["id"]: sf.read(out / m["file"], dtype="float32", always_2d=True)[0] for m in mats}
        for p in range(PAIRS_PER_SPLIT):
            a, b = mats[(2 * p) % len(mats)], mats[(2 * p + 1 + p // 4) % len(mats)]
            passages = {
                "A": _passage(audio[a["id"]], a["barSeconds"], rng.uniform(*SECTION_S)),
                "B": _passage(audio[b["id"]], b["barSeconds"], rng.uniform(*SECTION_S)),
            }
            gains = {"A": rng.uniform(-4.0, 0.0), "B": rng.uniform(-6.0, 2.0)}  # dB
            for shape in SHAPES:
                for xf in CROSSFADES_S:
                    parts = []
                    for j, label in enumerate(shape):
                        jitter = 0.0 if j == shape.index(label) else rng.uniform(-3.0, 3.0)
                        parts.append(passages[label] * 10 ** ((gains[label] + jitter) / 20))
                    y, bounds = _join(parts, xf)
                    y = np.clip(y, -1.0, 1.0)
                    tid = f"{split}-{p}-{shape}-xf{int(xf)}"
                    path = out / "tracks" / f"{tid}.flac"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    sf.write(path, y, SR, subtype="PCM_16")
                    edges = [0.0, *bounds, len(y) / SR]
                    sections = [
                        {"start": round(edges[k], 3), "end": round(edges[k + 1], 3), "label": shape[k]}
                        for k in range(len(shape))
                    ]
                    tracks.append(
                        {
                            "id": tid,
                            "file": str(path.relative_to(out)),
                            "split": split,
                            "shape": shape,
                            "crossfade": xf,
                            "materials": {"A": a["source"], "B": b["source"]},
                            "sections": sections,
                        }
                    )
    manifest = {
        "version": VERSION,
        "seed": SEED,
        "synthetic": True,
        "soundfonts": {k: v.name for k, v in SOUNDFONTS.items()},
        "tracks": tracks,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))
    log(f"{len(tracks)} tracks in {out}")
    return 0


# ---------------------------------------------------------------- scoring (.venv)


def boundary_f(ref: list[float], est: list[float], *, window: float = TOLERANCE_S) -> tuple[float, float, float]:
    """(precision, recall, F) of inner boundaries, each reference matched at most once (greedy
    by distance, as mir_eval's bipartite matching gives for well-separated boundaries)."""
    pairs = sorted((abs(r - e), i, j) for i, r in enumerate(ref) for j, e in enumerate(est) if abs(r - e) <= window)
    used_r, used_e, hits = set(), set(), 0
    for _d, i, j in pairs:
        if i not in used_r and j not in used_e:
            used_r.add(i)
            used_e.add(j)
            hits += 1
    p = hits / len(est) if est else float(not ref)
    r = hits / len(ref) if ref else float(not est)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def frame_labels(sections: list[dict], duration: float, *, step: float = FRAME_S) -> list[str]:
    out = []
    for t in np.arange(step / 2, duration, step):
        label = next((s["label"] for s in sections if s["start"] <= t < s["end"]), None)
        out.append(label or (sections[-1]["label"] if sections and t >= sections[-1]["end"] else "?"))
    return out


def pairwise_f(ref: list[str], est: list[str]) -> tuple[float, float, float]:
    """Pairwise frame-label (precision, recall, F) (Levy & Sandler 2008; mir_eval.segment.pairwise)."""
    n = min(len(ref), len(est))
    ref, est = ref[:n], est[:n]

    def same_pairs(labels) -> int:
        _, counts = np.unique(labels, return_counts=True)
        return int((counts * (counts - 1) // 2).sum())

    joint = same_pairs([f"{r}\x00{e}" for r, e in zip(ref, est, strict=True)])
    s_ref, s_est = same_pairs(ref), same_pairs(est)
    p = joint / s_est if s_est else 1.0
    r = joint / s_ref if s_ref else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_track(truth: dict, result: dict) -> dict:
    est = result["sections"]
    duration = result["duration"]
    ref_b = [s["start"] for s in truth["sections"][1:]]
    est_b = [s["start"] for s in est[1:]]
    bp, br, bf = boundary_f(ref_b, est_b)
    pp, pr, pf = pairwise_f(frame_labels(truth["sections"], duration), frame_labels(est, duration))
    return {
        "id": truth["id"],
        "shape": truth["shape"],
        "crossfade": truth["crossfade"],
        "ref": "".join(s["label"] for s in truth["sections"]),
        "est": "".join(s["label"] for s in est),
        "refBoundaries": ref_b,
        "estBoundaries": est_b,
        "boundary": (bp, br, bf),
        "pairwise": (pp, pr, pf),
    }


def summarise(rows: list[dict]) -> dict:
    def mean(key, k):
        return round(float(np.mean([r[key][k] for r in rows])), 3)

    return {
        "tracks": len(rows),
        "boundaryPrecision3s": mean("boundary", 0),
        "boundaryRecall3s": mean("boundary", 1),
        "boundaryF3": mean("boundary", 2),
        "pairwisePrecision": mean("pairwise", 0),
        "pairwiseRecall": mean("pairwise", 1),
        "pairwiseF": mean("pairwise", 2),
        "exactLabelSequence": round(float(np.mean([r["ref"] == r["est"] for r in rows])), 3),
    }


def evaluate(corpus: Path, *, only: str | None = None) -> dict:
    sys.path.insert(0, str(ROOT))
    from functions.analysis.analyzer import analyze

    manifest = json.loads((corpus / "manifest.json").read_text())
    rows: dict[str, list[dict]] = {"tuning": [], "heldOut": []}
    for track in manifest["tracks"]:
        if only and track["split"] != only:
            continue
        result = analyze(corpus / track["file"])
        rows[track["split"]].append(score_track(track, result))
    out: dict = {
        "synthetic": True,
        "groundTruth": "concatenated renderings of different pieces and GM ensembles (AB, ABA, AABA, ABAB; "
        "hard cuts and 3 s crossfades); held-out = other pieces, TimGM6mb instead of FluidR3",
        "targets": {k: v for k, v in TARGETS.items() if k != "warm3minSeconds"},
    }
    for split, split_rows in rows.items():
        if split_rows:
            out[split] = summarise(split_rows)
            by_kind: dict[str, list] = {}
            for r in split_rows:
                by_kind.setdefault(f"{r['shape']}-xf{int(r['crossfade'])}", []).append(r)
            out[f"{split}ByShape"] = {kind: summarise(kind_rows) for kind, kind_rows in by_kind.items()}
            out[f"{split}Misses"] = [
                {k: r[k] for k in ("id", "ref", "est", "refBoundaries", "estBoundaries")}
                for r in split_rows
                if r["boundary"][2] < 1.0 or r["pairwise"][2] < 1.0
            ]
    if "heldOut" in out:
        out["met"] = {
            "boundaryF3": out["heldOut"]["boundaryF3"] >= TARGETS["boundaryF3"],
            "pairwiseF": out["heldOut"]["pairwiseF"] >= TARGETS["pairwiseF"],
        }
    return out


WARM_CODE = """
import json, statistics, time
from functions.analysis import key, spectrum, structure, tempo
from functions.analysis.decode import decode
d = decode({path!r})
fr = spectrum.frames(d.y, sr=d.sr)
chroma = key.chroma(key.pitch_spectrogram(d.y, sr=d.sr))
signals = tempo.Signals.of(fr.mel, fps=fr.fps, chroma=chroma, chroma_fps=key.frame_rate(d.sr))
onset, beat = signals.onset, tempo.estimate(signals)
def once():
    return structure.arc(fr, onset=onset, beat=beat, chroma=chroma, duration=d.duration, loudness=d.loudness)
once()
times = []
for _ in range({repeats}):
    t0 = time.perf_counter(); once(); times.append(time.perf_counter() - t0)
print(json.dumps({{"median": statistics.median(times), "min": min(times), "duration": d.duration}}))
"""


def warm_cost(track: Path, *, repeats: int = 21) -> dict:
    """Warm seconds of the structure step alone on `track`, in a fresh interpreter on one core."""
    sys.path.insert(0, str(BENCH))
    from perf import run_child

    timing = run_child(WARM_CODE.format(path=str(track), repeats=repeats))
    return {k: round(v, 4) for k, v in timing.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render")
    r.add_argument("--out", type=Path, required=True)
    e = sub.add_parser("evaluate")
    e.add_argument("--corpus", type=Path, required=True)
    e.add_argument("--only", choices=sorted(SOUNDFONTS))
    e.add_argument("--track", type=Path, help="also time the structure step on this 3-minute track")
    args = ap.parse_args(argv)
    if args.cmd == "render":
        return render(args.out)
    started = time.perf_counter()
    report = evaluate(args.corpus, only=args.only)
    if args.track:
        report["warm3min"] = warm_cost(args.track)
    report["benchSeconds"] = round(time.perf_counter() - started, 1)
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
