"""The structure components (issue 19): the kernel tokenizer against its
pure-Python reference, and malformed structured documents through the codec.

Tier 1 (reference): ``predictors/structure.py`` ports
``mixzip.structured_ref`` (itself checked against Python's json and csv
modules in test_structured_ref.py) branch for branch; here both run over the
same generated, mutated, truncated and random documents and must agree on
every field of every byte, and the kernel's detection must agree with
``structured_ref.detect``.

Tier 2 (round trips): broken JSON / NDJSON / CSV documents, long enough for
the in-kernel detection (4 KiB) to switch the structure components on, must
decode byte-exactly at the default level (whose driver the golden tests
compile anyway), and the components must change nothing but the header on
an input that is not structured.
"""
from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mixzip
from mixzip import corpus
from mixzip import structured_ref as sr
from mixzip.codec.engine import Engine
from mixzip.predictors import structure as ks
from mixzip.predictors.recipes import spec_for_level, with_params

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

keys = st.text(max_size=5) | st.sampled_from(["id", "name", 'a"b', "back\\slash", "ключ", ""])
scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(keys, inner, max_size=4), max_leaves=12)
STYLES = [dict(indent=None, separators=(",", ":")), dict(indent=2), dict(indent="\t", ensure_ascii=False)]
ALPHABET = b'{}[],:"\\ \n\r\t0123456789-.eE+truefalsnl abc'


def same(data: bytes, fmt: int) -> None:
    want = sr.run(data, fmt)
    got = ks.run(data, fmt)
    for field in ks.FIELDS:
        if want[field] != got[field]:
            i = next(i for i, (a, b) in enumerate(zip(want[field], got[field])) if a != b)
            raise AssertionError(f"format {fmt}: field {field} differs at byte {i} of {data[:i + 1]!r}: "
                                 f"reference {want[field][i]}, kernel {got[field][i]}")


@SETTINGS
@given(values, st.sampled_from(STYLES), st.data())
def test_kernel_tokenizer_matches_reference_on_json(obj, style, draw):
    doc = json.dumps(obj, **style).encode()
    cut = draw.draw(st.integers(0, len(doc)))
    flip = draw.draw(st.integers(0, len(doc)))
    mutated = doc[:flip] + bytes([draw.draw(st.sampled_from(list(ALPHABET)))]) + doc[flip + 1:]
    for data in (doc, doc[:cut], mutated):
        for fmt in (sr.FMT_JSON, sr.FMT_NDJSON):
            same(data, fmt)


@SETTINGS
@given(st.lists(st.lists(st.text(max_size=6), min_size=1, max_size=5), min_size=1, max_size=6),
       st.sampled_from([",", "\t"]), st.sampled_from(["\n", "\r\n"]))
