"""ABI check: architecture and GLIBC_x.y needs read from ELF files (build/lambdabuild/elfcheck.py)."""

import os
import platform
import shutil
import subprocess
import sys

import pytest
from build_helpers import make_elf
from lambdabuild import elfcheck


@pytest.mark.parametrize("sections", [True, False])
def test_build_elf_reads_glibc_versions(tmp_path, sections):
    path = tmp_path / "lib.so"
    path.write_bytes(make_elf(versions=("GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_2.17"), sections=sections))
    info = elfcheck.read_elf(path)
    assert info.machine == 62 and info.elf_class == 2
    assert info.version_needs == {"GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_2.17"}
    assert info.glibc_needed == (2, 34)


def test_build_elf_fixture_agrees_with_readelf(tmp_path):
    if shutil.which("readelf") is None:
        pytest.fail("binutils' readelf is missing: apt-get install binutils")
    path = tmp_path / "lib.so"
    path.write_bytes(make_elf(versions=("GLIBC_2.14", "GLIBC_2.28")))
    out = subprocess.run(["readelf", "-V", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Name: GLIBC_2.14" in out and "Name: GLIBC_2.28" in out
    assert elfcheck.read_elf(path).version_needs == {"GLIBC_2.14", "GLIBC_2.28"}


def test_build_elf_check_flags_newer_glibc(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "ok.so").write_bytes(make_elf(versions=("GLIBC_2.34",)))
    (tmp_path / "pkg" / "new.so").write_bytes(make_elf(versions=("GLIBC_2.17", "GLIBC_2.35")))
    (tmp_path / "pkg" / "mod.py").write_text("x = 1\n")
    problems, checked = elfcheck.check_tree(tmp_path, architecture="x86_64", glibc="2.34")
    assert checked == 2
    assert problems == ["pkg/new.so: needs GLIBC_2.35 > 2.34"]


def test_build_elf_check_flags_wrong_architecture(tmp_path):
    (tmp_path / "arm.so").write_bytes(make_elf(machine=183))
    problems, _ = elfcheck.check_tree(tmp_path, architecture="x86_64", glibc="2.34")
    assert len(problems) == 1 and "e_machine 183" in problems[0]
    assert elfcheck.check_tree(tmp_path, architecture="arm64", glibc="2.34")[0] == []


def test_build_elf_check_reports_truncated_file(tmp_path):
    (tmp_path / "broken.so").write_bytes(make_elf()[:80])
    problems, checked = elfcheck.check_tree(tmp_path, architecture="x86_64", glibc="2.34")
    assert checked == 1 and "unreadable ELF" in problems[0]


@pytest.mark.skipif(platform.machine() != "x86_64", reason="checks the x86_64 interpreter binary")
def test_build_elf_reads_this_interpreter():
    info = elfcheck.read_elf(os.path.realpath(sys.executable))
    assert info.machine == elfcheck.MACHINES["x86_64"]
    assert info.glibc_needed is not None and info.glibc_needed >= (2, 2)
