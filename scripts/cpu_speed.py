#!/usr/bin/env python3
"""Compression speed in CPU time: a before/after yardstick on a busy machine.

    python scripts/cpu_speed.py --corpus structured --levels 8 9
    python scripts/cpu_speed.py --levels 8 FILE...
    python scripts/cpu_speed.py --corpus structured --levels 8:structure=0 8

A level written ``L:name=value,...`` is level L with those parameters
changed (the recipe's level table patched for that pass only): a before and
after of one model change in the same run.

``mixzip bench`` times wall-clock seconds, the right measure for users, but
on a shared 2-core VM other processes take the CPU from under it (we saw the
same level-8 run at 0.25 and at 0.18 MB/s an hour apart).  This script runs
``mixzip.codec.compress`` / ``decompress`` in-process and divides the bytes by
``time.process_time()`` seconds (CPU time of this process, all its threads),
which a busy neighbour moves much less.  It still shares caches and memory
bandwidth, so compare before/after in one run, as always.  The JIT is
compiled first (a small warm-up per level) and not counted.  Every round
trip is checked; a mismatch exits 1.

Prints one line per file and level, and a total per level: MB/s (10^6
bytes per CPU second) for compress and decompress, and the compressed size.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mixzip import corpus  # noqa: E402
from mixzip.codec import compress, decompress  # noqa: E402
from mixzip.predictors import recipes  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--levels", nargs="+", default=["8"])
    args = ap.parse_args(argv)
    inputs = corpus.resolve(args.files, corpus=args.corpus)
    print(f"{'level':>5} {'file':24} {'bytes':>10} {'packed':>9} {'comp MB/s':>9} {'dec MB/s':>9}")
    for item in args.levels:
        label, _, changes = item.partition(":")
        level = int(label)
        saved = dict(recipes.LEVELS[level])
        for kv in filter(None, changes.split(",")):
            k, v = kv.split("=")
            recipes.LEVELS[level][k] = int(v) if v.lstrip("-").isdigit() else v
        try:
            if run_level(item, level, inputs):
                return 1
        finally:
            recipes.LEVELS[level] = saved
    return 0


def run_level(label: str, level: int, inputs) -> int:
    """One pass of every input at ``level`` (as patched); 1 if a round trip failed."""
    warm = b"warm-up text, warm-up text, 0123456789 {\"k\": [1, 2]}\n" * 64
    assert decompress(compress(warm, level=level)) == warm
    tot = [0, 0, 0.0, 0.0]
    for name, data in inputs:
        t0 = time.process_time()
        packed = compress(data, level=level)
        t1 = time.process_time()
        back = decompress(packed)
        t2 = time.process_time()
        if back != data:
            print(f"{name}: round trip FAILED at level {label}", file=sys.stderr)
            return 1
        tot[0] += len(data)
        tot[1] += len(packed)
        tot[2] += t1 - t0
        tot[3] += t2 - t1
        print(f"{label:>5} {Path(name).name[:24]:24} {len(data):>10} {len(packed):>9} "
              f"{len(data) / 1e6 / (t1 - t0):>9.3f} {len(data) / 1e6 / (t2 - t1):>9.3f}", flush=True)
    print(f"{label:>5} {'TOTAL':24} {tot[0]:>10} {tot[1]:>9} "
          f"{tot[0] / 1e6 / tot[2]:>9.3f} {tot[0] / 1e6 / tot[3]:>9.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
