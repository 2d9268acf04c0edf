"""The level ladder as a measured Pareto frontier: regenerates the README's level table.

    python scripts/frontier.py [--corpus canterbury] [--levels 1-9] [--json FILE]

For every level: compresses each corpus file with ``mixzip.compress`` (real
archives, framing included), decompresses and checks it, and records the
total bits per byte (8 * sum compressed / sum original), compression and
decompression speed (MB/s = 10^6 bytes per wall-clock second, one stream, JIT
already loaded) and the model memory.  It then checks the frontier rules:
every level strictly smaller than the level below and slower, and names the
default candidate: the smallest-output level compressing at >= 500 KB/s.
"""
from __future__ import annotations

import argparse
import json
import time

import mixzip
from mixzip import corpus
from mixzip.predictors import recipes

TEXT = ("alice29.txt", "asyoulik.txt", "cp.html", "fields.c", "grammar.lsp",
        "lcet10.txt", "plrabn12.txt", "xargs.1")


def measure(level: int, files) -> dict:
    mixzip.decompress(mixzip.compress(b"warm-up " * 64, level=level))
    n = sum(len(d) for _, d in files)
    csize, ct, dt, per = 0, 0.0, 0.0, {}
    for name, data in files:
        t = time.perf_counter()
        arc = mixzip.compress(data, level=level)
        t1 = time.perf_counter()
        back = mixzip.decompress(arc)
        t2 = time.perf_counter()
        if back != data:
            raise SystemExit(f"level {level}: {name} did not round-trip")
        csize += len(arc)
        ct += t1 - t
        dt += t2 - t1
        per[name] = 8 * len(arc) / max(1, len(data))
    text = [(k, d) for k, d in files if k in TEXT]
    params = recipes.LEVELS[level]
    return {"level": level, "contexts": params["contexts"], "mixers": params["mixers"],
            "memory_mib": recipes.level_memory(level) / 2**20,
            "bpb": 8 * csize / n, "comp_mbps": n / ct / 1e6, "decomp_mbps": n / dt / 1e6,
            "text_bpb": (8 * sum(per[k] * len(d) / 8 for k, d in text) / max(1, sum(len(d) for _, d in text))),
            "files": per}


def check(rows) -> list[str]:
    notes = []
    for a, b in zip(rows, rows[1:]):
        if not b["bpb"] < a["bpb"]:
            notes.append(f"level {b['level']} is not smaller than level {a['level']}")
        if not b["comp_mbps"] < a["comp_mbps"]:
            notes.append(f"level {b['level']} is not slower than level {a['level']}")
    fast = [r for r in rows if r["comp_mbps"] >= 0.5]
    if fast:
        best = min(fast, key=lambda r: r["bpb"])
        notes.append(f"default candidate (smallest output at >= 500 KB/s): level {best['level']}")
    return notes


def markdown(rows) -> str:
    out = ["| level | contexts | mixers | memory MiB | total bpb | text bpb | comp MB/s | decomp MB/s |",
           "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['level']} | {r['contexts'].replace(',', ' ')} | {r['mixers']} | "
                   f"{r['memory_mib']:.0f} | {r['bpb']:.4f} | {r['text_bpb']:.4f} | "
                   f"{r['comp_mbps']:.3f} | {r['decomp_mbps']:.3f} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--levels", default="1-9")
    ap.add_argument("--json", default=None, help="also write the raw rows to this file")
    args = ap.parse_args()
    lo, _, hi = args.levels.partition("-")
    levels = range(int(lo), int(hi or lo) + 1)
    files = corpus.resolve([], corpus=args.corpus)
    rows = [measure(level, files) for level in levels]
    print(markdown(rows))
    for note in check(rows):
        print(f"- {note}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
