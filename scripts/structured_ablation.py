#!/usr/bin/env python3
"""Ablation of the structure components (issue 19): what each one is worth, per file.

    python scripts/structured_ablation.py                       # structured corpus, level 8
    python scripts/structured_ablation.py --corpus canterbury --variants base,all
    python scripts/structured_ablation.py --max-bytes 300000 --level 9
    python scripts/structured_ablation.py --variants all,-o1 --with "-o1=contexts=o2,o3,o4,o6,w1,w2,w4,r2,col,r3,k1"
    python scripts/structured_ablation.py --variants 8b,all --with "8b=struct_contexts=;gru_nul=2"

Codes every file in 1 MiB blocks, as ``mixzip.compress`` does, with the
level's model as it is today (``base``: structure=0), with the structure
components (``all``: structure=1) and with all of them but one (``-column``:
the column model's inputs silenced, ``-f0`` .. ``-f3``: one field context
silenced; the recipe's ``off`` bits, predictors/recipes.py), and prints the
coded payload bytes per file (the container framing left out) and the change
of each variant against ``all`` (what that context is worth) and of ``all``
against ``base``.  ``--with NAME=KEY=VALUE;KEY=VALUE`` defines a variant
of the level's spec by parameter changes (an empty value: the parameter's
default; ints are read as ints), to be named in ``--variants``.  Each
variant's structure setting (``all``, ``-column`` ...) is its own driver: ~1 minute to compile the
first time.  Markdown output.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ablation import coded_bytes  # noqa: E402  (scripts/ablation.py: payload bytes in 1 MiB blocks)

from mixzip import corpus  # noqa: E402
from mixzip.predictors.recipes import spec_for_level, with_params  # noqa: E402

VARIANTS = {"base": dict(structure=0), "all": dict(structure=1),
            "-column": dict(structure=1, off=8), "-f0": dict(structure=1, off=16),
            "-f1": dict(structure=1, off=32), "-f2": dict(structure=1, off=64),
            "-f3": dict(structure=1, off=128)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--corpus", default="structured")
    ap.add_argument("--level", type=int, default=8)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--max-bytes", type=int, default=0, help="code only the first N bytes of each file")
    ap.add_argument("--with", dest="extra", action="append", default=[], metavar="NAME=KEY=VALUE;...",
                    help="a variant by parameter changes (repeatable)")
    args = ap.parse_args(argv)
    variants = dict(VARIANTS)
    for text in args.extra:
        name, _, changes = text.partition("=")
        variants[name] = {k: (int(v) if v.lstrip("-").isdigit() else (v or None))
                          for k, _, v in (c.partition("=") for c in changes.split(";") if c)}
    inputs = corpus.resolve(args.files, corpus=None if args.files else args.corpus)
    if args.max_bytes:
        inputs = [(n, d[:args.max_bytes]) for n, d in inputs]
    names = args.variants.split(",")
    base = spec_for_level(args.level)
    sizes: dict[str, dict[str, int]] = {}
    for v in names:
        spec = with_params(base, **variants[v])
        t0 = time.process_time()
        sizes[v] = {Path(n).name: coded_bytes(spec, d) for n, d in inputs}
        print(f"{v}: {sum(sizes[v].values())} bytes, {time.process_time() - t0:.1f} s CPU",
              file=sys.stderr, flush=True)
    ref = "all" if "all" in sizes else names[0]
    files = [Path(n).name for n, _ in inputs]
    print("| file | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for f in files + ["TOTAL"]:
        row = []
        for v in names:
            n = sizes[v][f] if f != "TOTAL" else sum(sizes[v].values())
            r = sizes[ref][f] if f != "TOTAL" else sum(sizes[ref].values())
            row.append(f"{n}" if v == ref else f"{n} ({(n - r) / r * 100:+.2f}%)")
        print(f"| {f} | " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
