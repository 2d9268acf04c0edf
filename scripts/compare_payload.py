#!/usr/bin/env python3
"""Whether two checkouts code the same payload: archives compared without their stream headers.

    python scripts/compare_payload.py --before ../old --after . --levels 1,8 FILE...

For a change to the header only (e.g. presets): each checkout, imported by
its own interpreter, compresses every FILE at every level (one stream per
file: files of one segment); the script prints both archive sizes, both
header sizes and whether the bytes after the header are identical.  Exit
status 1 if any payload differs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import io, json, sys
sys.path.insert(0, sys.argv[1])
import mixzip
from mixzip.codec import format as fmt
out = {}
for f in json.loads(sys.argv[2]):
    data = open(f, "rb").read()
    for level in json.loads(sys.argv[3]):
        arc = mixzip.compress(data, level)
        src = fmt.Source(io.BytesIO(arc))
        fmt.read_magic(src, True)
        n = fmt.read_header(src).nbytes
        out[f"{f}@{level}"] = (len(arc), n, arc[n:].hex())
print(json.dumps(out))
"""


def run(tree: str, files: list[str], levels: list[int]) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, tree, json.dumps(files), json.dumps(levels)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", default=".")
    ap.add_argument("--levels", default="8", help="comma-separated")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    before, after = (run(t, args.files, levels) for t in (args.before, args.after))
    differ = 0
    totals = [0, 0]
    for key, (n0, h0, p0) in before.items():
        n1, h1, p1 = after[key]
        totals[0] += n0
        totals[1] += n1
        same = p0 == p1
        differ += not same
        name, level = key.rsplit("@", 1)
        print(f"{name.rsplit('/', 1)[-1]:24s} level {level:>2}  archive {n0:>10,} -> {n1:>10,}  "
              f"header {h0:>4} -> {h1:>4}  payload {'same' if same else 'DIFFERENT'}")
    print(f"total archive bytes {totals[0]:,} -> {totals[1]:,}; payloads differing: {differ}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
