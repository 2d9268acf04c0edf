"""Does the log-linear attention model help the GRU prior?  (docs/TRAINING.md)

    python scripts/prior_attention.py [FILES...] --prior NAME [--held-out N --prefix BYTES]
        [--dim 16 --levels 12 --alr 0.02] [--lr L --olr O]

The prior GRU fine-tunes online (rates as scripts/prior_bpb.py) and the
attention model (predictors/attention.py) learns online from its seeded
start, keyed by the GRU's new state each byte, as the backbone wires them
(attn_src=1).  Reported: bits per byte of the GRU alone, the attention model
alone, and the best static linear mixture (1-a) p_gru + a p_attn over a
grid of a - an upper bound on what a fixed blend gives; the backbone's
mixer would have to beat the GRU alone by learning where attention helps.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from mixzip import corpus as bench_corpus
from mixzip import priors
from mixzip.predictors.attention import Attention
from mixzip.training.measure import gru_attention_probs

sys.path.insert(0, str(Path(__file__).parent))
from prior_bpb import held_out_files  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--prior", default=None)
    ap.add_argument("--window", type=int, default=16)
    ap.add_argument("--lr", type=float, default=0.002)
    ap.add_argument("--olr", type=float, default=0.0)
    ap.add_argument("--b2", type=float, default=0.995)
    ap.add_argument("--dim", type=int, default=16)
    ap.add_argument("--levels", type=int, default=12)
    ap.add_argument("--alr", type=float, default=0.02)
    ap.add_argument("--held-out", type=int, default=0)
    ap.add_argument("--prefix", type=int, default=16384)
    a = ap.parse_args()
    if a.held_out:
        files = held_out_files(a.held_out, a.prefix)
    else:
        d = bench_corpus.corpus_dir("canterbury")
        files = {p.name: p.read_bytes() for p in a.files} if a.files else \
            {n: (d / n).read_bytes() for n in ("alice29.txt", "asyoulik.txt", "cp.html", "fields.c", "grammar.lsp",
                                               "lcet10.txt", "plrabn12.txt", "xargs.1")}
    prior = priors.load(a.prior or priors.available()[-1])
    grid = np.linspace(0, 0.5, 11)
    tot = np.zeros(len(grid) + 1)
    n = 0
    print(f"# {prior.name} lr={a.lr} olr={a.olr}; attention D={a.dim} L={a.levels} lr={a.alr}")
    print(f"{'file':14s} {'bytes':>8s} {'GRU':>7s} {'attn':>7s} {'best mix':>9s} {'a':>5s}")
    for name, data in files.items():
        g = priors.gru_from_prior(prior, window=a.window, lr=a.lr, olr=a.olr, b1=0.0, b2=a.b2)
        at = Attention(dim=a.dim, levels=a.levels, lr=a.alr, dx=int(prior.params["hidden"]))
        pg, pa = gru_attention_probs(g, at, data)
        bits = np.array([-np.log2((1 - x) * pg + x * pa).sum() for x in grid] + [-np.log2(pa).sum()])
        tot += bits
        n += len(data)
        k = int(np.argmin(bits[:-1]))
        if not a.held_out:
            print(f"{name:14s} {len(data):8d} {bits[0] / len(data):7.3f} {bits[-1] / len(data):7.3f} "
                  f"{bits[k] / len(data):9.3f} {grid[k]:5.2f}", flush=True)
    k = int(np.argmin(tot[:-1]))
    print(f"{'total':14s} {n:8d} {tot[0] / n:7.3f} {tot[-1] / n:7.3f} {tot[k] / n:9.3f} {grid[k]:5.2f}  "
          f"(mix gain {100 * (1 - tot[k] / tot[0]):.2f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
