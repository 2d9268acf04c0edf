"""Ablation: what each backbone component is worth, measured on a corpus.

    python scripts/ablation.py [--level 5] [--corpus canterbury] [--json]
    python scripts/ablation.py --neural [--corpus canterbury] [--json]
    python scripts/ablation.py --mixing [--level 8] [--corpus canterbury] [--json]
    python scripts/ablation.py --mixing --level 8 --eml 0,0,...,-4,8,0,0 [FILES]
    (any of them with --repeat N: time each variant N times, keep the fastest,
     and with FILES or directories to measure instead of the corpus)

For the full model of a level and for the model with one component taken
out (a context left out of the level's ``contexts``, or the order-0 map, the
MatchModel or the APM chain switched off with the recipe parameter ``off``,
see predictors/recipes.py), and with one mixer fewer, codes every file of
the corpus in 1 MiB blocks, exactly as ``mixzip.compress`` does, and reports
bits per byte of the coded payloads (the ~200-byte container framing per file
is left out so that small files do not drown the differences) and the
change against the full model.  Prints a Markdown table for the README.

With ``--neural``: the neural byte models - level 10's backbone alone (level
9's without the i2 context), + the GRU (level 10), + the attention model, + both (the attention then keyed by
the GRU's state; each with the confidence-selected fourth mixer) - per file,
total and text files, with the compression speed of each.

With ``--mixing``: the same model inputs (the level's) combined by one mixer,
by the level's mixers and a final mixer, and by the MoE router over 2..8
expert mixers (moe.py), then the EML heuristics (eml.py, the packaged
parameters of the level) against the constants they replace; total bpb,
change against the single mixer, text files, compression speed.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time

from mixzip import corpus
from mixzip.codec.engine import Engine
from mixzip.predictors import recipes
from mixzip.predictors.mixers import parse_mixer_rates
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


REPEAT = 1                 # timed passes per variant (--repeat); the fastest counts


def measure(label: str, spec, files, **extra) -> dict:
    coded_bytes(spec, b"warm-up: compile (or load) the kernels outside the timing")
    secs = float("inf")
    for _ in range(REPEAT):
        t = time.perf_counter()
        sizes = {name: coded_bytes(spec, data) for name, data in files}
        secs = min(secs, time.perf_counter() - t)
    n = sum(len(d) for _, d in files)
    text = [name for name, _ in files if name in TEXT]
    return dict(extra, variant=label, bpb=8 * sum(sizes.values()) / n,
                text_bpb=8 * sum(sizes[k] for k in text) / max(1, sum(len(dict(files)[k]) for k in text)),
                files={k: 8 * v / max(1, len(dict(files)[k])) for k, v in sizes.items()},
                mb_per_s=n / secs / 1e6, kb_per_s=n / secs / 1e3)


def run(level: int, files) -> list[dict]:
    base = spec_for_level(level)
    names = base.params["contexts"].split(",")
    variants = [("full model", {})]
    variants += [(f"without context {c}", {"contexts": ",".join(n for n in names if n != c)})
                 for c in names]
    variants += [(f"without {name}", {"off": bit}) for name, bit in recipes.OFF_NAMES.items()]
    if base.params.get("det_inputs"):
        variants.append(("without deterministic inputs", {"det_inputs": 0}))
    if base.params.get("mixer_skip"):
        variants.append(("without mixer update skip", {"mixer_skip": 0}))
    rates = base.params.get("mixer_rates")
    if rates:
        variants.append(("experts at one common rate", {"mixer_rates": None}))
    k = base.params.get("moe_k", 0)
    if base.params["mixers"] > max(1, k):
        fewer = {"mixers": base.params["mixers"] - 1}
        if rates:                     # the last mixer's rate goes with it
            kept = parse_mixer_rates(rates, base.params["mixers"])[:-1]
            fewer["mixer_rates"] = ",".join(str(r) for r in kept)
        variants.append(("one mixer fewer", fewer))
    if k:
        variants.append(("MoE router -> final mixer", {"moe_k": 0}))
    return [measure(label, dataclasses.replace(base, params=changed(base.params, change)), files, change=change)
            for label, change in variants]


def changed(params: dict, change: dict) -> dict:
    """params with change applied; a value None removes the parameter."""
    out = dict(params, **change)
    return {k: v for k, v in out.items() if v is not None}


def run_mixing(level: int, files, eml_text: str | None = None) -> list[dict]:
    """The mixing variants; with ``eml_text`` (twelve, sixteen or twenty integers)
    only the level's mixing with the constants and with those EML parameters."""
    from mixzip.predictors import eml

    base = spec_for_level(level)
    p = {k: v for k, v in base.params.items() if k not in ("moe_k", "eml", "mixer_rates")}
    variants = [("one mixer", dict(p, mixers=1)),
                ("3 mixers + final mixer", dict(p, mixers=3)),
                ("MoE: 2 of 3 experts", dict(p, mixers=3, moe_k=2)),
                ("MoE: 2 of 4 experts", dict(p, mixers=4, moe_k=2)),
                ("MoE: 2 of 6 experts", dict(p, mixers=6, moe_k=2)),
                ("MoE: 3 of 5 experts", dict(p, mixers=5, moe_k=3)),
                ("MoE: 4 of 7 experts", dict(p, mixers=7, moe_k=4)),
                ("MoE: 8 of 8 experts (dense)", dict(p, mixers=8, moe_k=8))]
    level_mix = {k: v for k, v in base.params.items() if k in ("mixers", "moe_k", "mixer_rates")}
    if "mixer_rates" in level_mix:
        variants.append((f"level {level}: MoE {level_mix.get('moe_k')} of {level_mix['mixers']}, experts at "
                         f"their own rates", dict(p, **level_mix)))
    tuned = eml.packaged().get(level)
    if eml_text is not None:
        variants, tuned = [], eml.from_text(eml_text)
    if tuned and any(tuned):
        variants += [(f"level {level} mixing, constants", dict(p, **level_mix)),
                     (f"level {level} mixing, EML heuristics", dict(p, **level_mix, eml=eml.to_text(tuned)))]
    return [measure(label, dataclasses.replace(base, params=params), files, params=params)
            for label, params in variants]


