"""All the measurements of docs/TRAINING.md section 5 for one prior, as Markdown.

    python scripts/prior_report.py --prior gru-e32-h128-v1 [--grid] [--pause-file /work/QUIET] [--out FILE.md]

1. (--grid) online rates on held-out training files (--grid-files files held
   out of training, first --grid-prefix bytes each; never Canterbury): frozen, and Adam lr x
   output-layer olr over a small grid, K = 16, b1 = 0, b2 = 0.995; the best
   total is kept.  Without --grid: --lr/--olr as given.
2. Canterbury, each file: the prior fine-tuned online at those rates, the
   prior frozen, and a from-scratch GRU of the same size at level 10's rates
   (gru_lr 30, gru_olr 100: lr 0.003, olr 0.01, b1 0, b2 0.995).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from prior_bpb import canterbury, held_out_files, measure  # noqa: E402

from mixzip import priors  # noqa: E402

GRID = [(0.0005, 0.0), (0.001, 0.0), (0.002, 0.0), (0.001, 0.002), (0.002, 0.005), (0.003, 0.01)]
LEVEL10 = (0.003, 0.01)


def total(rows):
    return sum(r["bits"] for r in rows) / sum(r["bytes"] for r in rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prior", required=True)
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--lr", type=float, default=0.001)
    ap.add_argument("--olr", type=float, default=0.0)
    ap.add_argument("--grid-files", type=int, default=40)
    ap.add_argument("--grid-prefix", type=int, default=8192)
    ap.add_argument("--scratch-json", type=Path, default=None,
                    help="take the from-scratch rows from prior_bpb.py --scratch --json (same size, level 10 rates)")
    ap.add_argument("--pause-file", default=None)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    prior = priors.load(a.prior)
    e, h = prior.params["embed"], prior.params["hidden"]
    pf = a.pause_file
    lines = [f"### {prior.name} (E={e}, H={h}; sha256 {prior.sha256[:16]}...)", ""]
    res: dict = {"prior": prior.name, "sha256": prior.sha256}
    lr, olr = a.lr, a.olr
    if a.grid:
        ho = held_out_files(a.grid_files, a.grid_prefix)
        lines += [f"Held-out training files ({len(ho)} x first {a.grid_prefix} bytes), bits per byte:", "",
                  "| rates | prior | scratch |", "| --- | ---: | ---: |"]
        t = time.time()
        fr = total(measure(ho, prior, h, e, frozen=True, pause_file=pf))
        lines.append(f"| frozen | {fr:.3f} | |")
        best = None
        for glr, golr in GRID:
            v = total(measure(ho, prior, h, e, lr=glr, olr=golr, pause_file=pf))
            sc = total(measure(ho, None, h, e, lr=glr, olr=golr, pause_file=pf)) if (glr, golr) == LEVEL10 else None
            lines.append(f"| lr {glr} olr {golr} | {v:.3f} | {'' if sc is None else f'{sc:.3f}'} |")
            if best is None or v < best[0]:
                best = (v, glr, golr)
            print(lines[-1], file=sys.stderr, flush=True)
        lr, olr = best[1], best[2]
        res["grid_seconds"] = round(time.time() - t)
        lines += ["", f"Best: lr {lr}, olr {olr} ({res['grid_seconds']} s)", ""]
    res["rates"] = (lr, olr)
    cant = canterbury()
    runs = {
        f"prior, online (lr {lr}, olr {olr})": measure(cant, prior, h, e, lr=lr, olr=olr, pause_file=pf),
        "prior, frozen": measure(cant, prior, h, e, frozen=True, pause_file=pf),
    }
    key = f"scratch, level 10 rates (lr {LEVEL10[0]}, olr {LEVEL10[1]})"
    if a.scratch_json:
        got = json.loads(a.scratch_json.read_text())
        assert f"E={e} H={h} lr={LEVEL10[0]} olr={LEVEL10[1]}" in got["label"], got["label"]
        runs[key] = got["files"]
    else:
        runs[key] = measure(cant, None, h, e, lr=LEVEL10[0], olr=LEVEL10[1], pause_file=pf)
    names = list(runs)
    lines += ["Canterbury, the network alone (bits per byte, quantised probabilities):", "",
              "| file | bytes | " + " | ".join(names) + " |", "| --- | ---: |" + " ---: |" * len(names)]
    for i, r0 in enumerate(runs[names[0]]):
        lines.append(f"| {r0['file']} | {r0['bytes']} | " + " | ".join(f"{runs[n][i]['bpb']:.3f}" for n in names) + " |")
    lines.append("| **total** | " + str(sum(r["bytes"] for r in runs[names[0]])) + " | "
                 + " | ".join(f"**{total(runs[n]):.3f}**" for n in names) + " |")
    lines.append("| seconds | | " + " | ".join(f"{sum(r['seconds'] for r in runs[n]):.0f}" for n in names) + " |")
    res["canterbury"] = runs
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        a.out.write_text(text)
        a.out.with_suffix(".json").write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
