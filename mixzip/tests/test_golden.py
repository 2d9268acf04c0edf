"""Tier 3: golden sha256 of archives, and every Canterbury file round trip.

The golden hashes pin the exact bytes mixzip writes for a few inputs at a
few levels.  They change only when the format or a recipe changes - and then
the format or recipe version must change too.  Regenerate on purpose with

    MIXZIP_REGEN_GOLDEN=1 python -m pytest mixzip/tests/test_golden.py

The same hashes are recomputed in a child process with
NUMBA_CPU_NAME=generic (and an empty Numba cache), which is how another
x86-64 CPU without this machine's instruction-set extensions would compile
the kernels.
"""
import hashlib
import json
import os
import pathlib
import subprocess
import sys

import pytest

import mixzip
from mixzip import corpus

GOLDEN_FILE = pathlib.Path(__file__).with_name("golden.json")
REGEN = os.environ.get("MIXZIP_REGEN_GOLDEN") == "1"

# (input name, level); "sample:<file>" are project-generated inputs (always present)
CASES = [
    ("canterbury:grammar.lsp", 1), ("canterbury:xargs.1", 5), ("canterbury:fields.c", 5),
    ("canterbury:sum", 5), ("canterbury:alice29.txt", 1), ("canterbury:alice29.txt", 9),
    ("sample:text.txt", 5), ("sample:table.bin", 1), ("sample:log.ndjson", 3),
    ("sample:log.ndjson", 8),      # the structure components (structure.py, column.py, fields.py) at work
    ("sample:log.ndjson", 10),     # level 10's driver with the structured context switch (contextmap.py)
    ("sample:table.bin", 8),       # binary: a NUL byte ends level 8's GRU warm start (gru.py)
] + [("sample:source.c", level) for level in range(1, 11)]   # every level, always present
# recomputed under NUMBA_CPU_NAME=generic: levels 1, 3, 5, 8, 9, 10, the prior, structure, the NUL rule
GENERIC = [("canterbury:grammar.lsp", 1), ("canterbury:xargs.1", 5), ("canterbury:fields.c", 5),
           ("canterbury:sum", 5), ("sample:text.txt", 5), ("sample:table.bin", 1), ("sample:log.ndjson", 3),
           ("sample:log.ndjson", 8), ("sample:table.bin", 8), ("sample:source.c", 4), ("sample:source.c", 8),
           ("sample:source.c", 10)]
BLOCK = 1 << 16  # several blocks per larger input, so block framing is pinned too


def load_input(name: str) -> bytes | None:
    kind, fname = name.split(":", 1)
    if kind == "sample":
        return dict(corpus.sample())[fname]
    d = corpus.corpus_dir(kind)
    if d is None:
        return None
    data = (d / fname).read_bytes()
    return data[:100_000] if fname == "alice29.txt" else data


def archive_hashes(cases) -> dict:
    out = {}
    for name, level in cases:
        data = load_input(name)
        if data is not None:
            arc = mixzip.compress(data, level=level, block_size=BLOCK)
            out[f"{name}@{level}"] = hashlib.sha256(arc).hexdigest()
    return out


def golden() -> dict:
    return json.loads(GOLDEN_FILE.read_text()) if GOLDEN_FILE.exists() else {}


