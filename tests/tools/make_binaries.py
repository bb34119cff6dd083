#!/usr/bin/env python3
"""Writes the binary fixtures in `fixtures/binaries/` and `fixtures/der/ShopCore` from scratch.

Each file stands in for what an app ships, laid out as the real format is, with made-up
secrets that protect nothing:

- `Acme`: a fat (universal) Mach-O with two arm64/x86_64 slices holding the same sections:
  a GitHub token in `__TEXT,__cstring`, an AWS key id in `__TEXT,__ustring` (UTF-16), code
  and Objective-C selector names that are not read.
- `index.android.bundle`: Hermes bytecode (version 96) whose string storage packs strings
  with nothing between them, an identifier, a UTF-16 string and an overflowed long string.
- `libapp.so`: an ELF holding a Dart AOT snapshot: string objects whose next object's
  header is printable, and clustered strings behind variable-length lengths.
- `../der/ShopCore`: a Mach-O framework binary storing three DER private keys in
  `__DATA,__const` (RSA-2048 PKCS#1, P-256 SEC1, Ed25519 PKCS#8), read from
  `tests/data/der-keys.b64` (made with `openssl` for these tests).

Run `python3 tests/tools/make_binaries.py` after changing it; the files are committed.
"""
import base64
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
GH = b"ghp_4Rt9YpQ2mZ8sLk3VwB7nXc1JfH6dG0aE5uT2"
AWS = "AKIA3TX5S5ZQ4W6QS3KR"
STRIPE = b"sk_live_51Hx9aQ2mZ8sLk3VwB7nXc1JfH6dG0aE5uT2pR4"

LC_SEGMENT_64, LC_SYMTAB = 0x19, 0x2
CODE = 0x80000400
CSTRINGS = 0x2


def align(b, n):
    return b + b"\0" * (-len(b) % n)


def macho(cputype, segments, symbols):
    """A 64-bit Mach-O: `segments` is [(segname, [(sectname, flags, data)])]."""
    ncmds = len(segments) + 1
    cmds_size = sum(72 + 80 * len(s) for _, s in segments) + 24
    at = align(b"\0" * (32 + cmds_size), 16).__len__()
    cmds, body = b"", b""
    for seg, sects in segments:
        headers = b""
        for name, flags, data in sects:
            offset = at + len(body)
            headers += struct.pack("<16s16sQQIIIIIIII", name.encode(), seg.encode(),
                                   0x1000 + offset, len(data), offset, 4, 0, 0, flags, 0, 0, 0)
            body = align(body + data, 16)
        cmds += struct.pack("<II16sQQQQiiII", LC_SEGMENT_64, 72 + 80 * len(sects),
                            seg.encode(), 0, 0, 0, 0, 7, 5, len(sects), 0) + headers
    strtab = b"\0" + b"\0".join(symbols) + b"\0"
    stroff = at + len(body)
    cmds += struct.pack("<IIIIII", LC_SYMTAB, 24, 0, 0, stroff, len(strtab))
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, cputype, 0, 6, ncmds, len(cmds), 0, 0)
    return align(header + cmds, 16) + body + strtab


def fat(slices):
    """A fat file: big-endian header, then each slice at a 4 KiB boundary."""
    head = struct.pack(">II", 0xCAFEBABE, len(slices))
    offset, arches, data = 4096, b"", b""
    for cputype, image in slices:
        arches += struct.pack(">iiIII", cputype, 0, offset + len(data), len(image), 12)
        data = align(data + image, 4096)
    return align(head + arches, 4096) + data


def acme(cputype):
    cstrings = b"\0".join([b"https://api.acme.example/v2", GH, b"Authorization", b"Bearer %@"])
    return macho(cputype, [
        ("__TEXT", [
            ("__text", CODE, bytes(range(256)) * 2),
            ("__cstring", CSTRINGS, cstrings + b"\0"),
            ("__objc_methname", CSTRINGS, b"initWithApiKey:secret:\0tokenForRequest:\0"),
            ("__ustring", 0, ("Clé " + AWS).encode("utf-16-le") + b"\0\0"),
        ]),
        ("__DATA", [("__data", 0, struct.pack("<QQ", 1, 2))]),
    ], [b"_OBJC_CLASS_$_AcmeClient", b"_AcmeVersionString"])


