#!/usr/bin/env python3
"""A small held-out set of tars and binaries from this machine's own files (none in any corpus).

    python scripts/build_heldout_mix.py --out /work/heldout

Writes: docs5.tar (five /usr/share/doc/*/copyright files of 1-6 KB), py6.tar
and py1.tar (six and one /usr/lib/python3.11/*.py files of 2-8 KB), GNU tar
format; ls.bin (/usr/bin/ls), libz.so, a.pyc (a 10-40 KB .pyc of the
standard library) and python3.head (the first 256 KiB of the python3
binary).  Choices are seeded, so the same machine image gives the same
files; another machine gives files of the same kinds.  Used to choose the
GRU warm start's rule for binary data (docs/RESULTS.md).
"""
from __future__ import annotations

import argparse
import glob
import os
import random
import shutil
import tarfile


def tar(path: str, files: list[str]) -> None:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
        for f in files:
            t.add(f, arcname=f.lstrip("/"))


def sized(pattern: str, lo: int, hi: int) -> list[str]:
    return sorted(f for f in glob.glob(pattern) if lo < os.path.getsize(f) < hi)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rnd = random.Random(1)
    docs = sized("/usr/share/doc/*/copyright", 1000, 6000)
    rnd.shuffle(docs)
    tar(os.path.join(args.out, "docs5.tar"), docs[:5])
    py = sized("/usr/lib/python3.11/*.py", 2000, 8000)
    rnd.shuffle(py)
    tar(os.path.join(args.out, "py6.tar"), py[:6])
    tar(os.path.join(args.out, "py1.tar"), py[6:7])
    shutil.copy("/usr/bin/ls", os.path.join(args.out, "ls.bin"))
    shutil.copy(sorted(glob.glob("/usr/lib/x86_64-linux-gnu/libz.so.1.*"))[0], os.path.join(args.out, "libz.so"))
    pyc = sized("/usr/lib/python3.11/__pycache__/*.pyc", 10000, 40000)
    rnd.shuffle(pyc)
    shutil.copy(pyc[0], os.path.join(args.out, "a.pyc"))
    with open(os.path.realpath("/usr/bin/python3"), "rb") as f:
        head = f.read(256 << 10)
    with open(os.path.join(args.out, "python3.head"), "wb") as f:
        f.write(head)
    for name in sorted(os.listdir(args.out)):
        print(f"{name:16s} {os.path.getsize(os.path.join(args.out, name)):>9,}")


if __name__ == "__main__":
    main()
