"""Plugins at speed: a level with and without plugins, compression and decompression.

    python scripts/plugin_speed.py [--level 8] [--repeat 3] [FILES or dirs | --corpus NAME]

Rows (each file coded in 1 MiB blocks by an Engine and decoded by another,
as ``mixzip.compress``/``decompress`` do, kernels already compiled, the
fastest of --repeat passes of CPU time; sizes are the coded payloads):
    built-in          the level as it is
    fast-path plugin  the level with its o2 context taken out and the example
                      component order2 (examples/mixzip-order2) added
    Python plugin     the level + a Python byte predictor that does nothing
                      (returns one fixed distribution, ignores the bytes)
Needs the example installed (pip install ./examples/mixzip-order2) for the
second row.  Prints a Markdown table: size, change, speeds, time ratio.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import mixzip
from mixzip import corpus
from mixzip.codec.engine import Engine
from mixzip.predictors import recipes
from mixzip.predictors.plugins import register_predictor


class Nothing:
    """A Python byte predictor that does nothing: the cost of the plugin path itself."""
    version = "1"
    P = np.ones(256)

    def predict(self):
        return self.P

    def update(self, byte):
        pass


def timed(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t)
    return best, out


BLOCK = 1 << 20


def encode(spec, data):
    eng = Engine(spec)
    return [eng.encode_block(data[i:i + BLOCK]) + (min(BLOCK, len(data) - i),) for i in range(0, len(data), BLOCK)]


def decode(spec, blocks):
    eng = Engine(spec)
    return b"".join(eng.decode_block(payload, n, stored) for payload, stored, n in blocks)


def run(spec, files, repeat):
    total = sum(len(d) for _, d in files)
    size = ct = dt = 0.0
    decode(spec, encode(spec, b"warm-up: compile (or load) the kernels " * 64))
    for _, data in files:
        c, arc = timed(lambda: encode(spec, data), repeat)
        d, back = timed(lambda: decode(spec, arc), repeat)
        assert back == data
        size += sum(len(payload) for payload, _, _ in arc)
        ct += c
        dt += d
    return {"bytes": int(size), "comp": total / ct / 1e6, "decomp": total / dt / 1e6, "ct": ct, "dt": dt}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--level", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--corpus", default=None)
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    files = corpus.resolve(args.paths, corpus=args.corpus)
    register_predictor("nothing", Nothing)
    base = recipes.spec_for_level(args.level)
    rows = [("built-in", base)]
    try:
        plug = recipes.spec_for_level(args.level, plugins=["order2"])
        rows.append(("fast-path plugin (o2 -> order2)",
                     recipes.with_params(plug, contexts=",".join(c for c in base.params["contexts"].split(",")
                                                                 if c != "o2"))))
    except mixzip.MixzipError as exc:
        print(f"(no fast-path row: {exc})")
    rows.append(("Python plugin (does nothing)", recipes.spec_for_level(args.level, plugins=["nothing"])))
    results = [(label, run(spec, files, args.repeat)) for label, spec in rows]
    ref = results[0][1]
    print(f"level {args.level}, {len(files)} files, {sum(len(d) for _, d in files):,} bytes; CPU time, best of {args.repeat}")
    print("| model | bytes | change | comp MB/s | decomp MB/s | time x (comp / decomp) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, r in results:
        print(f"| {label} | {r['bytes']:,} | {100 * (r['bytes'] / ref['bytes'] - 1):+.3f}% | {r['comp']:.3f} | "
              f"{r['decomp']:.3f} | {r['ct'] / ref['ct']:.2f} / {r['dt'] / ref['dt']:.2f} |")


if __name__ == "__main__":
    main()
