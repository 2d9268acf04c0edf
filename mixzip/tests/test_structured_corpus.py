"""The 'structured' corpus: manifest rows, where it is found, the build script's
pure parts (no network), and - when built - the files themselves."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import struct
from pathlib import Path

import pytest

from mixzip import corpus

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_structured_corpus.py"


def built_or_skip() -> Path:
    d = corpus.corpus_dir("structured")
    if d is None:
        pytest.skip("structured corpus not built (python scripts/build_structured_corpus.py)")
    return d


@pytest.fixture(scope="module")
def script():
    if not SCRIPT.exists():
        pytest.skip(f"{SCRIPT} not present")
    spec = importlib.util.spec_from_file_location("build_structured_corpus", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --- manifest ---------------------------------------------------------------

def test_manifest_rows():
    assert "structured" in corpus.names()
    entries = corpus.manifest("structured")
    assert len(entries) >= 5
    assert len({e.name for e in entries}) == len(entries)
    for e in entries:
        assert 100_000 <= e.size <= 10_000_000, e
        assert re.fullmatch(r"[0-9a-f]{64}", e.sha256), e
        assert e.origin.startswith("pypi:"), e
    suffixes = {e.name.rsplit(".", 1)[1] for e in entries}
    assert {"json", "ndjson", "csv", "tsv", "geojson"} <= suffixes


def test_manifest_matches_the_build_script(script):
    assert [e.name for e in corpus.manifest("structured")] == list(script.FILES)
    for e in corpus.manifest("structured"):
        assert e.origin == script.FILES[e.name][2]
    for dist, (version, filename, sha) in script.WHEELS.items():
        assert re.fullmatch(r"[0-9a-f]{64}", sha)
        assert filename.startswith(dist.replace("-", "_") + "-" + version + "-")


# --- locating ---------------------------------------------------------------

def test_user_cache_dir_is_searched(tmp_path, monkeypatch):
    monkeypatch.delenv(corpus.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    want = tmp_path / "mixzip" / "corpus" / "structured"
    assert corpus.user_cache_dir() == tmp_path / "mixzip" / "corpus"
    assert corpus.search_dirs("structured")[-1] == want
    want.mkdir(parents=True)
    for e in corpus.manifest("structured"):
        with open(want / e.name, "wb") as f:           # sparse: right size, wrong bytes
            f.truncate(e.size)
    found = corpus.corpus_dir("structured")
    if found != want:                                   # a real build earlier in the search order
        assert found is not None
        return
    with pytest.raises(corpus.CorpusError, match="sha256 .* does not match"):
        corpus.load("structured")


def test_absent_corpus_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(corpus, "search_dirs", lambda name: [Path("/nonexistent/corpus") / name])
    assert corpus.corpus_dir("structured") is None
    with pytest.raises(corpus.CorpusError, match="corpus 'structured' not found"):
        corpus.resolve([], corpus="structured")


# --- the build script's pure parts -----------------------------------------

def test_round6(script):
    r = script._round6
    assert r(-122.262540001) == "-122.26254"
    assert r(37.0) == "37"
    assert r(-0.0000004) == "0"
    assert r(-0.0000006) == "-0.000001"
    assert r(1.5) == "1.5"


def test_wkb_polygon_and_multipolygon(script):
    ring = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]

    def poly(order: str) -> bytes:
        b = bytes([1 if order == "<" else 0]) + struct.pack(order + "II", 3, 1)
        b += struct.pack(order + "I", len(ring))
        return b + b"".join(struct.pack(order + "dd", *p) for p in ring)

    kind, coords, end = script._wkb(poly("<"))
    assert kind == "Polygon" and end == len(poly("<"))
    assert coords == [[list(p) for p in ring]]
    assert script._wkb(poly(">"))[1] == coords
    multi = b"\x01" + struct.pack("<II", 6, 2) + poly("<") + poly(">")
    kind, coords2, end = script._wkb(multi)
    assert kind == "MultiPolygon" and coords2 == [coords, coords] and end == len(multi)
    assert script._coords(coords) == "[[[0,0],[1,0],[1,1],[0,0]]]"
    with pytest.raises(script.BuildError):
        script._wkb(b"\x01" + struct.pack("<I", 1) + bytes(16))      # a Point


# --- the built files --------------------------------------------------------

def test_built_corpus_loads_and_parses():
    d = built_or_skip()
    files = corpus.resolve([], corpus="structured")     # verifies every sha256
    assert [n for n, _ in files] == [e.name for e in corpus.manifest("structured")]
    assert corpus.files("structured")[0].parent == d
    for name, data in files:
        assert hashlib.sha256(data).hexdigest() == corpus.manifest("structured")[
            [e.name for e in corpus.manifest("structured")].index(name)].sha256
        text = data.decode("utf-8")
        if name.endswith((".json", ".geojson")):
            json.loads(text)
        elif name.endswith(".ndjson"):
            assert all(isinstance(json.loads(line), dict) for line in text.splitlines())
        elif name.endswith((".csv", ".tsv")):
            import csv
            import io
            rows = list(csv.reader(io.StringIO(text), delimiter="\t" if name.endswith(".tsv") else ","))
            assert len({len(r) for r in rows}) == 1 and len(rows) > 1000
