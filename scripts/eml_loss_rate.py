"""The mixer rate as a fixed function of the recent loss, in both directions.

    python scripts/eml_loss_rate.py [--level 8] [--scale 2] [FILES or dirs]

A one-off measurement for the EML heuristics (README, "Mixing"): it codes
the corpus (or FILES) with the level's constants and with the mixer rate
table replaced by 16 lr exp(+scale v) and 16 lr exp(-scale v), v the recent
mean |error| bucket in 0..1 (eml.py's loss buckets; the position ignored),
and prints the payload bpb of each and the change.  The table is not an EML
node shape the format has (a node's loss term can only lower the rate), so
this patches ``eml.tables`` in this process only.
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from ablation import coded_bytes  # noqa: E402  (scripts/ablation.py)

from mixzip import corpus  # noqa: E402
from mixzip.predictors import eml  # noqa: E402
from mixzip.predictors.recipes import spec_for_level  # noqa: E402


def loss_rate_tables(scale: float):
    """A replacement for eml.tables: constants, except lrt = 16 lr exp(scale v)."""
    constant = eml.tables

    def tables(params, lr, apm_rate, sm_limit, apms=1):
        lrt, *rest = constant([0] * eml.NPARAM, lr, apm_rate, sm_limit, apms)
        for b in range(eml.NPOS):
            for lb in range(eml.NLOSS):
                v = (lb + 0.5) / eml.NLOSS
                lrt[b * eml.NLOSS + lb] = max(1, min(4096, round(16 * lr * math.exp(scale * v))))
        return (lrt, *rest)
    return tables


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--level", type=int, default=8)
    ap.add_argument("--scale", type=float, default=2.0)
    ap.add_argument("--corpus", default=None)
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    files = corpus.resolve(args.paths, corpus=args.corpus)
    base = spec_for_level(args.level)
    n = sum(len(d) for _, d in files)
    constant = eml.tables
    rows = []
    for label, scale in (("constants", None), (f"exp(+{args.scale} v)", args.scale),
                         (f"exp(-{args.scale} v)", -args.scale)):
        # eml="0,...": the kernel reads the rate table (all zero would be the constants)
        spec = dataclasses.replace(base, params=dict(base.params, eml=eml.to_text([0] * eml.NPARAM)))
        eml.tables = constant if scale is None else loss_rate_tables(scale)
        try:
            sizes = {name: coded_bytes(spec, data) for name, data in files}
        finally:
            eml.tables = constant
        rows.append((label, 8 * sum(sizes.values()) / n, {k: 8 * v / len(dict(files)[k]) for k, v in sizes.items()}))
    ref = rows[0][1]
    for label, bpb, per in rows:
        each = " ".join(f"{k} {v:.4f}" for k, v in per.items())
        print(f"{label:>14}  {bpb:.4f}  {100 * (bpb / ref - 1):+.2f}%  {each}")


if __name__ == "__main__":
    main()
