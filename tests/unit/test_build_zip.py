"""Deterministic zips and the Lambda-like extractor (build/lambdabuild/zipdet.py)."""

import hashlib
import os
import zipfile

import build_helpers  # noqa: F401  (puts build/ on sys.path)
import pytest
from lambdabuild import build, zipdet


def make_tree(root, *, reverse=False, odd_modes=False):
    files = {
        "pkg/__init__.py": b"",
        "pkg/mod.py": b"x = 1\n",
        "pkg/data/table.json": b"{}",
        "bin/tool": b"#!/bin/sh\necho hi\n",
        "top.txt": b"top",
    }
    for rel in sorted(files, reverse=reverse):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[rel])
        os.chmod(path, 0o600 if odd_modes else 0o644)
    os.chmod(root / "bin/tool", 0o700 if odd_modes else 0o755)
    (root / "pkg/__pycache__").mkdir()
    (root / "pkg/__pycache__/mod.cpython-311.pyc").write_bytes(b"stray")
    (root / "pkg/old.pyc").write_bytes(b"stray")
    return root


def zip_sha(tmp_path, name, root):
    stats = zipdet.write_zip(tmp_path / name, zipdet.tree_entries(root))
    assert stats.sha256 == hashlib.sha256((tmp_path / name).read_bytes()).digest()
    return stats


def test_build_zip_same_tree_same_sha256(tmp_path):
    a = make_tree(tmp_path / "a")
    b = make_tree(tmp_path / "b", reverse=True, odd_modes=True)
    os.utime(b / "pkg/mod.py", (1_700_000_000, 1_700_000_000))
    sa, sb = zip_sha(tmp_path, "a.zip", a), zip_sha(tmp_path, "b.zip", b)
    assert sa.sha256 == sb.sha256
    assert sa.unzipped_bytes == sum(
        len(p.read_bytes()) for p in a.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def test_build_zip_content_change_changes_sha256(tmp_path):
    a = make_tree(tmp_path / "a")
    before = zip_sha(tmp_path, "a.zip", a).sha256
    (a / "pkg/mod.py").write_bytes(b"x = 2\n")
    assert zip_sha(tmp_path, "a2.zip", a).sha256 != before


def test_build_zip_entries_sorted_fixed_time_normalised_modes(tmp_path):
    root = make_tree(tmp_path / "t", odd_modes=True)
    zipdet.write_zip(tmp_path / "t.zip", zipdet.tree_entries(root))
    with zipfile.ZipFile(tmp_path / "t.zip") as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert [n for n in names if not n.endswith("/")] == sorted(n for n in names if not n.endswith("/"))
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert {i.date_time for i in infos} == {(2000, 1, 1, 0, 0, 0)}
    assert {zipdet.entry_mtime(i) for i in infos} == {zipdet.FIXED_EPOCH}
    modes = {i.filename: zipdet.entry_mode(i) for i in infos}
    assert modes["bin/tool"] == 0o755
    assert modes["pkg/mod.py"] == 0o644
    assert modes["pkg/"] == 0o755 and modes["pkg/data/"] == 0o755
    assert {i.create_system for i in infos} == {3}


def test_build_zip_forced_executable(tmp_path):
    root = make_tree(tmp_path / "t")
    zipdet.write_zip(tmp_path / "t.zip", zipdet.tree_entries(root), executables=frozenset({"top.txt"}))
    with zipfile.ZipFile(tmp_path / "t.zip") as zf:
        assert zipdet.entry_mode(zf.getinfo("top.txt")) == 0o755


def test_build_zip_bytecode_only_when_asked(tmp_path):
    root = make_tree(tmp_path / "t")
    names = {rel for rel, _ in zipdet.tree_entries(root, bytecode=True)}
    assert "pkg/__pycache__/mod.cpython-311.pyc" in names


def test_build_zip_refuses_symlinks(tmp_path):
    root = make_tree(tmp_path / "t")
    (root / "link").symlink_to(root / "top.txt")
    with pytest.raises(ValueError, match="symlink"):
        zipdet.tree_entries(root)


def test_build_zip_extract_restores_modes_and_times(tmp_path):
    root = make_tree(tmp_path / "t")
    zipdet.write_zip(tmp_path / "t.zip", zipdet.tree_entries(root))
    out = tmp_path / "out"
    total = zipdet.extract(tmp_path / "t.zip", out)
    assert total == zipdet.write_zip(tmp_path / "again.zip", zipdet.tree_entries(root)).unzipped_bytes
    assert (out / "pkg/mod.py").read_bytes() == b"x = 1\n"
    assert os.stat(out / "bin/tool").st_mode & 0o777 == 0o755
    assert os.stat(out / "pkg/mod.py").st_mode & 0o777 == 0o644
    assert os.stat(out / "pkg/mod.py").st_mtime == zipdet.FIXED_EPOCH
    assert os.stat(out / "pkg").st_mtime == zipdet.FIXED_EPOCH


def test_build_zip_extract_refuses_escaping_entries(tmp_path):
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as zf:
        zf.writestr("../escape.txt", b"no")
    with pytest.raises(ValueError, match="escapes"):
        zipdet.extract(tmp_path / "evil.zip", tmp_path / "out")


def test_build_function_zip_holds_code_only(tmp_path):
    fdir = tmp_path / "functions"
    for rel in (
        "__init__.py",
        "openapi.yaml",
        "settings.json",
        "common/__init__.py",
        "common/http.py",
        "alpha/__init__.py",
        "alpha/handler.py",
        "beta/handler.py",
        "local_api/server.py",
        "alpha/__pycache__/handler.cpython-311.pyc",
    ):
        (fdir / rel).parent.mkdir(parents=True, exist_ok=True)
        (fdir / rel).write_text("# " + rel)
    names = [rel for rel, _ in build.function_entries("alpha", root=tmp_path)]
    assert sorted(names) == [
        "functions/__init__.py",
        "functions/alpha/__init__.py",
        "functions/alpha/handler.py",
        "functions/common/__init__.py",
        "functions/common/http.py",
        "functions/openapi.yaml",
        "functions/settings.json",
    ]
    with pytest.raises(FileNotFoundError):
        build.function_entries("gamma", root=tmp_path)
