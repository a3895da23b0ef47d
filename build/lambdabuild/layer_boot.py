"""Shipped in a layer as /opt/python/_layer_boot.py (standard library only).

Some packages ride in the layer compressed, as /opt/packed/<pkg>.zip, to fit Lambda's
250 MB unzipped limit (llvmlite's 99 MB library zips to 33 MB). In their place the layer
has a stub /opt/python/<pkg>/__init__.py that calls `activate`: on first import in a
container the archive is unpacked under /tmp, and the stub replaces itself in sys.modules
with the real package. No function code has to know.

The same first import seeds numba's cache: /opt/numba_cache (built at /opt/python with
NUMBA_CPU_NAME=generic) is copied to NUMBA_CACHE_DIR, since numba needs that directory
writable and the layer is read-only. llvmlite is imported by numba before numba reads its
configuration, so the defaults set here are in time."""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
import zipfile

OPT = os.environ.get("LAYER_BOOT_OPT", "/opt")
UNPACK_DIR = os.environ.get("LAYER_BOOT_UNPACK_DIR", "/tmp/layer-packed")
DEFAULT_NUMBA_CACHE_DIR = "/tmp/numba_cache"


def _atomic_dir(final: str, fill) -> None:
    """Build a directory next to `final` and rename it into place, so a timeout halfway
    never leaves a partial tree that a later invocation would trust."""
    if os.path.isdir(final):
        return
    parent = os.path.dirname(final)
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(dir=parent, prefix=".partial-")
    try:
        fill(work)
        os.rename(work, final)
    except OSError:
        if not os.path.isdir(final):
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def unpack(pkg: str, *, opt: str = OPT, unpack_dir: str = UNPACK_DIR) -> str:
    """Unpack opt/packed/<pkg>.zip once; return the directory to put on sys.path."""
    archive = os.path.join(opt, "packed", pkg + ".zip")
    target = os.path.join(unpack_dir, pkg)

    def fill(work: str) -> None:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(work)

    _atomic_dir(target, fill)
    return target


def seed_numba_cache(*, opt: str = OPT, environ=os.environ) -> str | None:
    """Copy the shipped cache to NUMBA_CACHE_DIR (default /tmp/numba_cache) if not there yet,
    and default NUMBA_CPU_NAME to generic, the CPU the cache was compiled for."""
    shipped = os.path.join(opt, "numba_cache")
    if not os.path.isdir(shipped):
        return None
    environ.setdefault("NUMBA_CACHE_DIR", DEFAULT_NUMBA_CACHE_DIR)
    environ.setdefault("NUMBA_CPU_NAME", "generic")
    target = environ["NUMBA_CACHE_DIR"]
    if not os.path.exists(target):
        _atomic_dir(target, lambda work: shutil.copytree(shipped, work, dirs_exist_ok=True))
    return target


def activate(pkg: str) -> None:
    """Called by the stub /opt/python/<pkg>/__init__.py while it is being imported."""
    seed_numba_cache()
    path = unpack(pkg)
    if path not in sys.path:
        sys.path.insert(0, path)
    del sys.modules[pkg]
    # The import system hands out sys.modules[pkg] once the stub has run: the real package.
    sys.modules[pkg] = importlib.import_module(pkg)
