#!/usr/bin/env python3
"""The UTF-8 word contexts against the ASCII ones: each level with u1, u2 and with w1, w2, per file.

    python scripts/word_contexts.py --levels 3,8 /work/heldi18n/* /work/heldout/*
    python scripts/word_contexts.py --levels 1-10 --corpus canterbury

For every level, codes every file with the level's contexts as they are and
with recipes.UTF8_WORDS undone (u1 -> w1, u2 -> w2, in ``contexts`` and
``struct_contexts``), in 1 MiB blocks as ``mixzip.compress`` does, and
prints the payload bytes (the container framing and the stream header left
out) per file and in total, with the change.  A level whose contexts have
no UTF-8 word is coded with w1, w2 -> u1, u2 instead, so the table always
reads "ASCII words -> UTF-8 words".  Markdown output.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ablation import coded_bytes  # noqa: E402  (scripts/ablation.py: payload bytes in 1 MiB blocks)

from mixzip import corpus  # noqa: E402
from mixzip.predictors.recipes import UTF8_WORDS, spec_for_level, with_params  # noqa: E402


def swap(names: str, table: dict) -> str:
    return ",".join(table.get(n, n) for n in names.split(","))


def variants(level: int):
    """(spec with the ASCII words, spec with the UTF-8 words) for a level."""
    spec = spec_for_level(level)
    p = spec.params
    keys = [k for k in ("contexts", "struct_contexts") if p.get(k)]
    back = {u: w for w, u in UTF8_WORDS.items()}
    if any(n in back for n in p["contexts"].split(",")):
        return with_params(spec, **{k: swap(p[k], back) for k in keys}), spec
    return spec, with_params(spec, **{k: swap(p[k], UTF8_WORDS) for k in keys})


def levels(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--corpus", default="canterbury")
    ap.add_argument("--levels", default="8")
    args = ap.parse_args(argv)
    inputs = corpus.resolve(args.files, corpus=None if args.files else args.corpus)
    print("| level | file | ASCII words (w1, w2) | UTF-8 words (u1, u2) | change |")
    print("|---:|---|---:|---:|---:|")
    for level in levels(args.levels):
        ascii_spec, utf8_spec = variants(level)
        tw = tu = 0
        for name, data in inputs:
            w = coded_bytes(ascii_spec, data)
            u = coded_bytes(utf8_spec, data)
            tw += w
            tu += u
            print(f"| {level} | {name} | {w:,} | {u:,} | {(u - w) / max(1, w) * 100:+.2f}% |", flush=True)
        print(f"| {level} | **total** | **{tw:,}** | **{tu:,}** | **{(tu - tw) / max(1, tw) * 100:+.2f}%** |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
