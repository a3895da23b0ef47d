"""Inputs of the build: functions/settings.json (the file Terraform reads too) and
layers/<name>/ (requirements.in, hashed lock, layer.json)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
LAMBDA_UNZIPPED_LIMIT = 250 * MB  # 262,144,000 bytes: function + all its layers
BUDGET_BYTES = 240 * MB  # our own ceiling, 10 MB under Lambda's
MAX_LAYERS = 5
PIP_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}


@dataclass(frozen=True)
class Target:
    runtime: str
    python_version: str
    architecture: str
    glibc: str

    @property
    def abi(self) -> str:
        return "cp" + self.python_version.replace(".", "")

    def platform_tags(self) -> list[str]:
        """Every manylinux tag the target's glibc accepts, newest first.

        `--platform manylinux2014_x86_64` alone is not enough: pip then ignores wheels tagged
        only manylinux_2_28 and silently falls back (soundfile: a pure wheel without libsndfile)."""
        arch = PIP_ARCH[self.architecture]
        major, minor = (int(p) for p in self.glibc.split(".")[:2])
        first = 5 if arch == "x86_64" else 17
        tags = [f"manylinux_{major}_{n}_{arch}" for n in range(minor, first - 1, -1)]
        legacy = {"x86_64": ["manylinux2014", "manylinux2010", "manylinux1"], "aarch64": ["manylinux2014"]}
        return tags + [f"{name}_{arch}" for name in legacy[arch]]

    def manifest_dict(self) -> dict:
        return {
            "runtime": self.runtime,
            "architecture": self.architecture,
            "python_version": self.python_version,
            "glibc": self.glibc,
        }


@dataclass(frozen=True)
class Function:
    name: str
    handler: str
    layers: tuple[str, ...]
    env: dict = field(default_factory=dict)
    memory: int = 128
    timeout: int = 3
    internal: bool = False


@dataclass(frozen=True)
class Layer:
    name: str
    directory: Path
    config: dict

    @property
    def lock(self) -> Path:
        return self.directory / "requirements.txt"

    @property
    def not_installed(self) -> dict[str, str]:
        """Distributions in the lock that the layer must not ship, with the reason."""
        out = {name: "provided by the Lambda runtime" for name in self.config.get("runtime_provided", [])}
        out.update(self.config.get("exclude", {}))
        return out


def settings_path(root: Path = ROOT) -> Path:
    """functions/settings.json, or $BUILD_SETTINGS (to try a function before its entry lands)."""
    return Path(os.environ.get("BUILD_SETTINGS") or root / "functions" / "settings.json")


def load_settings(root: Path = ROOT) -> tuple[Target, dict[str, Function]]:
    raw = json.loads(settings_path(root).read_text(encoding="utf-8"))
    target = Target(
        runtime=raw["runtime"],
        python_version=raw["python_version"],
        architecture=raw.get("architecture", "x86_64"),
        glibc=raw["glibc"],
    )
    if target.runtime != "python" + target.python_version:
        raise ValueError(f"settings.json: runtime {target.runtime} vs python_version {target.python_version}")
    if target.architecture not in PIP_ARCH:
        raise ValueError(f"settings.json: architecture must be one of {sorted(PIP_ARCH)}")
    functions = {}
    for name, fn in sorted(raw["functions"].items()):
        layers = tuple(fn.get("layers", []))
        if len(layers) > MAX_LAYERS:
            raise ValueError(f"settings.json: {name} has {len(layers)} layers; Lambda allows {MAX_LAYERS}")
        functions[name] = Function(
            name=name,
            handler=fn["handler"],
            layers=layers,
            env={k: str(v) for k, v in fn.get("env", {}).items()},
            memory=int(fn.get("memory", 128)),
            timeout=int(fn.get("timeout", 3)),
            internal=bool(fn.get("internal", False)),
        )
    return target, functions


def with_python(target: Target, python_version: str) -> Target:
    """The same target for another interpreter (the smoke variant runs on this machine's 3.11)."""
    return replace(target, python_version=python_version, runtime=f"python{python_version}")


def load_layer(name: str, root: Path = ROOT) -> Layer:
    directory = root / "layers" / name
    if not (directory / "requirements.txt").is_file():
        raise FileNotFoundError(f"layer {name}: {directory}/requirements.txt missing (make layer-locks)")
    cfg_path = directory / "layer.json"
    config = json.loads(cfg_path.read_text(encoding="utf-8")) if cfg_path.exists() else {}
    return Layer(name=name, directory=directory, config=config)
