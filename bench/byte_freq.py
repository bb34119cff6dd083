#!/usr/bin/env python3
"""Prints the byte frequency table in src/matcher/bucket.rs from directories of text.

    python3 bench/byte_freq.py bench/work/js bench/work/src

Reads the first 64 KiB of every file (so no one large file dominates), in sorted path
order, up to 32 MiB per directory, and prints each byte's share of the sample in parts per
65,536, at least 1 (no byte is impossible).
"""
import os
import sys

PER_FILE = 64 << 10
PER_DIR = 32 << 20


def sample(root):
    got = 0
    for dirpath, dirnames, files in os.walk(root):
        dirnames.sort()
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                data = f.read(PER_FILE)
            yield data
            got += len(data)
            if got >= PER_DIR:
                return


def main():
    counts = [0] * 256
    for root in sys.argv[1:]:
        for data in sample(root):
            for b in range(256):
                counts[b] += data.count(b)
    total = sum(counts) or 1
    table = [max(1, round(c * 65536 / total)) for c in counts]
    for row in range(0, 256, 16):
        print("    " + ", ".join(str(v) for v in table[row : row + 16]) + ",")


if __name__ == "__main__":
    main()
