"""mixzip.corpus: manifest, locating, verified loading, the sample, resolve order."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from mixzip import corpus
from mixzip.corpus import CorpusError

# The sample corpus is part of the benchmark's definition: it must never change
# by accident.  Regenerate these only on purpose, with a note in the changelog.
SAMPLE_SHA256 = {
    "text.txt": (100035, "4d25a44e2b0b9381477f13d934e9d2840a8e461c0e68308a851dcc34f925fbf7"),
    "log.ndjson": (60100, "9d362b8ed31369d5a22664dee8753e29190022eb7a9b64376a0cb42c934b421a"),
    "source.c": (40132, "f3d3842abc342f0f080f9b59c9de433fe5ab47fdd6a725137c335a493ab74218"),
    "table.bin": (40800, "6d41a1de7e9fa61314b21f1b125258d1213d87e7e53717cbb703e2c67182e661"),
    "random.bin": (16384, "74e65b4aa5f44877141ededc1e9d553ae0dc4689a9afb4b09211552eaa434dbc"),
}


def canterbury_or_skip() -> Path:
    d = corpus.corpus_dir("canterbury")
    if d is None:
        pytest.skip("canterbury corpus not present (../shared/corpus or $MIXZIP_CORPUS_DIR)")
    return d


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(corpus.ENV_VAR, raising=False)


# --- manifest ---------------------------------------------------------------

def test_manifest_well_formed():
    assert corpus.names()[:3] == ["canterbury", "calgary", "silesia"]
    assert corpus.names()[-1] == "sample"
    for name in corpus.names()[:-1]:
        entries = corpus.manifest(name)
        assert entries
        assert len({e.name for e in entries}) == len(entries)
        for e in entries:
            assert e.corpus == name and e.size > 0 and e.origin
            assert e.sha256 == "" or re.fullmatch(r"[0-9a-f]{64}", e.sha256)


def test_manifest_known_totals():
    totals = {n: (len(corpus.manifest(n)), sum(e.size for e in corpus.manifest(n)))
              for n in ("canterbury", "calgary", "silesia")}
    assert totals == {"canterbury": (11, 2810784), "calgary": (14, 3141622),
                      "silesia": (12, 211938580)}
    assert all(e.sha256 for e in corpus.manifest("canterbury"))


def test_manifest_matches_shared_manifest():
    d = canterbury_or_skip()
    shared = d / "MANIFEST.tsv"
    if not shared.exists():
        pytest.skip(f"{shared} not present")
    rows = [line.split("\t") for line in shared.read_text().splitlines()[1:] if line.strip()]
    expected = [(name, int(size), sha) for name, size, sha, *_ in rows]
    assert [(e.name, e.size, e.sha256) for e in corpus.manifest("canterbury")] == expected


def test_unknown_corpus_is_a_clear_error():
    with pytest.raises(CorpusError, match="unknown corpus 'nope'.*canterbury"):
        corpus.corpus_dir("nope")
    with pytest.raises(CorpusError):
        corpus.load("nope")


# --- locating and loading ---------------------------------------------------

def test_load_canterbury_verifies():
    d = canterbury_or_skip()
    files = corpus.load("canterbury")
    assert [n for n, _ in files] == [e.name for e in corpus.manifest("canterbury")]
    assert corpus.files("canterbury") == [d / n for n, _ in files]
    for (name, data), e in zip(files, corpus.manifest("canterbury")):
        assert len(data) == e.size and hashlib.sha256(data).hexdigest() == e.sha256


def test_env_dir_is_searched_first(tmp_path, monkeypatch):
    real = canterbury_or_skip()
    mine = tmp_path / "canterbury"
    mine.mkdir()
    for e in corpus.manifest("canterbury"):
        (mine / e.name).symlink_to(real / e.name)
    monkeypatch.setenv(corpus.ENV_VAR, str(tmp_path))
    assert corpus.search_dirs("canterbury")[0] == mine
    assert corpus.corpus_dir("canterbury") == mine


def test_wrong_sizes_are_not_a_corpus(tmp_path, monkeypatch):
    bad = tmp_path / "canterbury"
    bad.mkdir()
    for e in corpus.manifest("canterbury"):
        (bad / e.name).write_bytes(b"x")
    monkeypatch.setenv(corpus.ENV_VAR, str(tmp_path))
    assert corpus.corpus_dir("canterbury") != bad


def test_sha_mismatch_raises_on_load(tmp_path, monkeypatch):
    fake = tmp_path / "canterbury"
    fake.mkdir()
    for e in corpus.manifest("canterbury"):
        (fake / e.name).write_bytes(bytes(e.size))          # right size, wrong bytes
    monkeypatch.setenv(corpus.ENV_VAR, str(tmp_path))
    assert corpus.corpus_dir("canterbury") == fake          # sizes alone: found
    with pytest.raises(CorpusError, match=r"alice29\.txt: sha256 .* does not match"):
        corpus.load("canterbury")


def test_missing_corpus(monkeypatch, no_env):
    monkeypatch.setattr(corpus, "search_dirs", lambda name: [Path("/nonexistent/corpus") / name])
    assert corpus.corpus_dir("calgary") is None
    with pytest.raises(CorpusError, match=f"corpus 'calgary' not found.*{corpus.ENV_VAR}"):
        corpus.files("calgary")


# --- the sample -------------------------------------------------------------

def test_sample_is_deterministic_and_pinned():
    a, b = corpus.sample(), corpus.sample()
    assert a == b and a is not b
    got = {name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in a}
    assert got == SAMPLE_SHA256
    assert [n for n, _ in a] == list(SAMPLE_SHA256)
    assert 200_000 <= sum(len(d) for _, d in a) <= 300_000


def test_sample_content_kinds():
    s = dict(corpus.sample())
    assert s["text.txt"].isascii() and s["text.txt"].count(b". ") > 100
    import json
    lines = s["log.ndjson"].splitlines()
    assert all(json.loads(line)["ts"].startswith("2024-03-") for line in lines)
    assert b"static " in s["source.c"] and b"return acc;" in s["source.c"]
    assert len(s["table.bin"]) % 24 == 0
    assert corpus.sample(seed=1) != corpus.sample()
    assert corpus.load("sample") == corpus.sample()


def test_files_of_sample_is_an_error():
    with pytest.raises(CorpusError, match="generated"):
        corpus.files("sample")


# --- resolve ----------------------------------------------------------------

def test_resolve_explicit_files_win(tmp_path):
    f = tmp_path / "a.bin"
    f.write_bytes(b"hello")
    assert corpus.resolve([str(f)], corpus="sample") == [(str(f), b"hello")]


def test_resolve_directory(tmp_path):
    (tmp_path / "b").write_bytes(b"2")
    (tmp_path / "a").write_bytes(b"1")
    (tmp_path / "sub").mkdir()
    assert corpus.resolve([tmp_path]) == [(str(tmp_path / "a"), b"1"), (str(tmp_path / "b"), b"2")]


def test_resolve_corpus_name_as_item(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                             # no file called 'sample' here
    assert corpus.resolve(["sample"]) == corpus.sample()


def test_resolve_bad_item():
    with pytest.raises(CorpusError, match="no such file, directory or corpus"):
        corpus.resolve(["/nonexistent/file.txt"])


def test_resolve_named_corpus():
    assert corpus.resolve([], corpus="sample") == corpus.sample()


def test_resolve_named_corpus_absent_is_an_error(monkeypatch):
    monkeypatch.setattr(corpus, "corpus_dir", lambda name: None)
    with pytest.raises(CorpusError, match="not found"):
        corpus.resolve([], corpus="canterbury")


def test_resolve_default_prefers_canterbury(monkeypatch):
    canterbury_or_skip()
    loaded = []
    monkeypatch.setattr(corpus, "load", lambda name: loaded.append(name) or [])
    corpus.resolve()
    assert loaded == ["canterbury"] and corpus.default_name() == "canterbury"


def test_resolve_default_falls_back_to_sample(monkeypatch):
    monkeypatch.setattr(corpus, "corpus_dir", lambda name: None)
    assert corpus.default_name() == "sample"
    assert corpus.resolve() == corpus.sample()
