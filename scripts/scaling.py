#!/usr/bin/env python3
"""Wall-clock speed of mixzip -T N, compression and decompression, for N = 1..cores.

    python scripts/scaling.py FILE [--level 8] [--threads 1,2,4] [--repeat 2]
                              [--segment-size 16M] [--dask-workers 2]

Runs every thread count once per repeat, interleaved (1, 2, ..., 1, 2, ...),
so that a machine whose speed drifts drifts for all of them alike; keeps the
fastest run of each; checks that every thread count wrote the same archive
and that it decodes to the input.  Prints the machine, the load average
before and after (other work on the machine slows the larger counts first),
and a table: seconds, MB/s (of uncompressed data, 10^6 bytes) and the
speed-up over one thread.  --dask-workers N adds the same file compressed
and decompressed by mixzip.cluster on a dask LocalCluster of N one-thread
worker processes (needs mixzip[dask]).  The first run of a level compiles
its kernels: a warm-up on a small input comes first.
"""
from __future__ import annotations

import argparse
import io
import os
import pathlib
import platform
import sys
import tempfile
import time

import mixzip
from mixzip.cli import parse_size
from mixzip.codec import segments


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numba

    return (f"{segments.resolve_threads(0)} cores ({cpu}), Python {platform.python_version()}, "
            f"numba {numba.__version__}")


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--level", type=int, default=mixzip.DEFAULT_LEVEL)
    ap.add_argument("--threads", help="comma-separated thread counts (default 1..cores)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--segment-size", help="default: the level's for this input's size")
    ap.add_argument("--dask-workers", type=int, default=0)
    args = ap.parse_args()
    data = pathlib.Path(args.file).read_bytes()
    cores = segments.resolve_threads(0)
    counts = [int(t) for t in args.threads.split(",")] if args.threads else list(range(1, cores + 1))
    seg = parse_size(args.segment_size) if args.segment_size else segments.default_segment_size(args.level, len(data))
    mixzip.decompress(mixzip.compress(data[:4096], args.level), threads=1)     # compile / load kernels
    print(f"machine: {machine()}")
    print(f"input: {args.file} ({len(data):,} bytes), level {args.level}, segment size {seg:,} "
          f"({-(-len(data) // seg)} segments), best of {args.repeat}")
    print(f"load average before: {load()}", flush=True)
    best: dict[int, list[float]] = {t: [float("inf"), float("inf")] for t in counts}
    archive = None
    for r in range(args.repeat):
        for t in counts:
            c, arc = timed(lambda: mixzip.compress(data, args.level, threads=t, segment_size=seg))
            if archive is None:
                archive = arc
            assert arc == archive, f"-T{t} wrote another archive"
            d, back = timed(lambda: mixzip.decompress(arc, threads=t))
            assert back == data, f"-T{t} did not decode to the input"
            best[t] = [min(best[t][0], c), min(best[t][1], d)]
            print(f"  run {r + 1} -T{t}: compress {c:.1f} s, decompress {d:.1f} s  (load {load()})",
                  file=sys.stderr, flush=True)
    rows = [(f"-T{t}", *best[t]) for t in counts]
    if args.dask_workers:
        rows.append(dask_row(args, data, archive, seg))
    print(f"load average after: {load()}")
    print(f"archive: {len(archive):,} bytes ({8 * len(archive) / len(data):.4f} bpb), "
          "the same for every thread count")
    print()
    c1, d1 = best[counts[0]]
    mb = len(data) / 1e6
    print("| workers | compress s | MB/s | speed-up | decompress s | MB/s | speed-up |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, c, d in rows:
        print(f"| {name} | {c:.1f} | {mb / c:.3f} | {c1 / c:.2f}x | {d:.1f} | {mb / d:.3f} | {d1 / d:.2f}x |")


def dask_row(args, data: bytes, archive: bytes, seg: int):
    from dask.distributed import Client, LocalCluster

    from mixzip import cluster

    n = args.dask_workers
    with tempfile.TemporaryDirectory() as tmp, \
            LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                         dashboard_address=None, silence_logs=50) as lc, Client(lc) as client:
        src = pathlib.Path(tmp, "input")
        src.write_bytes(data)
        # warm the workers (kernels loaded in each process)
        small = pathlib.Path(tmp, "small")
        small.write_bytes(data[:4096])
        for _ in range(n):
            cluster.compress_file(client, small, io.BytesIO(), args.level)
        c = d = float("inf")
        for _ in range(args.repeat):
            out = io.BytesIO()
            ct, _ = timed(lambda: cluster.compress_file(client, src, out, args.level, segment_size=seg))
            assert out.getvalue() == archive, "the cluster wrote another archive than -T"
            pathlib.Path(tmp, "input.mxz").write_bytes(out.getvalue())
            back = io.BytesIO()
            dt, _ = timed(lambda: cluster.decompress_file(client, pathlib.Path(tmp, "input.mxz"), back))
            assert back.getvalue() == data
            c, d = min(c, ct), min(d, dt)
            print(f"  dask {n} workers: compress {ct:.1f} s, decompress {dt:.1f} s  (load {load()})",
                  file=sys.stderr, flush=True)
    return (f"dask LocalCluster, {n} processes", c, d)


if __name__ == "__main__":
    main()
