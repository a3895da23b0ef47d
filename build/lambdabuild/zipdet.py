"""Deterministic zip files and a Lambda-like extractor.

Same tree in, same bytes out: entries sorted by name, one fixed timestamp, modes
normalised to 0644/0755 (directories 0755), no __pycache__ or *.pyc, Unix "made by"
so Lambda honours the modes. The timestamp is written twice: as the DOS date (local
time by the format's definition, we write UTC) and as the "UT" extra field, which
extractors read as UTC. numba checks source mtimes against its shipped cache, so the
time must come back identical after Lambda unpacks the layer."""

from __future__ import annotations

import calendar
import hashlib
import os
import stat
import struct
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FIXED_EPOCH = 946684800  # 2000-01-01T00:00:00Z; even seconds (DOS time has 2 s resolution)
SKIP_DIRS = frozenset({"__pycache__"})
SKIP_SUFFIXES = (".pyc", ".pyo")
_UT_TAG = 0x5455


@dataclass(frozen=True)
class ZipStats:
    path: Path
    sha256: bytes
    zip_bytes: int
    unzipped_bytes: int
    entries: int


def skipped(rel: str, *, bytecode: bool = False) -> bool:
    """Byte-code caches are never shipped from a source tree (stray ones from this machine);
    layers ship the ones the build compiled on purpose for the target (bytecode=True)."""
    if bytecode:
        return False
    parts = rel.split("/")
    return any(p in SKIP_DIRS for p in parts) or rel.endswith(SKIP_SUFFIXES)


def normalize_mtimes(root: Path, epoch: int = FIXED_EPOCH) -> None:
    """Set every file and directory under `root` to `epoch`, as Lambda will see them."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (epoch, epoch), follow_symlinks=False)
    os.utime(root, (epoch, epoch))


def tree_entries(root: Path, *, bytecode: bool = False) -> list[tuple[str, Path]]:
    """(arcname, path) for every file under root, without byte-code caches unless `bytecode`.

    Symlinks are refused: Lambda's unpacking of them is not something to rely on."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        if not bytecode:
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if skipped(rel, bytecode=bytecode):
                continue
            if path.is_symlink():
                raise ValueError(f"symlink in artifact tree: {path}")
            out.append((rel, path))
    return out


def _mode_for(path: Path) -> int:
    return 0o755 if os.stat(path).st_mode & 0o111 else 0o644


def _dos_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    return time.gmtime(epoch)[:6]


def _ut_extra(epoch: int) -> bytes:
    # "UT" extended timestamp, local-header form with modification time only.
    return struct.pack("<HHBl", _UT_TAG, 5, 1, epoch)


def _info(name: str, mode: int, is_dir: bool, epoch: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_dos_time(epoch))
    info.create_system = 3  # Unix: Lambda applies external_attr modes only then
    kind = stat.S_IFDIR if is_dir else stat.S_IFREG
    info.external_attr = ((kind | mode) << 16) | (0x10 if is_dir else 0)
    info.extra = _ut_extra(epoch)
    info.compress_type = zipfile.ZIP_STORED if is_dir else zipfile.ZIP_DEFLATED
    return info


def _set_level(info: zipfile.ZipInfo, level: int) -> None:
    # ZipFile.open(info, "w") ignores ZipFile(compresslevel=...); the level lives on the info
    # (`_compresslevel` up to 3.12, `compress_level` from 3.13).
    attr = "compress_level" if hasattr(info, "compress_level") else "_compresslevel"
    setattr(info, attr, level)


def write_zip(
    out: Path,
    entries: Iterable[tuple[str, Path]],
    *,
    epoch: int = FIXED_EPOCH,
    executables: frozenset[str] = frozenset(),
    compresslevel: int = 6,
) -> ZipStats:
    """Write `entries` (arcname, source path) to `out` deterministically.

    Directory entries are added for every parent, so unpacked directories are 0755 too.
    A file is 0755 when any execute bit is set on it or its arcname is in `executables`."""
    files = sorted(entries)
    names = [name for name, _ in files]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate arcnames in {out.name}")
    dirs = sorted({"/".join(n.split("/")[:i]) + "/" for n in names for i in range(1, n.count("/") + 1)})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    unzipped = 0
    with zipfile.ZipFile(tmp, "w", compresslevel=compresslevel) as zf:
        for name in dirs:
            zf.writestr(_info(name, 0o755, True, epoch), b"")
        for name, path in files:
            mode = 0o755 if name in executables else _mode_for(path)
            info = _info(name, mode, False, epoch)
            _set_level(info, compresslevel)
            with open(path, "rb") as src, zf.open(info, "w") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
                    unzipped += len(chunk)
    os.replace(tmp, out)
    return ZipStats(out, file_sha256(out), out.stat().st_size, unzipped, len(files))


def file_sha256(path: Path) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.digest()


def entry_mtime(info: zipfile.ZipInfo) -> int:
    """UTC mtime of an entry: the UT extra field if present, else the DOS time read as UTC."""
    extra = info.extra
    while len(extra) >= 4:
        tag, size = struct.unpack("<HH", extra[:4])
        body = extra[4 : 4 + size]
        if tag == _UT_TAG and size >= 5 and body[0] & 1:
            return struct.unpack("<l", body[1:5])[0]
        extra = extra[4 + size :]
    return calendar.timegm(info.date_time + (0, 0, 0))


def entry_mode(info: zipfile.ZipInfo) -> int:
    return (info.external_attr >> 16) & 0o7777


def extract(zip_path: Path, dest: Path) -> int:
    """Unpack like Lambda does into /opt or /var/task: modes and mtimes from the entries.

    Later archives overwrite earlier files (layer order). Returns the unpacked bytes."""
    total = 0
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as zf:
        infos = zf.infolist()
        for info in infos:
            target = dest / info.filename
            if not target.resolve().is_relative_to(dest.resolve()):
                raise ValueError(f"entry escapes destination: {info.filename}")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.chmod(0o644)
            with zf.open(info) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
                    total += len(chunk)
            target.chmod(entry_mode(info) or 0o644)
            stamp = entry_mtime(info)
            os.utime(target, (stamp, stamp))
        for info in infos:  # directory times last: writing files changes them
            if info.is_dir():
                stamp = entry_mtime(info)
                os.utime(dest / info.filename, (stamp, stamp))
    return total
