"""python -m lambdabuild {build,smoke,check,deployable,verify-locks} (run with PYTHONPATH=build; see make/build.mk)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from . import build, docker, elfcheck, layers, manifest, smoke, zipdet
from .config import ROOT, load_settings, with_python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lambdabuild")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="artifacts for the settings.json target into build/dist")
    b.add_argument("--in-docker", action="store_true", help="(internal) running inside build/Dockerfile's image")
    b.add_argument(
        "--local-python", action="store_true", help="build the variant for this machine's Python (what make smoke runs)"
    )
    s = sub.add_parser("smoke", help="run every handler from artifacts in the Lambda-like sandbox")
    s.add_argument(
        "--target",
        action="store_true",
        help="run build/dist (the deployment artifacts) instead of the local-Python variant",
    )
    sub.add_parser("check", help="ABI, budget and degradation check of build/dist as it is (ALLOW_DEGRADED=1)")
    sub.add_parser(
        "deployable", help="what make plan/deploy run first: budget, dev modules, degradation (ALLOW_DEGRADED=1)"
    )
    sub.add_parser("verify-locks", help="each layer lock resolves (hashed, wheels only) for the target and this Python")
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            if args.local_python:
                build.build(build.local_variant())
                return 0
            if args.in_docker:
                build.build(build.target_variant(builder="docker"))
                return 0
        except RuntimeError as exc:  # ABI, budget, locals.tf, a required cache: the message says what
            print(f"build failed: {exc}", file=sys.stderr)
            return 1
        return docker.build_target()
    if args.command == "smoke":
        variant = build.target_variant() if args.target else build.local_variant()
        return smoke.run(variant)
    if args.command == "check":
        return check(ROOT / "build" / "dist")
    if args.command == "deployable":
        return deployable(ROOT / "build" / "dist")
    if args.command == "verify-locks":
        return verify_locks()
    return 2


REBUILD_HINT = (
    "Rebuild where a CPython {version} is found (TARGET_PYTHON=/path/to/python{version}, or BUILD_IN_DOCKER=1) "
    "and the numba warm-up passes (make build prints why it failed); or accept it with ALLOW_DEGRADED=1."
)


def _degradation_notes(doc: dict, problems: list[str], *, allow: bool, allowed_as: str, file) -> None:
    """What check and deployable both say: the degradations accepted under ALLOW_DEGRADED=1, or
    how to rebuild when a degradation is among the problems."""
    for p in manifest.degraded_problems(doc) if allow else []:
        print(f"{allowed_as}: {p}", file=file)
    if any(p.startswith("degraded: ") for p in problems):
        print(REBUILD_HINT.format(version=doc["target"]["python_version"]), file=file)


def check(dist: Path) -> int:
    """Re-check finished artifacts: budget and degradation from the manifest, ABI from the unpacked zips."""
    doc = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    print(manifest.table(doc))
    allow = manifest.allow_degraded()
    problems = manifest.deploy_problems(doc, allow=allow)
    t = doc["target"]
    for key, art in doc["artifacts"].items():
        with tempfile.TemporaryDirectory() as tmp:
            zipdet.extract(ROOT / art["path"], Path(tmp))
            found, _ = elfcheck.check_tree(Path(tmp), architecture=t["architecture"], glibc=t["glibc"])
            problems += [f"{key}: {p}" for p in found]
    print("\n".join(problems) if problems else "check: ABI, budget, production-only modules and degradation ok")
    _degradation_notes(doc, problems, allow=allow, allowed_as="allowed (ALLOW_DEGRADED=1)", file=sys.stdout)
    return 1 if problems else 0


def deployable(dist: Path) -> int:
    """The gate before `make plan` and `make deploy`: reads the manifest only (the build
    itself ran the ABI check). A degraded build passes only with ALLOW_DEGRADED=1."""
    path = dist / "manifest.json"
    if not path.is_file():
        print(f"{path} is missing: run 'make build' first.", file=sys.stderr)
        return 1
    doc = json.loads(path.read_text(encoding="utf-8"))
    allow = manifest.allow_degraded()
    problems = manifest.deploy_problems(doc, allow=allow)
    if problems:
        print("refusing to deploy build/dist:\n  " + "\n  ".join(problems), file=sys.stderr)
    allowed_as = "deploying a degraded build (ALLOW_DEGRADED=1)"
    # A refused build is not "deployed degraded": the accepted degradations print only when it passes.
    _degradation_notes(doc, problems, allow=allow and not problems, allowed_as=allowed_as, file=sys.stderr)
    return 1 if problems else 0


def verify_locks() -> int:
    target, _ = load_settings()
    local = with_python(target, f"{sys.version_info.major}.{sys.version_info.minor}")
    failed = 0
    for lock in sorted((ROOT / "layers").glob("*/requirements.txt")):
        for t in dict.fromkeys([target, local]):
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    layers.pip_install(lock, Path(tmp), t, resolve=True)
                    print(f"ok   {lock.relative_to(ROOT)} resolves for {t.abi} {t.architecture} glibc<={t.glibc}")
                except RuntimeError as exc:
                    failed += 1
                    print(f"FAIL {lock.relative_to(ROOT)} for {t.abi}: {exc}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