def markdown_mixing(rows) -> str:
    base = rows[0]["bpb"]
    out = ["| variant | total bpb | change vs one mixer | text files bpb | alice29 | kennedy.xls | comp KB/s | time |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['variant']} | {r['bpb']:.4f} | {100 * (r['bpb'] / base - 1):+.2f}% | "
                   f"{r['text_bpb']:.4f} | {r['files'].get('alice29.txt', float('nan')):.3f} | "
                   f"{r['files'].get('kennedy.xls', float('nan')):.3f} | {r['kb_per_s']:.0f} | "
                   f"{rows[0]['kb_per_s'] / r['kb_per_s']:.2f}x |")
    return "\n".join(out)


def run_neural(files) -> list[dict]:
    from mixzip.predictors.recipes import GRU, LEVELS

    base = spec_for_level(10)
    cm = {k: v for k, v in base.params.items() if not k.startswith("gru_")}
    attn = dict(attn_dim=16, attn_levels=12, attn_lr=200)
    variants = [("backbone alone (level 9 without i2)", dict(cm, mixers=LEVELS[9]["mixers"])),  # the same experts
                ("+ GRU (level 10)", dict(cm, **GRU)),
                ("+ attention", dict(cm, **attn)),
                ("+ GRU + attention (keyed by the GRU state)", dict(cm, **GRU, **attn, attn_src=1))]
    return [measure(label, dataclasses.replace(base, params=params), files, params=params)
            for label, params in variants]


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
    ap.add_argument("files", nargs="*", help="files or directories instead of a corpus")
    ap.add_argument("--level", type=int, default=5)
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--neural", action="store_true", help="ablate the neural byte models instead")
    ap.add_argument("--mixing", action="store_true", help="compare mixer, MoE router and EML heuristics")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="time each variant N times, keep the fastest")
    ap.add_argument("--eml", metavar="PARAMS", help="with --mixing: only the constants against these EML parameters")
    args = ap.parse_args()
    global REPEAT
    REPEAT = max(1, args.repeat)
    files = corpus.resolve(args.files, corpus=args.corpus)
    if args.neural:
        rows = run_neural(files)
        print(json.dumps(rows, indent=1) if args.json else markdown_neural(rows))
        return
    if args.mixing:
        rows = run_mixing(args.level, files, args.eml)
        print(json.dumps(rows, indent=1) if args.json else markdown_mixing(rows))
        return
    rows = run(args.level, files)
    print(json.dumps(rows, indent=1) if args.json else markdown(rows))


if __name__ == "__main__":
    main()
