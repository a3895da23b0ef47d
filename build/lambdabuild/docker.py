"""BUILD_IN_DOCKER=auto|1|0: build inside the Lambda build image when a Docker engine
answers, else on this machine (pip --platform/--python-version, same file list)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from . import build
from .config import ROOT, load_settings

IMAGE = "music-poetry-lambda-build"


def docker_unusable() -> str | None:
    if not shutil.which("docker"):
        return "no docker command"
    proc = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True)
    if proc.returncode:
        return "no Docker engine answers (" + (proc.stderr.strip().splitlines() or ["docker info failed"])[-1] + ")"
    return None


def run_in_docker() -> int:
    target, _ = load_settings()
    platform = {"x86_64": "linux/amd64", "arm64": "linux/arm64"}[target.architecture]
    tag = f"{IMAGE}:{target.runtime}-{target.architecture}"
    subprocess.run(
        [
            "docker",
            "build",
            "--platform",
            platform,
            "-t",
            tag,
            "--build-arg",
            f"PYTHON_VERSION={target.python_version}",
            "-f",
            str(ROOT / "build" / "Dockerfile"),
            str(ROOT / "build"),
        ],
        check=True,
    )
    # --privileged: the numba warm-up runs in a mount namespace at /opt/python (see sandbox.py).
    cmd = [
        "docker",
        "run",
        "--rm",
        "--privileged",
        "--platform",
        platform,
        "-v",
        f"{ROOT}:/src",
        "-w",
        "/src",
        "-e",
        "PYTHONPATH=/src/build",
        "-e",
        f"BUILD_NUMBA_CACHE={os.environ.get('BUILD_NUMBA_CACHE', 'auto')}",
        tag,
        f"python{target.python_version}",
        "-m",
        "lambdabuild",
        "build",
        "--in-docker",
    ]
    code = subprocess.run(cmd).returncode
    if os.geteuid() != 0:  # files written by the container's root
        subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                "-v",
                f"{ROOT}/build:/b",
                tag,
                "chown",
                "-R",
                f"{os.getuid()}:{os.getgid()}",
                "/b/dist",
                "/b/work",
            ]
        )
    return code


def build_target() -> int:
    mode = os.environ.get("BUILD_IN_DOCKER", "auto")
    if mode not in ("auto", "1", "0"):
        print(f"BUILD_IN_DOCKER must be auto, 1 or 0 (got {mode!r})", file=sys.stderr)
        return 2
    if mode != "0":
        why = docker_unusable()
        if why is None:
            return run_in_docker()
        if mode == "1":
            print(f"BUILD_IN_DOCKER=1 but {why}", file=sys.stderr)
            return 2
        build.loud(
            f"NOT BUILDING IN DOCKER: {why}.\nBuilding on this machine with pip --platform "
            "(manylinux tags up to the target glibc), --python-version and --only-binary=:all:.\n"
            "Same file list as the Docker build; the ABI check below still guards glibc and arch."
        )
    build.build(build.target_variant())
    return 0
