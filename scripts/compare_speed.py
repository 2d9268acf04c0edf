#!/usr/bin/env python3
"""Speed of two checkouts of mixzip, before/after, measured in one run.

    python scripts/compare_speed.py --before ../old --after . --levels 1 8 10 \
        --repeat 3 FILE...

Each checkout is imported by its own interpreter (``TREE/.venv/bin/python``
if it exists, else this one) in a subprocess that compresses and
decompresses every FILE at every level and prints the CPU seconds
(``time.process_time``) of each call.  The runs are interleaved (before,
after, before, after, ...) and the fastest of ``--repeat`` is kept, so that a
machine whose speed drifts drifts for both alike; CPU time is steadier than
wall time on a shared VM, though caches and memory bandwidth are still
shared.  The first call of each level (compiling, or loading the cache) is
a warm-up and not counted.  Both checkouts must write the same archive: a
difference is reported (the refactor's proof is byte-identical output).

Prints per level: total bytes, archive bytes (before / after), compress and
decompress MB/s (10^6 bytes per CPU second) of each checkout and the change;
``--per-file`` adds a row per file (archive bytes and CPU seconds), for a
change that is meant to change the archives.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import hashlib, json, sys, time
sys.path.insert(0, sys.argv[1])
import mixzip
from mixzip.codec import compress, decompress
levels = json.loads(sys.argv[2]); files = json.loads(sys.argv[3])
out = {}
for level in levels:
    warm = b"warm-up text, warm-up text, 0123456789\n" * 64
    assert decompress(compress(warm, level=level)) == warm
    for path in files:
        data = open(path, "rb").read()
        t0 = time.process_time(); packed = compress(data, level=level)
        t1 = time.process_time(); back = decompress(packed); t2 = time.process_time()
        assert back == data, (path, level)
        out[f"{level} {path}"] = [len(data), len(packed), hashlib.sha256(packed).hexdigest(), t1 - t0, t2 - t1]
print(json.dumps(out))
"""


def python_of(tree: Path) -> str:
    venv = tree / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run(tree: Path, levels: list[int], files: list[str]) -> dict:
    res = subprocess.run([python_of(tree), "-c", CHILD, str(tree), json.dumps(levels), json.dumps(files)],
                         capture_output=True, text=True, cwd=tree)
    if res.returncode:
        sys.exit(f"{tree}: failed\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--after", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--levels", type=int, nargs="+", default=[8])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--per-file", action="store_true", help="a row per file and level")
    args = ap.parse_args(argv)
    files = [os.path.abspath(f) for f in args.files]
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    best: dict[str, dict] = {"before": {}, "after": {}}
    for rep in range(args.repeat):
        for side, tree in trees.items():
            for level in args.levels:          # one process per level: no model's caches left warm
                for key, row in run(tree, [level], files).items():
                    old = best[side].get(key)
                    if old is None:
                        best[side][key] = row
                    else:
                        old[3], old[4] = min(old[3], row[3]), min(old[4], row[4])
        print(f"repeat {rep + 1}/{args.repeat} done; load average {os.getloadavg()}", file=sys.stderr, flush=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load average after {os.getloadavg()}")
    print(f"before: {trees['before']}\nafter:  {trees['after']}\nfiles:  {' '.join(Path(f).name for f in files)}"
          f"\nbest of {args.repeat}, CPU time, MB/s = 10^6 bytes per CPU second\n")
    print(f"{'level':>5} {'bytes':>10} {'packed before':>14} {'packed after':>13} {'same':>5} "
          f"{'comp before':>11} {'comp after':>10} {'change':>7} {'dec before':>10} {'dec after':>9} {'change':>7}")
    for level in args.levels:
        keys = [f"{level} {f}" for f in files]
        b = [best["before"][k] for k in keys]
        a = [best["after"][k] for k in keys]
        n = sum(r[0] for r in b)
        same = all(x[2] == y[2] for x, y in zip(b, a))
        cb, ca = n / 1e6 / sum(r[3] for r in b), n / 1e6 / sum(r[3] for r in a)
        db, da = n / 1e6 / sum(r[4] for r in b), n / 1e6 / sum(r[4] for r in a)
        print(f"{level:>5} {n:>10,} {sum(r[1] for r in b):>14,} {sum(r[1] for r in a):>13,} {'yes' if same else 'NO':>5} "
              f"{cb:>11.3f} {ca:>10.3f} {100 * (ca / cb - 1):>+6.1f}% {db:>10.3f} {da:>9.3f} {100 * (da / db - 1):>+6.1f}%")
        if args.per_file:
            for f, x, y in zip(files, b, a):
                print(f"      {Path(f).name:<14} {x[0]:>10,} {x[1]:>9,} -> {y[1]:>9,} ({100 * (y[1] / x[1] - 1):+.2f}%)"
                      f"  CPU s compress {x[3]:.3f} -> {y[3]:.3f}, decompress {x[4]:.3f} -> {y[4]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
