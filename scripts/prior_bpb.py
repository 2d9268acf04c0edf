"""A GRU prior's own bits per byte, with mixzip's kernels (docs/TRAINING.md).

    python scripts/prior_bpb.py [FILES...] [--prior NAME|PATH | --scratch --hidden H --embed E]
        [--window K --lr L --olr O --b1 B1 --b2 B2] [--frozen] [--held-out N --prefix BYTES] [--json OUT]

The network alone codes each file (mixzip.training.measure.gru_bits): it
starts from the prior (or from gru.py's seeded random weights with
--scratch), fine-tunes online at the given rates (or not at all: --frozen),
and each byte costs -log2 of the quantised probability it had.  FILES
default to the Canterbury corpus; --held-out N measures the first --prefix
bytes of N files held out of training instead (the set used to choose
rates: benchmark files are never tuned on).  Rates are in the Gru
constructor's units (lr 0.002 = recipes' gru_lr 20).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from mixzip import corpus as bench_corpus
from mixzip import priors
from mixzip.predictors.gru import Gru
from mixzip.training.measure import gru_bits


def held_out_files(n: int, prefix: int) -> dict:
    from mixzip.training import corpus
    from mixzip.training.train import held_out
    rows = [r for r in corpus.read_manifest()[0] if held_out(r["path"])]
    rows.sort(key=lambda r: r["sha256"])
    out = {}
    for r in rows[:n]:
        p = corpus.default_root() / "files" / r["path"]
        out[r["path"]] = p.read_bytes()[:prefix]
    return out


def measure(files: dict, prior=None, hidden: int = 256, embed: int = 32, frozen: bool = False, window: int = 16,
            lr: float = 0.002, olr: float = 0.0, b1: float = 0.0, b2: float = 0.995, pause_file: str | None = None):
    """[{file, bytes, bpb, seconds}] of the GRU alone on each file (see the module docstring)."""
    kw = dict(window=window, lr=0.0 if frozen else lr, olr=0.0 if frozen else olr, b1=b1, b2=b2)
    rows = []
    for name, data in files.items():
        while pause_file and os.path.exists(pause_file):
            time.sleep(30)
        g = Gru(hidden=hidden, embed=embed, **kw) if prior is None else priors.gru_from_prior(prior, **kw)
        t = time.time()
        bits = float(gru_bits(g, data, frozen).sum())
        rows.append(dict(file=name, bytes=len(data), bits=bits, bpb=bits / max(1, len(data)),
                         seconds=round(time.time() - t, 2)))
    return rows


def canterbury() -> dict:
    d = bench_corpus.corpus_dir("canterbury")
    if d is None:
        raise SystemExit("canterbury corpus not found; name FILES")
    return {e.name: (d / e.name).read_bytes() for e in bench_corpus.manifest("canterbury")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--prior", default=None)
    ap.add_argument("--scratch", action="store_true")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--embed", type=int, default=32)
    ap.add_argument("--window", type=int, default=16)
    ap.add_argument("--lr", type=float, default=0.002)
    ap.add_argument("--olr", type=float, default=0.0)
    ap.add_argument("--b1", type=float, default=0.0)
    ap.add_argument("--b2", type=float, default=0.995)
    ap.add_argument("--frozen", action="store_true")
    ap.add_argument("--held-out", type=int, default=0)
    ap.add_argument("--prefix", type=int, default=16384)
    ap.add_argument("--pause-file", default=None)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    if a.held_out:
        files = held_out_files(a.held_out, a.prefix)
    elif a.files:
        files = {p.name: p.read_bytes() for p in a.files}
    else:
        files = canterbury()
    prior = None if a.scratch else priors.load(a.prior or priors.available()[-1])
    hidden, embed = (a.hidden, a.embed) if prior is None else (prior.params["hidden"], prior.params["embed"])
    label = (f"scratch E={embed} H={hidden}" if prior is None else prior.name) + (
        " frozen" if a.frozen else f" lr={a.lr} olr={a.olr} K={a.window} b1={a.b1} b2={a.b2}")
    print(f"# {label}", flush=True)
    t0 = time.time()
    rows = measure(files, prior, hidden, embed, a.frozen, a.window, a.lr, a.olr, a.b1, a.b2, a.pause_file)
    if not a.held_out:
        for r in rows:
            print(f"{r['file']:14s} {r['bytes']:8d} {r['bpb']:7.3f} bpb  {r['bytes'] / max(r['seconds'], 1e-9) / 1e3:6.1f} KB/s")
    tb, tn = sum(r["bits"] for r in rows), sum(r["bytes"] for r in rows)
    print(f"{'total':14s} {tn:8d} {tb / tn:7.3f} bpb  ({time.time() - t0:.0f} s)", flush=True)
    if a.json:
        a.json.write_text(json.dumps(dict(label=label, files=rows, total_bpb=tb / tn, bytes=tn), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
