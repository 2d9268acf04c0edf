"""Build the training corpus of the neural priors (docs/TRAINING.md).

    python scripts/build_training_corpus.py [--out DIR] [--only PKG,...] [--check | --summary]

Downloads the pinned packages of mixzip/training/sources.py into DIR/downloads,
writes the selected files under DIR/files and the manifest to
mixzip/training/manifest.tsv (--check: compare with it instead; exit 1 if
anything differs).  DIR defaults to $MIXZIP_TRAINING_CORPUS or build/training-corpus.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from mixzip.training import corpus


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--only", default="", help="comma-separated package names (a partial build; not with --check)")
    ap.add_argument("--check", action="store_true", help="compare with the committed manifest, do not write it")
    ap.add_argument("--summary", action="store_true", help="print the committed manifest's size by kind; build nothing")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    if a.summary:
        rows, archives = corpus.read_manifest()
    else:
        rows, archives = corpus.build(a.out, only, log=lambda s: print(s, file=sys.stderr))
    for kind, (n, b) in corpus.summary(rows).items():
        print(f"{kind:12s} {n:6d} files {b / 1e6:8.2f} MB")
    print(f"{'total':12s} {len(rows):6d} files {sum(r['bytes'] for r in rows) / 1e6:8.2f} MB")
    if a.summary:
        return 0
    if a.check:
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "m.tsv"
            corpus.write_manifest(rows, archives, p)
            same = p.read_text() == corpus.MANIFEST.read_text()
        print("manifest: identical" if same else "manifest: DIFFERS from mixzip/training/manifest.tsv")
        return 0 if same else 1
    if not only:
        corpus.write_manifest(rows, archives)
        print(f"wrote {corpus.MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
