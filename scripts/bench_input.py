#!/usr/bin/env python3
"""Build the large realistic benchmark input for segments and threads (not committed).

    python scripts/bench_input.py [--out DIR] [--size 64M]

Downloads four Debian packages with ``apt-get download`` (Debian's
documentation and library sources: HTML, reStructuredText, man/AsciiDoc,
SGML-generated HTML, Perl modules with their POD), unpacks them with
``dpkg-deb -x`` and writes one deterministic tar of all their files (sorted
names, zero times and owners) to DIR/debian-docs.tar, then its first SIZE
bytes to DIR/debian-docs-<SIZE>.tar (and the first 32 MiB to
DIR/debian-docs-32M.tar, the input of the -T2 speed target).  Prints the package versions and
sha256 of every file, so a run can be compared with the one recorded in
docs/RESULTS.md (a newer package version in the archive gives other bytes).

These packages are not in the training data (recorded in /work/COORD.md);
they are not the Canterbury, Calgary, Silesia or enwik corpora.
"""
from __future__ import annotations

import argparse
import hashlib
import pathlib
import subprocess
import tarfile
import tempfile

from mixzip.cli import parse_size

PACKAGES = ["python3.11-doc", "postgresql-doc-15", "git-doc", "perl-modules-5.36"]


def sha256(path: pathlib.Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def normalized(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(pathlib.Path.home() / ".cache" / "mixzip-bench"))
    ap.add_argument("--size", default="64M", help="size of the truncated input (default 64M)")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        subprocess.run(["apt-get", "download", *PACKAGES], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        debs = sorted(tmp.glob("*.deb"))
        for deb in debs:
            print(f"{deb.name}  sha256 {sha256(deb)}")
            subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp / "root")], check=True)
        root = tmp / "root"
        full = out / "debian-docs.tar"
        paths = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        with tarfile.open(full, "w", format=tarfile.GNU_FORMAT) as tar:
            for p in paths:
                tar.add(p, arcname=str(p.relative_to(root)), filter=normalized)
    size = full.stat().st_size
    print(f"{full}: {size:,} bytes, {len(paths)} files, sha256 {sha256(full)}")
    with open(full, "rb") as f:
        data = f.read(max(parse_size(args.size), 32 << 20))
    for label, n in ((args.size.upper(), parse_size(args.size)), ("32M", 32 << 20)):
        if n > size:
            raise SystemExit(f"the tar is only {size} bytes, less than {label}")
        part = out / f"debian-docs-{label}.tar"
        part.write_bytes(data[:n])
        print(f"{part}: {n:,} bytes, sha256 {sha256(part)}")


if __name__ == "__main__":
    main()
