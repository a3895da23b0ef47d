"""Shared by tests/unit/test_build_*.py: import path for build/lambdabuild and a tiny ELF writer."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

BUILD_DIR = Path(__file__).resolve().parents[2] / "build"
if str(BUILD_DIR) not in sys.path:
    sys.path.insert(0, str(BUILD_DIR))

SHT_STRTAB, SHT_VERNEED = 3, 0x6FFFFFFE


def _verneed(strtab: bytearray, versions: list[str]) -> bytes:
    def add(s: str) -> int:
        off = len(strtab)
        strtab.extend(s.encode() + b"\0")
        return off

    lib = add("libc.so.6")
    out = struct.pack("<HHIII", 1, len(versions), lib, 16, 0)
    for i, v in enumerate(versions):
        nxt = 16 if i < len(versions) - 1 else 0
        out += struct.pack("<IHHII", 0, 0, i + 2, add(v), nxt)
    return out


def make_elf(*, machine: int = 62, versions: tuple[str, ...] = ("GLIBC_2.2.5",), sections: bool = True) -> bytes:
    """A minimal little-endian ELF64 shared object with a version-needs table, reachable
    through section headers (sections=True) or only through PT_DYNAMIC (sections=False)."""
    dynstr = bytearray(b"\0")
    verneed = _verneed(dynstr, list(versions))
    ehdr_size, phdr_size = 64, 56
    phoff = ehdr_size
    data_off = phoff + 2 * phdr_size
    dynstr_off = data_off
    verneed_off = dynstr_off + len(dynstr)
    verneed_off += (-verneed_off) % 8
    dynamic_off = verneed_off + len(verneed)
    dynamic_off += (-dynamic_off) % 8
    dynamic = struct.pack("<qQqQqQqQ", 5, dynstr_off, 0x6FFFFFFE, verneed_off, 0x6FFFFFFF, 1, 0, 0)
    shstrtab = b"\0.dynstr\0.gnu.version_r\0.shstrtab\0"
    shstr_off = dynamic_off + len(dynamic)
    end = shstr_off + len(shstrtab)
    shoff = end + (-end) % 8
    body = bytearray(shoff)
    body[dynstr_off : dynstr_off + len(dynstr)] = dynstr
    body[verneed_off : verneed_off + len(verneed)] = verneed
    body[dynamic_off : dynamic_off + len(dynamic)] = dynamic
    body[shstr_off : shstr_off + len(shstrtab)] = shstrtab
    shdrs = b""
    if sections:

        def sh(name, typ, off, size, link=0, info=0):
            return struct.pack("<IIQQQQIIQQ", name, typ, 0, off, off, size, link, info, 1, 0)

        shdrs = (
            sh(0, 0, 0, 0)
            + sh(1, SHT_STRTAB, dynstr_off, len(dynstr))
            + sh(9, SHT_VERNEED, verneed_off, len(verneed), link=1, info=1)
            + sh(24, SHT_STRTAB, shstr_off, len(shstrtab))
        )
    total = shoff + len(shdrs)
    phdrs = struct.pack("<IIQQQQQQ", 1, 5, 0, 0, 0, total, total, 0x1000) + struct.pack(
        "<IIQQQQQQ", 2, 6, dynamic_off, dynamic_off, dynamic_off, len(dynamic), len(dynamic), 8
    )
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    ehdr = ident + struct.pack(
        "<HHIQQQIHHHHHH",
        3,
        machine,
        1,
        0,
        phoff,
        shoff if sections else 0,
        0,
        ehdr_size,
        phdr_size,
        2,
        64,
        4 if sections else 0,
        3 if sections else 0,
    )
    body[0:ehdr_size] = ehdr
    body[phoff : phoff + len(phdrs)] = phdrs
    return bytes(body) + shdrs
