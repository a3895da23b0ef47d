"""A small ELF reader for the ABI check: architecture and the GLIBC_x.y versions a file needs.

Reads the ELF header, then the version-needs table (SHT_GNU_verneed / DT_VERNEED) and its
string table. Section headers are used when present; otherwise the dynamic segment is
followed through the program headers (stripped binaries may lack section headers)."""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
MACHINES = {"x86_64": 62, "arm64": 183}  # e_machine: EM_X86_64, EM_AARCH64
SHT_GNU_VERNEED = 0x6FFFFFFE
PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_STRTAB, DT_VERNEED, DT_VERNEEDNUM = 0, 5, 0x6FFFFFFE, 0x6FFFFFFF
_GLIBC = re.compile(r"GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$")


class ElfError(ValueError):
    """Not a readable ELF file."""


@dataclass(frozen=True)
class ElfInfo:
    elf_class: int  # 1: 32-bit, 2: 64-bit
    machine: int
    version_needs: frozenset[str] = field(default_factory=frozenset)

    @property
    def glibc_needed(self) -> tuple[int, ...] | None:
        """Highest GLIBC_x.y this file needs, or None."""
        found = [tuple(int(g) for g in m.groups() if g is not None) for m in map(_GLIBC.match, self.version_needs) if m]
        return max(found) if found else None


def is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == ELF_MAGIC
    except OSError:
        return False


def read_elf(path: Path) -> ElfInfo:
    data = Path(path).read_bytes()
    if data[:4] != ELF_MAGIC or len(data) < 52:
        raise ElfError(f"{path}: not ELF")
    elf_class, endian = data[4], data[5]
    if elf_class not in (1, 2) or endian not in (1, 2):
        raise ElfError(f"{path}: bad ELF ident")
    e = "<" if endian == 1 else ">"
    is64 = elf_class == 2
    if is64:
        (_type, machine, _v, _entry, phoff, shoff, _flags, _ehsize, phentsize, phnum, shentsize, shnum, _shstrndx) = (
            struct.unpack_from(e + "HHIQQQIHHHHHH", data, 16)
        )
    else:
        (_type, machine, _v, _entry, phoff, shoff, _flags, _ehsize, phentsize, phnum, shentsize, shnum, _shstrndx) = (
            struct.unpack_from(e + "HHIIIIIHHHHHH", data, 16)
        )
    reader = _Reader(data, e, is64)
    needs = reader.needs_from_sections(shoff, shentsize, shnum)
    if needs is None:
        needs = reader.needs_from_dynamic(phoff, phentsize, phnum)
    return ElfInfo(elf_class, machine, frozenset(needs or ()))


class _Reader:
    def __init__(self, data: bytes, endian: str, is64: bool):
        self.data, self.e, self.is64 = data, endian, is64

    def _cstr(self, offset: int) -> str:
        end = self.data.index(b"\0", offset)
        return self.data[offset:end].decode("ascii", "replace")

    def _walk_verneed(self, off: int, count: int, strtab: int) -> set[str]:
        names: set[str] = set()
        for _ in range(count):
            _ver, _cnt, _file, aux, nxt = struct.unpack_from(self.e + "HHIII", self.data, off)
            a = off + aux
            for _ in range(_cnt):
                _hash, _flags, _other, name, anext = struct.unpack_from(self.e + "IHHII", self.data, a)
                names.add(self._cstr(strtab + name))
                if not anext:
                    break
                a += anext
            if not nxt:
                break
            off += nxt
        return names

    def needs_from_sections(self, shoff: int, shentsize: int, shnum: int) -> set[str] | None:
        if not shoff or not shnum or shoff + shnum * shentsize > len(self.data):
            return None
        fmt = self.e + ("IIQQQQIIQQ" if self.is64 else "IIIIIIIIII")
        sections = [struct.unpack_from(fmt, self.data, shoff + i * shentsize) for i in range(shnum)]
        needs: set[str] = set()
        for sh in sections:
            if sh[1] == SHT_GNU_VERNEED:  # sh_type
                # sh_offset, sh_link (-> string table section), sh_info (number of entries)
                strtab = sections[sh[6]][4]
                needs |= self._walk_verneed(sh[4], sh[7], strtab)
        return needs

    def _vaddr_to_offset(self, loads: list[tuple[int, int, int]], vaddr: int) -> int:
        for offset, start, size in loads:
            if start <= vaddr < start + size:
                return offset + vaddr - start
        raise ElfError("address outside PT_LOAD segments")

    def needs_from_dynamic(self, phoff: int, phentsize: int, phnum: int) -> set[str]:
        if self.is64:
            fmt, idx = self.e + "IIQQQQQQ", (2, 3, 5)  # p_offset, p_vaddr, p_filesz
        else:
            fmt, idx = self.e + "IIIIIIII", (1, 2, 4)  # p_flags sits later in ELF32
        loads, dynamic = [], None
        for i in range(phnum):
            ph = struct.unpack_from(fmt, self.data, phoff + i * phentsize)
            entry = (ph[idx[0]], ph[idx[1]], ph[idx[2]])
            if ph[0] == PT_LOAD:
                loads.append(entry)
            elif ph[0] == PT_DYNAMIC:
                dynamic = entry
        if dynamic is None:
            return set()  # statically linked: needs no glibc symbol versions
        dyn_fmt = self.e + ("qQ" if self.is64 else "iI")
        size = struct.calcsize(dyn_fmt)
        tags: dict[int, int] = {}
        for off in range(dynamic[0], dynamic[0] + dynamic[2], size):
            tag, val = struct.unpack_from(dyn_fmt, self.data, off)
            if tag == DT_NULL:
                break
            tags.setdefault(tag, val)
        if DT_VERNEED not in tags:
            return set()
        strtab = self._vaddr_to_offset(loads, tags[DT_STRTAB])
        verneed = self._vaddr_to_offset(loads, tags[DT_VERNEED])
        return self._walk_verneed(verneed, tags.get(DT_VERNEEDNUM, 0), strtab)


def parse_version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def check_tree(root: Path, *, architecture: str, glibc: str) -> tuple[list[str], int]:
    """Problems for every ELF file under root: wrong class/machine, or a GLIBC_x.y newer
    than `glibc`. Returns (problems, number of ELF files checked)."""
    machine = MACHINES[architecture]
    limit = parse_version(glibc)
    problems, checked = [], 0
    for dirpath, _dirs, files in os.walk(root):
        for name in sorted(files):
            path = Path(dirpath, name)
            if path.is_symlink() or not is_elf(path):
                continue
            checked += 1
            rel = path.relative_to(root).as_posix()
            try:
                info = read_elf(path)
            except (ElfError, struct.error, ValueError, IndexError) as exc:
                problems.append(f"{rel}: unreadable ELF ({exc})")
                continue
            if info.elf_class != 2 or info.machine != machine:
                problems.append(
                    f"{rel}: e_machine {info.machine} class {info.elf_class}, "
                    f"expected {machine} ({architecture}, 64-bit)"
                )
            needed = info.glibc_needed
            if needed and needed > limit:
                problems.append(f"{rel}: needs GLIBC_{'.'.join(map(str, needed))} > {glibc}")
    return problems, checked
