#!/usr/bin/env python3
"""A held-out set of numeric JSON / NDJSON / CSV from this machine's own files, for choosing numeric models.

    python scripts/build_heldout_numeric.py --out /work/heldnum

For the numeric step model (numdelta.py): files with counters, timestamps
and measurements, none from the `structured` benchmark's sources.  Each file
is cut to at most 600 KB at a line end.  Sources (a missing one is skipped
with a note; another machine gives files of the same kinds):

    dpkg.ndjson     /var/log/dpkg.log as NDJSON: epoch seconds (its times read as UTC), action,
                    package, versions
    tzif.csv        the transitions of every zone in /usr/share/zoneinfo (TZif files, Debian's
                    tzdata): zone, index, UTC epoch, offset, DST flag, abbreviation
    rngtest.csv     numpy's random test sets (numpy/random/tests/data/*.csv): index, value
    filestat.csv    /usr/share/doc and /usr/lib/python3 (walked in sorted order): path, size,
                    mode, mtime, inode
"""
from __future__ import annotations

import argparse
import calendar
import glob
import json
import os
import struct
import sys
from pathlib import Path
import time

sys.path.insert(0, str(Path(__file__).resolve().parent))
from heldout_files import write_all  # noqa: E402

CAP = 600_000
SITE = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages"



def dpkg() -> bytes:
    out = []
    with open("/var/log/dpkg.log", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            t = calendar.timegm(time.strptime(parts[0] + " " + parts[1], "%Y-%m-%d %H:%M:%S"))
            row = {"t": t, "action": parts[2]}
            if len(parts) > 3:
                row["pkg"] = parts[3]
            if len(parts) > 5:
                row["from"], row["to"] = parts[4], parts[5]
            out.append(json.dumps(row) + "\n")
    return "".join(out).encode()


def tzif(path: str):
    """(epoch, utoff, isdst, abbr) per transition of a TZif file (its 64-bit part when present)."""
    data = open(path, "rb").read()
    if data[:4] != b"TZif":
        return []

    def counts(off):
        return struct.unpack(">6l", data[off + 20: off + 44])

    isutc, isstd, leap, timecnt, typecnt, charcnt = counts(0)
    off, size = 0, 4
    if data[4] >= 0x32:                       # version 2+: skip the 32-bit part
        off = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isutc
        isutc, isstd, leap, timecnt, typecnt, charcnt = counts(off)
        size = 8
    p = off + 44
    times = struct.unpack(f">{timecnt}{'q' if size == 8 else 'l'}", data[p: p + timecnt * size])
    p += timecnt * size
    idx = data[p: p + timecnt]
    p += timecnt
    types = [struct.unpack(">lBB", data[p + 6 * i: p + 6 * i + 6]) for i in range(typecnt)]
    p += 6 * typecnt
    chars = data[p: p + charcnt]
    rows = []
    for t, i in zip(times, idx):
        utoff, dst, ai = types[i]
        rows.append((t, utoff, dst, chars[ai: chars.index(b"\0", ai)].decode("ascii", "replace")))
    return rows


def tz() -> bytes:
    root = "/usr/share/zoneinfo"
    out = ["zone,index,utc,offset,dst,abbr\n"]
    for d, _, files in sorted(os.walk(root)):
        if "/posix" in d or "/right" in d:
            continue
        for name in sorted(files):
            zone = os.path.relpath(os.path.join(d, name), root)
            try:
                rows = tzif(os.path.join(d, name))
            except (ValueError, struct.error):      # not a TZif file this reader knows: left out
                continue
            for k, (t, utoff, dst, abbr) in enumerate(rows):
                out.append(f"{zone},{k},{t},{utoff},{dst},{abbr}\n")
    return "".join(out).encode()


def rng() -> bytes:
    out = ["set,index,value\n"]
    for path in sorted(glob.glob(f"{SITE}/numpy/random/tests/data/*.csv")):
        name = os.path.basename(path)[:-4]
        for line in open(path, encoding="ascii"):
            k, _, v = line.strip().partition(",")
            if k.isdigit():
                out.append(f"{name},{k},{v.strip()}\n")
    return "".join(out).encode()


def filestat() -> bytes:
    out = ["path,size,mode,mtime,inode\n"]
    for root in ("/usr/share/doc", "/usr/lib/python3"):
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                p = os.path.join(d, name)
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                out.append(f"{p},{st.st_size},{st.st_mode:o},{int(st.st_mtime)},{st.st_ino}\n")
    return "".join(out).encode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    write_all(args.out, {"dpkg.ndjson": dpkg, "tzif.csv": tz, "rngtest.csv": rng, "filestat.csv": filestat}, CAP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
