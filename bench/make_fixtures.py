"""Cut the committed analysis sample (tests/fixtures/analysis/sample/) from the rendered corpus.

    .venv/bin/python bench/make_fixtures.py --corpus .cache/bench/corpus2

Only clips whose every source is permissively licensed are committed: music21 corpus scores,
the FluidR3 soundfont (MIT, the tuning side's) and espeak-ng voices. MMA grooves, Planet Blupi's
game music and TimGM6mb are GPL, so those families (and speech over MMA grooves) are measured
by `make bench` only.
Each clip is the first SECONDS s sent through the youtube function's transcode (mono Vorbis at
22,050 Hz), as the analysis receives it. The picks are fixed here, not chosen by result."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from functions.youtube import transcode  # noqa: E402

SECONDS = 20.0
OUT = ROOT / "tests" / "fixtures" / "analysis" / "sample"
# (family, clip id prefix): the first tuning-side clip of each that starts with the prefix.
PICKS = [
    ("chorale", "chorale-"),
    ("classical", "classical-"),
    ("folk", "folk-"),
    ("speech", "speech-"),
]
FOLK_METERS = ("6/8", "3/4")  # one folk tune per meter


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    args = ap.parse_args(argv)
    manifest = json.loads((args.corpus / "manifest.json").read_text())
    tuning = [c for c in manifest["clips"] if c["side"] == "tuning" and "copyOf" not in c]
    chosen = []
    for family, prefix in PICKS:
        clips = [c for c in tuning if c["id"].startswith(prefix)]
        if family == "folk":
            chosen += [next(c for c in clips if c["meter"] == m) for m in FOLK_METERS]
        else:
            chosen.append(clips[0])
    OUT.mkdir(parents=True, exist_ok=True)
    truth = {}
    ffmpeg = transcode.find_ffmpeg()
    for clip in chosen:
        dst = OUT / f"{clip['id']}.ogg"
        transcode.to_analysis_audio(args.corpus / clip["file"], dst, ffmpeg=ffmpeg, max_seconds=SECONDS, timeout_s=60)
        dst.with_suffix(transcode.LOUDNESS_SUFFIX).unlink(missing_ok=True)
        keep = ("kind", "family", "source", "key", "mode", "tempo", "meter", "drums", "ensemble")
        truth[dst.name] = {k: clip[k] for k in keep if clip.get(k) is not None}
    (OUT / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    print(f"{len(truth)} clips in {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