def test_every_level_round_trips():
    data = dict(corpus.sample())["source.c"][:20000] + bytes(range(256)) * 4
    for level in range(1, 11):
        arc = mixzip.compress(data, level=level, block_size=BLOCK // 4)
        assert mixzip.decompress(arc) == data, level
        assert mixzip.info(__import__("io").BytesIO(arc)).spec.level == level


def test_neural_level_edge_cases_round_trip():
    """Level 10 (the GRU in the loop): empty and 1-byte inputs, and a random
    block that is stored raw (the decoder then trains the GRU on it, TRAIN
    mode) followed by coded blocks that depend on that training."""
    import random

    rng = random.Random(3)
    text = dict(corpus.sample())["text.txt"][:6000]
    noise = bytes(rng.randrange(256) for _ in range(4096))
    for data in (b"", b"x", noise + text + noise[:100] + text):
        arc = mixzip.compress(data, level=10, block_size=4096)
        assert mixzip.decompress(arc) == data
    assert mixzip.info(__import__("io").BytesIO(arc)).blocks >= 4
    from mixzip.codec.engine import Engine
    from mixzip.predictors.recipes import spec_for_level

    assert Engine(spec_for_level(10)).encode_block(noise)[1], "the random block should be stored"


def test_sample_inputs_exist():
    names = dict(corpus.sample())
    for name, _ in CASES:
        if name.startswith("sample:"):
            assert name.split(":", 1)[1] in names


def test_golden_archives():
    got = archive_hashes(CASES)
    if REGEN:
        GOLDEN_FILE.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
        pytest.skip("golden hashes regenerated")
    want = golden()
    assert got, "no inputs found"
    for key, h in got.items():
        assert key in want, f"no golden hash for {key}; regenerate on purpose"
        assert h == want[key], f"archive of {key} changed"


def test_golden_archives_generic_cpu(tmp_path):
    want = golden()
    code = ("import json, sys; sys.path.insert(0, %r); import test_golden as g; "
            "print(json.dumps(g.archive_hashes(g.GENERIC)))" % str(pathlib.Path(__file__).parent))
    env = dict(os.environ, NUMBA_CPU_NAME="generic", NUMBA_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got
    for key, h in got.items():
        assert h == want[key], f"generic-CPU archive of {key} differs"


@pytest.mark.skipif(corpus.corpus_dir("canterbury") is None, reason="Canterbury corpus not present")
def test_every_canterbury_file_round_trips():
    for path in corpus.files("canterbury"):
        data = path.read_bytes()
        arc = mixzip.compress(data)
        assert mixzip.decompress(arc) == data, path.name
        assert len(arc) < len(data), path.name


V1_DATA = pathlib.Path(__file__).with_name("data")


@pytest.mark.parametrize("level", [1, 6, 9])
def test_version_1_archives_still_decode(level):
    """Archives written by mixzip 0.1 (recipe cm/1: final mixer chosen by c0
    alone) decode bit-exact with this version's kernel.  The files were made
    by the 0.1 code from the first 6000 bytes of the generated source.c
    sample, level N, 4 KiB blocks."""
    arc = (V1_DATA / f"v1_source_L{level}.mxz").read_bytes()
    spec = mixzip.info(__import__("io").BytesIO(arc)).spec
    assert (spec.recipe, spec.version, spec.level) == ("cm", 1, level)
    assert mixzip.decompress(arc) == dict(corpus.sample())["source.c"][:6000]
    # the same input at the same level now writes a version 3 archive
    assert mixzip.info(__import__("io").BytesIO(mixzip.compress(b"x", level=level))).spec.version == 3


@pytest.mark.parametrize("level", [1, 8, 10])
def test_version_2_archives_still_decode(level):
    """Archives written by mixzip 0.2 (recipe cm/2: no MoE router, at most 4
    mixers; level 10 with the GRU) decode bit-exact.  Made by the 0.2 code
    from the first 6000 bytes of the generated source.c sample, level N, 4 KiB
    blocks."""
    arc = (V1_DATA / f"v2_source_L{level}.mxz").read_bytes()
    spec = mixzip.info(__import__("io").BytesIO(arc)).spec
    assert (spec.recipe, spec.version, spec.level) == ("cm", 2, level)
    assert "moe_k" not in spec.params
    assert mixzip.decompress(arc) == dict(corpus.sample())["source.c"][:6000]


@pytest.mark.parametrize("name, mixers, moe_k", [
    ("v3_source_L8.mxz", 3, None),        # mixzip 0.3 (f97d2b3): 3 mixers and a final mixer
    ("v3_source_L8_moe.mxz", 5, 3),       # 8552e91: the MoE router, 3 of 5, no EML parameters
])
def test_level_8_archives_of_earlier_tables_still_decode(name, mixers, moe_k):
    """Level 8's parameters changed without a recipe version (the header
    names every parameter), so archives of each earlier level-8 table must
    decode bit-exact.  Made by that code from the first 6000 bytes of the
    generated source.c sample, 4 KiB blocks."""
    arc = (V1_DATA / name).read_bytes()
    spec = mixzip.info(__import__("io").BytesIO(arc)).spec
    assert (spec.recipe, spec.version, spec.level, spec.params["mixers"]) == ("cm", 3, 8, mixers)
    assert spec.params.get("moe_k") == moe_k and "eml" not in spec.params
    assert "det_inputs" not in spec.params and "mixer_skip" not in spec.params   # decoded without them
    assert "mixer_rates" not in spec.params                                        # every expert at lr
    assert mixzip.decompress(arc) == dict(corpus.sample())["source.c"][:6000]


def test_level_10_archives_before_the_adam_rates_still_decode():
    """Level 10's GRU took Adam's textbook moment rates (0.9, 0.999) before
    gru_b1 / gru_b2 were parameters; such archives name neither and must
    decode with those rates.  Made by e0cd4db from the first 6000 bytes of
    the generated source.c sample, level 10, 4 KiB blocks."""
    arc = (V1_DATA / "v3_source_L10.mxz").read_bytes()
    spec = mixzip.info(__import__("io").BytesIO(arc)).spec
    assert (spec.recipe, spec.version, spec.level, spec.params["gru_hidden"]) == ("cm", 3, 10, 128)
    assert "gru_b1" not in spec.params and "gru_b2" not in spec.params and "mixer_rates" not in spec.params
    assert mixzip.decompress(arc) == dict(corpus.sample())["source.c"][:6000]


def test_version_3_parameters_are_refused_in_older_specs():
    """A version 2 spec that names a version 3 parameter is not an archive any
    mixzip wrote: refused with one clear error."""
    import dataclasses
    from mixzip.predictors.recipes import build_model, spec_for_level

    spec = spec_for_level(9)
    with pytest.raises(mixzip.UnsupportedModelError):
        build_model(dataclasses.replace(spec, version=2))
