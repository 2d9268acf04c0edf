#!/usr/bin/env python3
"""A held-out set of JSON / NDJSON / CSV / TSV from this machine's own files, for choosing structure models.

    python scripts/build_heldout_structured.py --out /work/heldstruct

The `structured` corpus (docs/STRUCTURED.md) is the benchmark of issue 19:
model choices are made on these files instead and only evaluated there.
None of them comes from the corpus's sources (bokeh-sampledata,
license-expression, emoji, botocore's endpoints.json).  Each file is cut to
at most 800 KB at a line end.  Sources (missing ones are skipped with a
note; another machine image gives files of the same kinds):

    iso3166.json     iso-codes' iso_3166-2.json (subdivisions: pretty JSON, mixed scripts)
    iso639.ndjson    iso-codes' iso_639-3.json, one language object per line
    policies.json    cfn-lint's Serverless/ManagedPolicies.json (nested config JSON)
    samdocs.json     aws-sam-translator's sam-docs.json (JSON of prose strings)
    apitools.json    apitools' servicemanagement_v1.json (an API discovery document)
    pypi.tsv         /usr/share/package-lists/pypi.tsv (name, version, month, rank, summary)
    go.tsv           /usr/share/package-lists/go-partial.tsv
    umath.csv        numpy's umath-validation-set-cos.csv and -exp2.csv (hex floats)
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys

CAP = 800_000
SITE = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages"


def first(pattern: str) -> str | None:
    hits = sorted(glob.glob(pattern))
    return hits[0] if hits else None


def cut(data: bytes) -> bytes:
    if len(data) <= CAP:
        return data
    return data[: data.rindex(b"\n", 0, CAP) + 1]


def ndjson(path: str) -> bytes:
    doc = json.load(open(path, encoding="utf-8"))
    rows = next(v for v in doc.values() if isinstance(v, list))
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--site", default=SITE, help="a site-packages directory with cfnlint, samtranslator, numpy")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    site = args.site
    plain = {
        "iso3166.json": "/usr/share/iso-codes/json/iso_3166-2.json",
        "policies.json": f"{site}/cfnlint/data/Serverless/ManagedPolicies.json",
        "samdocs.json": f"{site}/samtranslator/internal/schema_source/sam-docs.json",
        "apitools.json": first("/usr/lib/google-cloud-sdk/platform/gsutil/third_party/apitools/samples/"
                               "servicemanagement_sample/servicemanagement_v1.json"),
        "pypi.tsv": "/usr/share/package-lists/pypi.tsv",
        "go.tsv": "/usr/share/package-lists/go-partial.tsv",
    }
    made = {}
    for name, src in plain.items():
        if src and os.path.exists(src):
            made[name] = open(src, "rb").read()
        else:
            print(f"skipped {name}: {src} not found", file=sys.stderr)
    iso639 = "/usr/share/iso-codes/json/iso_639-3.json"
    if os.path.exists(iso639):
        made["iso639.ndjson"] = ndjson(iso639)
    umath = [f"{site}/numpy/_core/tests/data/umath-validation-set-{f}.csv" for f in ("cos", "exp2")]
    if all(os.path.exists(f) for f in umath):
        made["umath.csv"] = open(umath[0], "rb").read() + b"".join(open(f, "rb").read().split(b"\n", 1)[1]
                                                                   for f in umath[1:])
    for name, data in made.items():
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(cut(data))
        print(f"{name:16} {len(cut(data)):>9,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
