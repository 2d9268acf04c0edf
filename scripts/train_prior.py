"""Train the GRU prior and write it as a prior file (docs/TRAINING.md).

    nice -n 19 python scripts/train_prior.py --embed 32 --hidden 256 --steps 9000 --threads 2 \
        --pause-file /work/QUIET --name gru-e32-h256-v1

Needs the training corpus (scripts/build_training_corpus.py) and PyTorch
(pip install torch==2.13.0; build time only).  Writes mixzip/priors/NAME.mxp
(--dtype f4 or f2) and NAME.json beside it in build/ (the training curve).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mixzip import priors
from mixzip.training.train import train


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embed", type=int, default=32)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--chunk", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--doc", type=int, default=65536)
    ap.add_argument("--p-start", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--pause-file", default=None)
    ap.add_argument("--name", default=None)
    ap.add_argument("--dtype", choices=("f4", "f2"), default="f4")
    ap.add_argument("--out-dir", type=Path, default=priors.FOLDER)
    a = ap.parse_args()
    name = a.name or f"gru-e{a.embed}-h{a.hidden}"
    Path("build").mkdir(exist_ok=True)
    model, info = train(a.embed, a.hidden, a.steps, a.batch, a.chunk, a.lr, a.doc, a.p_start, a.seed, a.threads,
                        a.eval_every, pause_file=a.pause_file, checkpoint=Path("build") / f"{name}.pt",
                        log=lambda s: print(s, file=sys.stderr, flush=True))
    blob = priors.dumps(name, "gru", {"embed": a.embed, "hidden": a.hidden}, {"w": model.flat()},
                        dtype="<" + a.dtype, meta={"training": {k: v for k, v in info.items() if k != "curve"}})
    out = a.out_dir / f"{name}.mxp"
    out.write_bytes(blob)
    (Path("build") / f"{name}.json").write_text(json.dumps(info, indent=1))
    print(f"wrote {out} ({len(blob)} bytes, sha256 {priors.loads(blob).sha256})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
