#!/usr/bin/env python3
"""Ratio cost of cutting a stream into segments: archive size per segment size.

    python scripts/segment_cost.py FILE [--level 8] [--sizes 2M,4M,8M,16M] [--threads 2]

Compresses FILE once as one segment and once per segment size (each
segment with a fresh model), and prints the archive sizes and the cost of
each segment size against one segment.  --threads only makes it faster:
the archives are the same for any thread count.  Every archive is checked
by decoding it (--no-check skips that).
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

import mixzip
from mixzip.cli import parse_size
from mixzip.codec import format as fmt


def label(n: int) -> str:
    return f"{n >> 20}M" if n % (1 << 20) == 0 else f"{n >> 10}K"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--level", type=int, default=mixzip.DEFAULT_LEVEL)
    ap.add_argument("--sizes", default="2M,4M,8M,16M")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--one", type=int, help="archive bytes of one segment, if already measured "
                                            "(skips that run)")
    args = ap.parse_args()
    data = pathlib.Path(args.file).read_bytes()
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    rows = [] if args.one is None else [(fmt.MAX_SEGMENT_SIZE, args.one, 0.0)]
    for seg in ([] if args.one is not None else [fmt.MAX_SEGMENT_SIZE]) + sizes:
        t = time.perf_counter()
        arc = mixzip.compress(data, args.level, threads=args.threads, segment_size=seg)
        seconds = time.perf_counter() - t
        if not args.no_check:
            assert mixzip.decompress(arc, threads=args.threads) == data
        rows.append((seg, len(arc), seconds))
        print(f"  level {args.level} segment {('one' if seg == fmt.MAX_SEGMENT_SIZE else label(seg)):>5}: "
              f"{len(arc):,} bytes ({seconds:.0f} s)", file=sys.stderr, flush=True)
    one = rows[0][1]
    print(f"{pathlib.Path(args.file).name} ({len(data):,} bytes), level {args.level}")
    print(f"{'segment size':>12}  {'segments':>8}  {'archive bytes':>13}  {'bpb':>6}  {'cost vs one':>11}")
    for seg, n, _ in rows:
        count = max(1, -(-len(data) // seg))
        name = "one" if seg == fmt.MAX_SEGMENT_SIZE else label(seg)
        print(f"{name:>12}  {count:>8}  {n:>13,}  {8 * n / len(data):6.4f}  {100 * (n - one) / one:+10.2f}%")


if __name__ == "__main__":
    main()