def hermes():
    """Hermes 96: one function, kinds [2 strings, 1 identifier, 3 strings]."""
    strings = [
        (False, b"https://api.acme.example/v2"),
        (False, GH),
        (False, b"apiKey"),  # the identifier
        (False, b"Authorization"),
        (True, ("Clé " + AWS).encode("utf-16-le")),
        (False, b'{"env":"production","stripe":"' + STRIPE + b'","note":"' + b"x" * 240 + b'"}'),
    ]
    storage, small, overflow = b"", b"", b""
    for utf16, s in strings:
        offset = len(storage)
        storage += s
        length = len(s) // 2 if utf16 else len(s)
        if length >= 255:
            overflow += struct.pack("<II", offset, length)
            small += struct.pack("<I", int(utf16) | (len(overflow) // 8 - 1) << 1 | 0xFF << 24)
        else:
            small += struct.pack("<I", int(utf16) | offset << 1 | length << 24)
    kinds = struct.pack("<III", 2, 1 | 1 << 31, 3)
    functions, hashes = b"\0" * 16, struct.pack("<I", 0x1234)
    header = struct.pack("<QI20sIIIIIIII", 0x1F1903C103BC1FC6, 96, b"\0" * 20, 0, 0, 1,
                         3, 1, len(strings), len(overflow) // 8, len(storage))
    body = functions + kinds + hashes + small + overflow + align(storage, 4)
    out = header.ljust(128, b"\0") + body
    return out[:32] + struct.pack("<I", len(out)) + out[36:]


def dart_unsigned(v):
    out = b""
    while v > 127:
        out += bytes([v & 0x7F])
        v >>= 7
    return out + bytes([v + 0x80])


def libapp():
    elf = b"\x7fELF\x02\x01\x01\0" + b"\0" * 56
    dynstr = b"\0_kDartVmSnapshotData\0_kDartIsolateSnapshotData\0_kDartVmSnapshotInstructions\0"
    image = b""
    # Objects with compressed pointers: 8-byte tags, a 4-byte Smi length, the bytes, padded
    # to 16. A 20-byte string fills its object, so the next object's tags follow it at once.
    for s, tags in [(AWS.encode(), b"Qx\x02\x00\x11\x22\x33\x44"), (b"flutter/assets", b"Qx\x02\x00\x55\x66\x77\x88"),
                    (b"done", b"\x01\x00\x00\x00\0\0\0\0")]:
        image += align(tags + struct.pack("<I", 2 * len(s)) + s, 16)
    # Clustered strings: each length (shifted once) as a Dart unsigned, then the bytes. The
    # second length takes two bytes, the first of them printable ('H').
    second = b"a" * 100
    cluster = dart_unsigned(2 * len(GH)) + GH + dart_unsigned(2 * len(second)) + second
    return align(elf + dynstr, 16) + image + b"\0" * 16 + cluster + b"\0" * 8


def shopcore():
    keys = [base64.b64decode(line) for line in open(os.path.join(ROOT, "tests", "data", "der-keys.b64")).read().split()]
    const = b"".join(align(b"\x13\x37" * 9 + k, 16) for k in keys)
    return macho(0x0100000C, [
        ("__TEXT", [
            ("__text", CODE, bytes(range(256))),
            ("__cstring", CSTRINGS, b"ShopCore\0checkout\0"),
        ]),
        ("__DATA", [("__const", 0, const)]),
    ], [b"_ShopCoreVersionNumber"])


def main():
    write = lambda name, data: open(os.path.join(ROOT, "fixtures", name), "wb").write(data)
    write("binaries/Acme", fat([(0x0100000C, acme(0x0100000C)), (0x01000007, acme(0x01000007))]))
    write("binaries/index.android.bundle", hermes())
    write("binaries/libapp.so", libapp())
    write("der/ShopCore", shopcore())


if __name__ == "__main__":
    main()