def test_kernel_tokenizer_matches_reference_on_csv(rows, delim, eol):
    import csv
    import io
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator=eol).writerows(rows)
    data = buf.getvalue().encode()
    for fmt in (sr.FMT_CSV, sr.FMT_TSV):
        same(data, fmt)
        same(data[: len(data) // 2], fmt)


@SETTINGS
@given(st.binary(max_size=300) | st.lists(st.sampled_from(list(ALPHABET)), max_size=300).map(bytes))
def test_kernel_tokenizer_matches_reference_on_any_bytes(data):
    for fmt in range(5):
        same(data, fmt)
    assert ks.detect(data) == sr.detect(data)


def test_deep_nesting_matches_reference():
    data = b"[" * 300 + b'{"a":1}' + b"]" * 310 + b'{"k":[1,2]}'
    for fmt in (sr.FMT_JSON, sr.FMT_NDJSON):
        same(data, fmt)


def _lines(rng: random.Random, n: int) -> list[bytes]:
    return [json.dumps({"ts": f"2024-03-01T00:{i // 60:02d}:{i % 60:02d}Z", "seq": 1000 + i,
                        "level": rng.choice(["info", "warn"]), "v": round(rng.uniform(0, 200), 1)},
                       separators=(",", ":")).encode() for i in range(n)]


def test_kernel_detection_matches_reference():
    rng = random.Random(7)
    nd = b"\n".join(_lines(rng, 200)) + b"\n"
    docs = [nd, json.dumps([json.loads(x) for x in nd.splitlines()], indent=2).encode(),
            b"a,b,c\n" + b"".join(b"%d,x%d,\"q,%d\"\r\n" % (i, i, i) for i in range(500)),
            b"a\tb\n" + b"".join(b"%d\t%d\n" % (i, i * i) for i in range(900)),
            b"\xef\xbb\xbf" + nd, b"plain text, with commas\nand lines\n" * 200, bytes(range(256)) * 20]
    for d in docs:
        for n in (10, 100, 1000, 4095, 4096, 5000):
            assert ks.detect(d[:n]) == sr.detect(d[:n]), (d[:40], n)
    assert [ks.detect(d[:4096]) for d in docs[:5]] == [sr.FMT_NDJSON, sr.FMT_JSON, sr.FMT_CSV, sr.FMT_TSV,
                                                       sr.FMT_NDJSON]


# --------------------------------------------------------------------------
# through the codec, at the default level

def _broken_documents() -> dict[str, bytes]:
    rng = random.Random(19)
    nd = _lines(rng, 400)
    broken = []
    for i, line in enumerate(nd):           # cut, doubled, unbalanced and garbage lines
        if i % 37 == 5:
            line = line[: len(line) // 2]
        elif i % 41 == 7:
            line = line + b"}]]" + line
        elif i % 43 == 9:
            line = b'{"x":"unterminated \\'
        elif i % 47 == 11:
            line = bytes(rng.randrange(256) for _ in range(30))
        broken.append(line)
    pretty = json.dumps([json.loads(x) for x in nd], indent=2).encode()
    cut = bytearray(pretty)
    for k in range(60):                     # 60 structural bytes replaced by others
        j = rng.randrange(len(cut))
        cut[j] = rng.choice(b'{}[],:"\\')
    csv_rows = b"id,name,price\r\n" + b"".join(
        b'%d,"item ""%d"", large",%d.%02d\r\n' % (i, i, i * 3, i % 100) for i in range(600))
    csv_broken = csv_rows.replace(b'"item', b'"it\nem', 40).replace(b",", b"\t", 100)
    return {"ndjson": b"\n".join(broken) + b"\n", "json": bytes(cut) + b"\x00\xff",
            "csv": csv_rows + csv_broken + b'"open quote, never closed\n' + csv_rows[:3000]}


@pytest.mark.parametrize("kind", ["ndjson", "json", "csv"])
def test_broken_documents_round_trip_at_the_default_level(kind):
    data = _broken_documents()[kind]
    assert len(data) > ks.DETECT_BYTES
    assert sr.detect(data[: ks.DETECT_BYTES]) != sr.FMT_NONE          # the components are on
    packed = mixzip.compress(data)
    assert mixzip.decompress(packed) == data


def _payload(spec, data: bytes) -> bytes:
    engine = Engine(spec)
    payload, _ = engine.encode_block(data)
    return payload


def test_structure_helps_structured_data_and_costs_nothing_elsewhere():
    spec = spec_for_level(8)
    assert spec.params.get("structure") == 1
    off = with_params(spec, structure=0)         # the previous level 8 (the v3_*_L8 fixtures' driver)
    sample = dict(corpus.sample())
    nd = sample["log.ndjson"]                    # 60 KB of NDJSON: 4897 bytes against 4971 when written
    assert len(_payload(spec, nd)) < len(_payload(off, nd)) * 0.99
    text = sample["source.c"]                    # not structured
    assert _payload(spec, text) == _payload(off, text)


def test_structured_contexts_switch_on_structured_data_only():
    """Level 8 (presets 8d and later) switches the context map to its structured list
    when the stream is JSON/CSV; elsewhere the payload is what preset 8b (no
    switch) codes."""
    spec = spec_for_level(8)
    assert spec.params["struct_contexts"]
    fixed = with_params(spec, struct_contexts=None)
    sample = dict(corpus.sample())
    nd = sample["log.ndjson"]
    switched = _payload(spec, nd)
    assert switched != _payload(fixed, nd)
    assert Engine(spec).decode_block(switched, len(nd), False) == nd
    text = sample["source.c"]
    assert _payload(spec, text) == _payload(fixed, text)


def test_structured_context_slots():
    from mixzip.predictors.contextmap import slot_ids
    from mixzip.predictors.contexts import ID
    # shared contexts keep their slots, new ones fill the freed slots in order, the rest are off
    assert list(slot_ids("o1,o2,o3,w1", "w1,o3,i2")) == [ID["i2"], -1, ID["o3"], ID["w1"]]
    assert list(slot_ids("o1,o2", "o1,o2")) == [ID["o1"], ID["o2"]]
    # new contexts beyond the freed slots are left out
    assert list(slot_ids("o1,o2,o3", "o5,o6,o3,o7")) == [ID["o5"], ID["o6"], ID["o3"]]


def test_field_set_leaves_contexts_out():
    """field_set=7 (levels 8-10): f3 has no inputs and no lookups; the default
    (15, every archive before it) keeps all four; both round-trip."""
    from mixzip.predictors.fields import field_ids
    spec = spec_for_level(8)
    assert spec.params["field_set"] == 7 and list(field_ids(7)) == [0, 1, 2]
    nd = dict(corpus.sample())["log.ndjson"]
    for fs in (7, 15, 5):
        s = with_params(spec, field_set=fs)
        e = Engine(s)
        assert len(e.model.component("fields").ks) == bin(fs).count("1")
        payload = _payload(s, nd)
        assert Engine(s).decode_block(payload, len(nd), False) == nd
    assert _payload(with_params(spec, field_set=7), nd) != _payload(with_params(spec, field_set=15), nd)
