"""`python -m functions.analysis FILE [FILE ...]`: print the analysis of each file as JSON.

One file prints one object; several print a list. Progress goes to stderr; a file that cannot
be analysed is reported there and makes the exit status 1."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from functions.analysis.analyzer import analyze
from functions.common.errors import ApiError


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m functions.analysis", description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path, metavar="FILE", help="WAV, FLAC, Ogg (Vorbis/Opus) or MP3")
    ap.add_argument("--max-seconds", type=float, default=None, help="refuse longer audio (default: no limit)")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args(argv)
    results, failed = [], 0
    for path in args.files:

        def progress(msg: str, _name=path.name) -> None:
            if not args.quiet:
                print(f"{_name}: {msg}", file=sys.stderr, flush=True)

        started = time.perf_counter()
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            failed += 1
            continue
        try:
            result = analyze(path, max_seconds=args.max_seconds, progress=progress)
        except ApiError as exc:
            print(f"{path}: {exc.message}{f' ({exc.details})' if exc.details else ''}", file=sys.stderr)
            failed += 1
            continue
        progress(f"analysed in {time.perf_counter() - started:.2f} s")
        results.append({"file": str(path), **result} if len(args.files) > 1 else result)
    if results:
        json.dump(results if len(args.files) > 1 else results[0], sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
