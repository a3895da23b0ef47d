"""Fit the metre choice (functions/analysis/metrical.py WEIGHTS) on the tuning side only.

Every tuning-side music clip of the corpus and every clip of the tuning pool goes through the
youtube path (the cached encodings bench/evaluate.py makes), the tempo step's candidates and
features are computed by the analyser's own code, and a conditional logit (softmax over each
clip's candidates, L2 penalty) is fitted to pick the candidate within 4 % of the truth. Prints
JSON: 5-fold cross-validated Acc1/Acc2 (folds seeded by source, so both renders of a pool groove
share one), the fitted weights, and with
--write puts them into metrical.py. The held-out side is never read.

    make tempo-fit            # prints; make tempo-fit TEMPO_FIT_ARGS=--write to update"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import evaluate  # noqa: E402

from functions.analysis import key, metrical, spectrum, tempo  # noqa: E402
from functions.analysis.decode import ANALYSIS_SR, decode  # noqa: E402

OCTAVE_RELATIVES = ("ok", "x2", "x1/2", "x3", "x1/3")


def clips(corpus: Path, pool: Path | None) -> list[tuple[Path, dict]]:
    """(corpus dir, clip) for every tuning-side music clip that is not a loudness copy."""
    out = []
    for root in (corpus, pool):
        if root is None or not (root / "manifest.json").exists():
            continue
        for clip in json.loads((root / "manifest.json").read_text())["clips"]:
            if clip["side"] == "tuning" and clip["kind"] == "music" and "copyOf" not in clip:
                out.append((root, clip))
    return out


def tempo_inputs(root: Path, clip: dict) -> tempo.Signals:
    """One clip's tempo.Signals, computed as analyzer.describe does, via the youtube path."""
    audio, _ = evaluate.youtube_path(root / clip["file"], root.parent / "youtube")
    decoded = decode(str(audio), sr=ANALYSIS_SR)
    fr = spectrum.frames(decoded.y, sr=decoded.sr)
    chroma = key.chroma(key.pitch_spectrogram(decoded.y, sr=decoded.sr))
    return tempo.Signals.of(fr.mel, fps=fr.fps, chroma=chroma, chroma_fps=key.frame_rate(decoded.sr))


def candidate_rows(root: Path, clip: dict) -> tuple[np.ndarray, list[float], int] | None:
    """Feature matrix (candidates x FEATURES), candidate tempi and which one is the bare
    autocorrelation peak (what analyser 1.2.0 reported) of one clip, via the youtube path."""
    found = tempo.metre_candidates(tempo_inputs(root, clip))
    if found is None:
        return None
    _, peak, scored = found
    x = np.array([[f[name] for name in metrical.FEATURES] for _, f in scored])
    bpms = [b for b, _ in scored]
    return x, bpms, bpms.index(peak)


def fit(data: list[tuple[np.ndarray, int]], l2: float) -> np.ndarray:
    """Weights maximising the softmax likelihood of each clip's true candidate, minus l2 |w|^2."""

    def loss(w):
        value, grad = l2 * w @ w, 2 * l2 * w
        for x, y in data:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            value -= np.log(p[y] + 1e-12)
            grad -= x[y] - p @ x
        return value, grad

    return minimize(loss, np.zeros(len(metrical.FEATURES)), jac=True, method="L-BFGS-B").x


def fold_of(source: str, folds: int) -> int:
    """The cross-validation fold of every clip of one source (groove or piece)."""
    return int(hashlib.sha256(source.encode()).hexdigest(), 16) % folds


METRICAL = ROOT / "functions" / "analysis" / "metrical.py"


def write_weights(weights: dict[str, float], path: Path = METRICAL) -> None:
    """Replace the WEIGHTS literal in `path`; fails unless there is exactly one to replace."""
    body = "".join(f'    "{k}": {v!r},\n' for k, v in weights.items())
    pattern = r"^WEIGHTS = \{\n.*?\n\}\n"
    text, count = re.subn(pattern, "WEIGHTS = {\n" + body + "}\n", path.read_text(), flags=re.S | re.M)
    if count != 1:
        raise SystemExit(f"{path}: expected one WEIGHTS = {{...}} block, found {count}")
    path.write_text(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--pool", type=Path)
    ap.add_argument("--l2", type=float, default=0.1)  # mean 5-fold CV over 7 fold assignments, see docs/benchmarks.md
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="put the fitted weights into metrical.py")
    args = ap.parse_args(argv)
    rows = []
    for root, clip in clips(args.corpus, args.pool):
        found = candidate_rows(root, clip)
        if found is not None:
            x, bpms, peak = found
            classes = [evaluate.tempo_class(b, clip["tempo"]) for b in bpms]
            # Folds by source: the pool renders each groove and piece twice (two soundfonts).
            rows.append((clip["source"], x, peak, classes))
    trainable = [(src, x, c.index("ok")) for src, x, _, c in rows if "ok" in c]

    def score(predict, bare_peak=False) -> dict:
        picked = [c[peak if bare_peak else int(np.argmax(predict(src) @ x.T))] for src, x, peak, c in rows]
        return {
            "acc1": round(float(np.mean([p == "ok" for p in picked])), 3),
            "acc2": round(float(np.mean([p in OCTAVE_RELATIVES for p in picked])), 3),
        }

    fold_weights = {
        k: fit([(x, y) for src, x, y in trainable if fold_of(src, args.folds) != k], args.l2) for k in range(args.folds)
    }
    weights = fit([(x, y) for _, x, y in trainable], args.l2)
    report = {
        "clips": len(rows),
        "truthAmongCandidates": round(len(trainable) / max(1, len(rows)), 3),
        "crossValidated": score(lambda src: fold_weights[fold_of(src, args.folds)]),
        "inSample": score(lambda src: weights),
        "peakOnly": score(None, bare_peak=True),
        "l2": args.l2,
        "weights": {k: round(float(v), 4) for k, v in zip(metrical.FEATURES, weights, strict=True)},
    }
    if args.write:
        write_weights(report["weights"])
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
