"""Layer trees: install a hashed lock for the target platform, then lay out and trim.

Installation never builds from source (--only-binary=:all:) and always verifies hashes
(--require-hashes) with --no-deps, so the lock alone decides what goes in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import elfcheck
from .config import Layer, Target

# Never shipped from any layer: console scripts carry the build interpreter in their
# shebang; man pages and shell completions are dead weight.
DEFAULT_DROP = ("python/bin", "python/share")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==")
_SO = re.compile(r"\.so(\.\d+)*$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_blocks(text: str) -> list[tuple[str, str]]:
    """(canonical name, block text) for each pinned requirement of a pip-compile lock."""
    blocks: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = _NAME.match(line)
        if match:
            blocks.append((canonical(match.group(1)), [line]))
        elif blocks and line.startswith((" ", "\t")) and not line.strip().startswith("#"):
            blocks[-1][1].append(line)
    return [(name, "\n".join(lines)) for name, lines in blocks]


def filter_lock(text: str, drop: set[str]) -> tuple[str, list[str]]:
    """The lock without the `drop` distributions; also returns the names kept."""
    drop = {canonical(d) for d in drop}
    kept = [(name, block) for name, block in lock_blocks(text) if name not in drop]
    return "\n".join(block for _, block in kept) + "\n", [name for name, _ in kept]


def pip_install(
    requirements: Path, dest: Path, target: Target, *, python: str = sys.executable, resolve: bool = False
) -> None:
    """pip install the hashed requirements into dest for the target interpreter and platform.

    resolve=True is the lock check: a dry run WITH dependency resolution, so pip fails if the
    target needs a distribution or a wheel the lock does not pin with a hash."""
    cmd = [
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        *(["--dry-run", "--ignore-installed"] if resolve else ["--no-deps"]),
        "--require-hashes",
        "--only-binary=:all:",
        "--no-compile",
        "--target",
        str(dest),
        "--python-version",
        target.python_version,
        "--implementation",
        "cp",
        "--abi",
        target.abi,
        "--abi",
        "abi3",
        "--abi",
        "none",
    ]
    for tag in target.platform_tags():
        cmd += ["--platform", tag]
    cmd += ["-r", str(requirements)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        noise = "is ignored: it is neither a file nor a directory"
        err = "\n".join(line for line in proc.stderr.splitlines() if noise not in line)
        raise RuntimeError(f"pip install for {target.abi}/{target.architecture} failed:\n{err}")


def _glob_regex(pattern: str) -> re.Pattern:
    parts, rx = pattern.split("/"), ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            rx += ".*" if last else "(?:[^/]+/)*"
            continue
        rx += "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in part)
        rx += "" if last else "/"
    return re.compile(rx + r"\Z")


def matches(path: str, patterns: list[re.Pattern]) -> bool:
    """True when `path` or one of its parent directories matches a pattern."""
    parts = path.split("/")
    return any(p.match("/".join(parts[:i])) for i in range(1, len(parts) + 1) for p in patterns)


@dataclass
class TrimReport:
    dropped_files: int = 0
    dropped_bytes: int = 0
    stripped_files: int = 0
    stripped_saved_bytes: int = 0


def _files(root: Path) -> list[str]:
    out = []
    for dirpath, _dirs, names in os.walk(root):
        out += [Path(dirpath, n).relative_to(root).as_posix() for n in names]
    return sorted(out)


def drop_paths(root: Path, drop: list[str], keep: list[str], report: TrimReport) -> None:
    """Delete files matching `drop` (a directory pattern drops what is under it), except
    files matching `keep`; then remove directories left empty."""
    drop_rx = [_glob_regex(p) for p in drop]
    keep_rx = [_glob_regex(p) for p in keep]
    for rel in _files(root):
        if matches(rel, drop_rx) and not any(k.match(rel) for k in keep_rx):
            path = root / rel
            report.dropped_files += 1
            report.dropped_bytes += path.lstat().st_size
            path.unlink()
    for dirpath, _dirs, _names in sorted(os.walk(root), key=lambda t: -len(t[0])):
        if dirpath != str(root) and not os.listdir(dirpath):
            os.rmdir(dirpath)


def prune_records(site: Path) -> int:
    """Drop RECORD lines of files the layer does not ship (console scripts, trimmed files).

    Besides being true afterwards, this keeps the layer reproducible: pip rewrites script
    shebangs with the build interpreter's path, and RECORD holds those scripts' hashes."""
    removed = 0
    for record in sorted(site.glob("*.dist-info/RECORD")):
        lines = record.read_text(encoding="utf-8").splitlines()
        keep = []
        for line in lines:
            rel = line.rsplit(",", 2)[0] if line.count(",") >= 2 else line
            target = (site / rel).resolve()
            if line and (not target.is_relative_to(site.resolve()) or not target.exists()):
                removed += 1
                continue
            keep.append(line)
        record.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return removed


def move_paths(root: Path, moves: dict[str, str]) -> None:
    for src, dst in sorted(moves.items()):
        source, target = root / src, root / dst
        if not source.exists():
            raise FileNotFoundError(f"layer.json move: {src} not installed")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)


def strip_tool(architecture: str) -> str | None:
    names = {"x86_64": ["x86_64-linux-gnu-strip"], "arm64": ["aarch64-linux-gnu-strip"]}[architecture]
    import platform

    if platform.machine() == {"x86_64": "x86_64", "arm64": "aarch64"}[architecture]:
        names.append("strip")
    return next((shutil.which(n) for n in names if shutil.which(n)), None)


def strip_shared_objects(root: Path, architecture: str, report: TrimReport, keep: list[str]) -> None:
    """strip --strip-unneeded every shared object, except in auditwheel's *.libs/ directories
    (the vendored libraries there are patched by auditwheel; stripping them breaks them)."""
    tool = strip_tool(architecture)
    if tool is None:
        raise RuntimeError(f"no strip for {architecture}: install binutils (apt-get install binutils)")
    keep_rx = [_glob_regex(p) for p in keep]
    todo = []
    for rel in _files(root):
        parts = rel.split("/")
        if (
            _SO.search(parts[-1])
            and not any(p.endswith(".libs") for p in parts[:-1])
            and not matches(rel, keep_rx)
            and elfcheck.is_elf(root / rel)
        ):
            todo.append(root / rel)
    before = sum(p.stat().st_size for p in todo)
    for i in range(0, len(todo), 200):
        subprocess.run([tool, "--strip-unneeded", *map(str, todo[i : i + 200])], check=True)
    report.stripped_files = len(todo)
    report.stripped_saved_bytes = before - sum(p.stat().st_size for p in todo)


def executables(root: Path, patterns: list[str]) -> frozenset[str]:
    """Arcnames that must be 0755 (the deno wheel's binary arrives without its x bit)."""
    rx = [_glob_regex(p) for p in patterns]
    found = frozenset(rel for rel in _files(root) if any(r.match(rel) for r in rx))
    for rel in found:
        os.chmod(root / rel, 0o755)
    return found


def prepare_layer(layer: Layer, stage: Path, work: Path, target: Target) -> tuple[TrimReport, frozenset[str]]:
    """Install and trim one layer into `stage` (its root becomes /opt)."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    text, _kept = filter_lock(layer.lock.read_text(encoding="utf-8"), set(layer.not_installed))
    req = work / f"{layer.name}.{target.abi}.requirements.txt"
    req.parent.mkdir(parents=True, exist_ok=True)
    req.write_text(text, encoding="utf-8")
    pip_install(req, stage / "python", target)
    cfg = layer.config
    move_paths(stage, cfg.get("move", {}))
    report = TrimReport()
    drop_paths(stage, list(DEFAULT_DROP) + cfg.get("drop", []), cfg.get("keep", []), report)
    prune_records(stage / "python")
    if cfg.get("strip", False):
        strip_shared_objects(stage, target.architecture, report, cfg.get("no_strip", []))
    return report, executables(stage, cfg.get("executables", []))


STUB = '''"""Stand-in for the real {pkg}, which this layer ships compressed as /opt/packed/{pkg}.zip
to fit Lambda's 250 MB limit. The first import unpacks it under /tmp and swaps it in
(see /opt/python/_layer_boot.py, and docs/build.md in the project)."""
from _layer_boot import activate

activate(__name__)
'''


def pack_packages(stage: Path, packages: list[str]) -> None:
    """Move python/<pkg> into packed/<pkg>.zip (deterministic) and leave a stub package that
    unpacks it at first import, plus the shared _layer_boot module."""
    from . import zipdet

    if not packages:
        return
    for pkg in packages:
        src = stage / "python" / pkg
        if not (src / "__init__.py").is_file():
            raise FileNotFoundError(f"layer.json packed: python/{pkg} is not an installed package")
        entries = [(f"{pkg}/{rel}", path) for rel, path in zipdet.tree_entries(src, bytecode=True)]
        zipdet.normalize_mtimes(src)
        zipdet.write_zip(stage / "packed" / f"{pkg}.zip", entries)
        shutil.rmtree(src)
        src.mkdir()
        (src / "__init__.py").write_text(STUB.format(pkg=pkg), encoding="utf-8")
    shutil.copy(Path(__file__).with_name("layer_boot.py"), stage / "python" / "_layer_boot.py")


COMPILE = """
import compileall, py_compile, re, sys
src, prefix, exclude = sys.argv[1], sys.argv[2], sys.argv[3]
ok = compileall.compile_dir(src, quiet=2, force=True, stripdir=src, prependdir=prefix, workers=1,
                            rx=re.compile(exclude) if exclude else None,
                            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
sys.exit(0 if ok else 3)
"""


def compile_bytecode(stage: Path, python: str, packed: list[str], unpack_dir: str) -> int:
    """Byte-compile python/ with the TARGET interpreter, as unchecked-hash .pyc (no mtimes
    inside, never revalidated: the layer is immutable), reproducibly. /opt is read-only in Lambda, so
    without these every cold start compiles every imported module from source.
    co_filename is the run-time path (/opt/python/..., or the unpack dir for packed ones).
    Returns the number of .pyc files written."""
    pydir = stage / "python"
    exclude = "|".join(re.escape(str(pydir / p) + "/") for p in packed)
    jobs = [(str(pydir), "/opt/python", exclude)]
    jobs += [(str(pydir / p), f"{unpack_dir}/{p}/{p}", "") for p in packed]
    # One worker and a fixed hash seed: marshal output depends on refcounts (which file was
    # compiled before in the same process) and on set iteration order (string hashing).
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    for src, prefix, rx in jobs:
        proc = subprocess.run([python, "-c", COMPILE, src, prefix, rx], capture_output=True, text=True, env=env)
        if proc.returncode not in (0, 3):
            raise RuntimeError(f"byte-compiling {src} failed:\n{proc.stderr[-2000:]}")
    return sum(1 for _ in pydir.rglob("*.pyc"))
