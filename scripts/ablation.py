"""Ablation: what each backbone component is worth, measured on a corpus.

    python scripts/ablation.py [--level 5] [--corpus canterbury] [--json]
    python scripts/ablation.py --neural [--corpus canterbury] [--json]

For the full model of a level and for the model with one component taken
out (a context left out of the level's ``contexts``, or the order-0 map, the
MatchModel or the APM chain switched off with the recipe parameter ``off``,
see predictors/backbone.py), and with one mixer fewer, codes every file of
the corpus in 1 MiB blocks, exactly as ``mixzip.compress`` does, and reports
bits per byte of the coded payloads (the ~200-byte container framing per file
is left out so that small files do not drown the differences) and the
change against the full model.  Prints a Markdown table for the README.

With ``--neural``: the neural byte models - level 9's backbone alone, + the
GRU (level 10), + the attention model, + both (the attention then keyed by
the GRU's state; each with the confidence-selected fourth mixer) - per file,
total and text files, with the compression speed of each.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time

from mixzip import corpus
from mixzip.codec.engine import Engine
from mixzip.predictors import backbone
from mixzip.predictors.recipes import spec_for_level

BLOCK = 1 << 20
TEXT = ("alice29.txt", "asyoulik.txt", "cp.html", "fields.c", "grammar.lsp",
        "lcet10.txt", "plrabn12.txt", "xargs.1")


def coded_bytes(spec, data: bytes) -> int:
    engine = Engine(spec)
    total = 0
    for i in range(0, len(data), BLOCK):
        payload, _ = engine.encode_block(data[i:i + BLOCK])
        total += len(payload)
    return total


def run(level: int, files) -> list[dict]:
    base = spec_for_level(level)
    names = base.params["contexts"].split(",")
    variants = [("full model", {})]
    variants += [(f"without context {c}", {"contexts": ",".join(n for n in names if n != c)})
                 for c in names]
    variants += [(f"without {name}", {"off": bit}) for name, bit in backbone.OFF_NAMES.items()]
    if base.params["mixers"] > 1:
        variants.append(("one mixer fewer", {"mixers": base.params["mixers"] - 1}))
    rows = []
    for label, change in variants:
        spec = dataclasses.replace(base, params=dict(base.params, **change))
        t = time.perf_counter()
        sizes = {name: coded_bytes(spec, data) for name, data in files}
        secs = time.perf_counter() - t
        n = sum(len(d) for _, d in files)
        text = [(name, d) for name, d in files if name in TEXT]
        rows.append({
            "variant": label, "change": change,
            "bpb": 8 * sum(sizes.values()) / n,
            "text_bpb": 8 * sum(sizes[k] for k, _ in text) / max(1, sum(len(d) for _, d in text)),
            "files": {k: 8 * v / max(1, len(dict(files)[k])) for k, v in sizes.items()},
            "mb_per_s": n / secs / 1e6,
        })
    return rows


def run_neural(files) -> list[dict]:
    from mixzip.predictors.recipes import GRU, LEVELS

    base = spec_for_level(10)
    cm = {k: v for k, v in base.params.items() if not k.startswith("gru_")}
    attn = dict(attn_dim=16, attn_levels=12, attn_lr=200)
    variants = [("backbone alone (level 9)", dict(cm, mixers=LEVELS[9]["mixers"])),
                ("+ GRU (level 10)", dict(cm, **GRU)),
                ("+ attention", dict(cm, **attn)),
                ("+ GRU + attention (keyed by the GRU state)", dict(cm, **GRU, **attn, attn_src=1))]
    rows = []
    for label, params in variants:
        spec = dataclasses.replace(base, params=params)
        t = time.perf_counter()
        sizes = {name: coded_bytes(spec, data) for name, data in files}
        secs = time.perf_counter() - t
        n = sum(len(d) for _, d in files)
        text = [name for name, _ in files if name in TEXT]
        rows.append({"variant": label, "params": params, "bpb": 8 * sum(sizes.values()) / n,
                     "text_bpb": 8 * sum(sizes[k] for k in text) / max(1, sum(len(dict(files)[k]) for k in text)),
                     "files": {k: 8 * v / max(1, len(dict(files)[k])) for k, v in sizes.items()},
                     "kb_per_s": n / secs / 1e3})
    return rows


def markdown_neural(rows) -> str:
    names = list(rows[0]["files"])
    base, tbase = rows[0]["bpb"], rows[0]["text_bpb"]
    out = ["| variant | " + " | ".join(names) + " | total | change | text files | change | comp KB/s |",
           "|---|" + "---:|" * (len(names) + 5)]
    for r in rows:
        out.append(f"| {r['variant']} | " + " | ".join(f"{r['files'][k]:.3f}" for k in names)
                   + f" | {r['bpb']:.4f} | {100 * (r['bpb'] / base - 1):+.2f}% | {r['text_bpb']:.4f} | "
                   + f"{100 * (r['text_bpb'] / tbase - 1):+.2f}% | {r['kb_per_s']:.0f} |")
    return "\n".join(out)


def markdown(rows) -> str:
    full = rows[0]["bpb"]
    out = ["| variant | total bpb | change | text files bpb | kennedy.xls | ptt5 | sum |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        f = r["files"]
        out.append(f"| {r['variant']} | {r['bpb']:.4f} | {100 * (r['bpb'] / full - 1):+.2f}% | "
                   f"{r['text_bpb']:.4f} | {f.get('kennedy.xls', float('nan')):.3f} | "
                   f"{f.get('ptt5', float('nan')):.3f} | {f.get('sum', float('nan')):.3f} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--level", type=int, default=5)
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--neural", action="store_true", help="ablate the neural byte models instead")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    files = corpus.resolve([], corpus=args.corpus)
    if args.neural:
        rows = run_neural(files)
        print(json.dumps(rows, indent=1) if args.json else markdown_neural(rows))
        return
    rows = run(args.level, files)
    print(json.dumps(rows, indent=1) if args.json else markdown(rows))


if __name__ == "__main__":
    main()
