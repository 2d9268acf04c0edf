"""The training corpus of the neural priors (mixzip/training): its manifest,
and that it holds nothing of the benchmark corpora.

The contamination test needs both the Canterbury corpus and a built training
corpus (scripts/build_training_corpus.py); it skips cleanly without either.
Nothing here needs PyTorch.
"""
from __future__ import annotations

import fnmatch
import random
import re

import pytest

from mixzip import corpus as bench_corpus
from mixzip.training import contamination, corpus, sources


@pytest.fixture(scope="module")
def manifest():
    return corpus.read_manifest()


def test_manifest_rows_match_the_pinned_sources(manifest):
    rows, archives = manifest
    pinned = {f"{s.origin}/{s.package}": s for s in sources.SOURCES}
    assert set(archives) == set(pinned)
    for key, (ver, digest, licence) in archives.items():
        assert ver == pinned[key].version
        assert re.fullmatch(r"[0-9a-f]{64}", digest) and licence
    paths = [r["path"] for r in rows]
    assert len(paths) == len(set(paths)) and paths == sorted(paths)
    assert len({r["sha256"] for r in rows}) == len(rows)           # no duplicate contents
    kinds = {k for s in sources.SOURCES for _, k, _ in s.select}
    for r in rows:
        assert r["kind"] in kinds and r["bytes"] >= corpus.MIN_BYTES
        assert re.fullmatch(r"[0-9a-f]{64}", r["sha256"])
        assert not any(fnmatch.fnmatchcase(r["path"], g) for g in sources.EXCLUDE)


def test_manifest_respects_each_selectors_cap(manifest):
    rows, _ = manifest
    taken: dict = {}
    for r in rows:
        taken[(r["origin"], r["package"], r["kind"])] = taken.get((r["origin"], r["package"], r["kind"]), 0) + r["bytes"]
    for s in sources.SOURCES:
        for kind in {k for _, k, _ in s.select}:
            cap = sum(c for _, k, c in s.select if k == kind)
            assert taken.get((s.origin, s.package, kind), 0) <= cap


def test_no_benchmark_file_by_hash(manifest):
    """No training file is byte-identical to a benchmark file whose sha256 is known."""
    rows, _ = manifest
    known = {e.sha256 for name in bench_corpus.names() if name != "sample"
             for e in bench_corpus.manifest(name) if e.sha256}
    assert known, "the benchmark manifest lists no hashes"
    assert not known & {r["sha256"] for r in rows}


def test_no_banned_package(manifest):
    _, archives = manifest
    banned = ("findutils", "bible-kjv", "dict-gcide", "gcide", "samba", "gutenberg", "shakespeare")
    assert not [k for k in archives if any(b in k.lower() for b in banned)]


def test_reference_finds_planted_windows():
    rng = random.Random(16)
    ref = {"a": rng.randbytes(5000), "b": rng.randbytes(3000)}
    index = contamination.Reference(ref)
    clean = rng.randbytes(20000)
    assert index.matches(clean) == []
    for off_ref, off_new, n in ((0, 0, 64), (17, 1001, 64), (4936, 333, 64), (1234, 19000, 100)):
        data = bytearray(clean)
        data[off_new:off_new + n] = ref["a"][off_ref:off_ref + n]
        found = index.matches(bytes(data))
        assert found == [("a", off_new + k, off_ref + k) for k in range(n - 63)]
    data = bytearray(clean)                              # 63 bytes: not a 64-byte window
    data[500:563] = ref["b"][100:163]
    assert index.matches(bytes(data)) == []
    assert index.matches(ref["b"][:64]) == [("b", 0, 0)]


def test_training_corpus_has_no_canterbury_window():
    """No 64-byte window of any Canterbury file occurs in the training corpus's files."""
    cant = bench_corpus.corpus_dir("canterbury")
    if cant is None:
        pytest.skip("canterbury corpus not present")
    files = list(corpus.corpus_files())
    if not files:
        pytest.skip("training corpus not built (scripts/build_training_corpus.py)")
    rows, _ = corpus.read_manifest()
    if len(files) < len(rows):
        pytest.skip(f"training corpus incomplete ({len(files)} of {len(rows)} files)")
    index = contamination.Reference(contamination.canterbury_files(cant))
    hits = []
    for r, p in files:
        hits += [(r["path"], *m) for m in index.matches(p.read_bytes())[:3]]
    assert hits == []
