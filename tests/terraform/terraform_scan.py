"""Reads terraform/ as written (python-hcl2): every `aws_*` resource and data block with its
body, plus variables and outputs. Shared by the static tests, the schema-subset regenerator
and the module README generator."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import hcl2

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
SUBSET = Path(__file__).resolve().parent / "schema" / "aws-provider-6.25.0-subset.json"


@dataclass(frozen=True)
class Block:
    kind: str  # "resource" or "data"
    type: str  # aws_lambda_function
    name: str
    file: Path
    body: dict

    @property
    def schema_key(self) -> str:
        return self.type if self.kind == "resource" else f"data.{self.type}"

    @property
    def where(self) -> str:
        return f"{self.file.relative_to(REPO)}: {self.kind} {self.type}.{self.name}"


def unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def tf_files() -> list[Path]:
    return sorted(p for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts)


def parse(path: Path) -> dict:
    return _parse(path, path.stat().st_mtime_ns)


@cache
def _parse(path: Path, _mtime_ns: int) -> dict:
    with path.open(encoding="utf-8") as fh:
        return hcl2.load(fh)


def blocks(kinds=("resource", "data"), prefix: str = "aws_") -> list[Block]:
    found = []
    for path in tf_files():
        doc = parse(path)
        for kind in kinds:
            for entry in doc.get(kind, []):
                for type_label, named in entry.items():
                    for name_label, body in named.items():
                        type_ = unquote(type_label)
                        if type_.startswith(prefix):
                            found.append(Block(kind, type_, unquote(name_label), path, body))
    return found


def used_schema_keys() -> list[str]:
    return sorted({b.schema_key for b in blocks()})


def module_dirs() -> list[Path]:
    return sorted(p for p in (TERRAFORM / "modules").iterdir() if p.is_dir())


def declarations(directory: Path, kind: str) -> dict[str, dict]:
    """`variable` or `output` blocks of one module directory, by name."""
    found: dict[str, dict] = {}
    for path in sorted(directory.glob("*.tf")):
        for entry in parse(path).get(kind, []):
            for label, body in entry.items():
                found[unquote(label)] = body
    return found
