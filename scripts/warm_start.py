#!/usr/bin/env python3
"""A level with the GRU prior against the same level without it: sizes and CPU speed in one run.

    python scripts/warm_start.py --level 8 --budgets 0 4096 16384 65536
    python scripts/warm_start.py --level 8 --budgets 0 16384 --speed FILE...
    python scripts/warm_start.py --level 8 --set gru_prior=gru-e32-h128-v2 --budgets 16384
    python scripts/warm_start.py --held-out 24 --prefix 16384 --budgets 16384 --w0 10000 30000
    python scripts/warm_start.py --held-out 24 --variant frozen:gru_lr=0,gru_olr=0 --variant olr:gru_lr=0

``--held-out N --prefix P``: the first P bytes of N files held out of the
prior's training (the set to choose parameters on; never Canterbury).
``--w0 W...``: variants with the GRU's initial mixer weight W (1/65536 units).

Variant "none" is the level with every GRU parameter taken out (today's level
8 before the warm start: the same spec, byte for byte, so the same archive);
"B=N" is the level's own table with ``gru_budget`` N (0: the whole stream).
``--set k=v`` changes a parameter of every GRU variant (a prior by name).
Sizes are whole archives (mixzip.compress: header, block records and all), so
the bytes the prior's reference adds to the header count.  Every archive is
decoded and compared.  ``--speed``: compression and decompression speed in
MB/s of CPU time (time.process_time(), as scripts/cpu_speed.py), every variant
of a file timed back to back, so a busy neighbour hits them alike.  The JIT is
warmed up first and not counted.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mixzip import corpus  # noqa: E402
from mixzip.codec import compress, decompress  # noqa: E402
from mixzip.predictors import recipes  # noqa: E402
from mixzip.predictors import gru  # noqa: E402
from mixzip.predictors.gru import GruModel  # noqa: E402

GRU_KEYS = [q.name for q in GruModel.PARAMS]
SMALL = ["cp.html", "fields.c", "grammar.lsp", "xargs.1"]


def parse_kv(text: str) -> dict:
    out = {}
    for kv in filter(None, text.split(",")):
        k, v = kv.split("=", 1)
        out[k] = int(v) if v.lstrip("-").isdigit() else v
    return out


def variants(level: int, budgets, sets: dict, w0s=(), named=()) -> dict:
    table = recipes.LEVELS[level]
    out = {"none": {k: v for k, v in table.items() if k not in GRU_KEYS}}
    base = dict(table)
    if not base.get("gru_hidden"):       # a level without the GRU: level 8's warm-start parameters
        base.update({k: v for k, v in recipes.LEVELS[8].items() if k in GRU_KEYS})
    base.update(sets)
    for b in budgets:
        if not w0s:
            out[f"B={b}"] = dict(base, gru_budget=b)
        for w in w0s:
            out[f"B={b},w{w}"] = dict(base, gru_budget=b, _w0=w)
    for v in named:               # NAME:k=v,k=v (on top of the level's table and --set)
        name, _, kvs = v.partition(":")
        out[name] = dict(base, **parse_kv(kvs))
    return out


def run(level: int, table: dict, data: bytes, timed: bool):
    saved, saved_w0 = recipes.LEVELS[level], gru.PRIOR_W0
    gru.PRIOR_W0 = table.get("_w0", saved_w0)
    recipes.LEVELS[level] = {k: v for k, v in table.items() if k != "_w0"}
    try:
        t0 = time.process_time()
        arc = compress(data, level=level)
        t1 = time.process_time()
        back = decompress(arc)
        t2 = time.process_time()
    finally:
        recipes.LEVELS[level], gru.PRIOR_W0 = saved, saved_w0
    if back != data:
        raise SystemExit("round trip FAILED")
    return len(arc), t1 - t0, t2 - t1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="default: Canterbury")
    ap.add_argument("--level", type=int, default=8)
    ap.add_argument("--budgets", type=int, nargs="*", default=[])
    ap.add_argument("--variant", action="append", default=[], metavar="NAME:K=V,K=V",
                    help="a variant: the level's GRU parameters and --set, changed by these ('_w0': initial weight)")
    ap.add_argument("--set", action="append", default=[], metavar="K=V")
    ap.add_argument("--speed", action="store_true", help="print CPU-time speeds too")
    ap.add_argument("--held-out", type=int, default=0)
    ap.add_argument("--w0", type=int, nargs="*", default=[])
    ap.add_argument("--prefix", type=int, default=16384)
    a = ap.parse_args(argv)
    sets = parse_kv(",".join(a.set))
    vs = variants(a.level, a.budgets, sets, a.w0, a.variant)
    if a.held_out:
        from prior_bpb import held_out_files
        inputs = list(held_out_files(a.held_out, a.prefix).items())
    else:
        inputs = corpus.resolve(a.files, corpus=None if a.files else "canterbury")
    warm = b"warm-up text, warm-up text, 0123456789 {\"k\": [1, 2]}\n" * 64
    for table in vs.values():
        run(a.level, table, warm, False)
    names = list(vs)
    print("level", a.level, "variants:", "; ".join(f"{n}" for n in names), "|", " ".join(a.set))
    wid = max(10, *map(len, names))
    head = f"{'file':16} {'bytes':>9} " + " ".join(f"{n:>{wid}}" for n in names)
    if a.speed:
        head += "   " + " ".join(f"{n + ' c/d MB/s':>22}" for n in names)
    print(head)
    tot = {n: [0, 0.0, 0.0] for n in names}
    small = {n: 0 for n in names}
    total_in = small_in = 0
    for name, data in inputs:
        row = {n: run(a.level, vs[n], data, a.speed) for n in names}
        total_in += len(data)
        short = Path(name).name
        if short in SMALL:
            small_in += len(data)
        line = f"{short[:16]:16} {len(data):>9} " + " ".join(f"{row[n][0]:>{wid}}" for n in names)
        if a.speed:
            line += "   " + " ".join(f"{len(data) / 1e6 / row[n][1]:>10.3f} {len(data) / 1e6 / row[n][2]:>10.3f} "
                                     for n in names)
        print(line, flush=True)
        for n in names:
            tot[n][0] += row[n][0]
            tot[n][1] += row[n][1]
            tot[n][2] += row[n][2]
            if short in SMALL:
                small[n] += row[n][0]
    ref = tot["none"][0]
    print(f"{'TOTAL':16} {total_in:>9} " + " ".join(f"{tot[n][0]:>{wid}}" for n in names))
    print(f"{'vs none':16} {'':>9} " + " ".join(f"{100 * (tot[n][0] / ref - 1):>+{wid - 1}.2f}%" for n in names))
    if small_in:
        print(f"{'4 small files':16} {small_in:>9} " + " ".join(f"{small[n]:>{wid}}" for n in names))
        print(f"{'vs none':16} {'':>9} " + " ".join(f"{100 * (small[n] / small['none'] - 1):>+{wid - 1}.2f}%"
                                                      for n in names))
    if a.speed:
        print("CPU s compress:   " + " ".join(f"{n}={tot[n][1]:.2f}" for n in names))
        print("CPU s decompress: " + " ".join(f"{n}={tot[n][2]:.2f}" for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
