"""The structure tokenizer's reference (mixzip.structured_ref) against Python's
json and csv modules.

The expected labels come from an independent recursive serializer: it writes
a generated value (or table) token by token, labelling each byte, and the
test first checks that its bytes are exactly what json.dumps / csv.writer
write and that json.loads / csv.reader read the value back.  The labels are
therefore the structure of a document as Python's own modules see it; the
state machine must agree on every byte.  Malformed, truncated and random
inputs must never raise and must keep every field in its documented range.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mixzip import structured_ref as sr

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------
# generated documents

keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6) | st.sampled_from(
    ["id", "name", "a\"b", "back\\slash", "tab\t", "ключ", "名前", ""])
scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(keys, inner, max_size=4), max_leaves=12)
containers = st.lists(values, max_size=5) | st.dictionaries(keys, values, max_size=5)
styles = st.sampled_from([
    dict(indent=None, separators=(",", ":")),
    dict(indent=None, separators=(", ", ": ")),
    dict(indent=2, separators=(",", ": ")),
    dict(indent=0, separators=(",", ": ")),
    dict(indent="\t", separators=(",", ": ")),
    dict(indent=1, separators=(" ,", " : ")),
])


class Labeled:
    """Bytes with the expected per-byte fields (None: not checked)."""

    def __init__(self):
        self.data = bytearray()
        self.rows: list[dict] = []

    def put(self, chunk: bytes, **fields) -> None:
        for b in chunk:
            self.data.append(b)
            self.rows.append(dict(fields))

    def token(self, chunk: bytes, **fields) -> None:
        """A key/string/number/literal: vhash runs over its bytes."""
        h = sr.FNV_BASIS
        for b in chunk:
            h = sr.fnv(h, b)
            self.data.append(b)
            self.rows.append(dict(fields, vhash=h))


def _structural(out: Labeled, text: str, depth: int) -> None:
    for ch in text:
        out.put(ch.encode(), cls=sr.C_WS if ch in " \t\r\n" else sr.C_STRUCT, depth=depth)


def emit(out: Labeled, obj, depth: int, path: int, index: int, level: int, style: dict,
         ensure_ascii: bool) -> None:
    """Write ``obj`` (a value at ``depth`` open containers, path ``path``,
    element number ``index``) the way json.dumps does, labelling each byte."""
    indent = style["indent"]
    item_sep, key_sep = style["separators"]
    if isinstance(indent, int):
        indent = " " * indent
    if isinstance(obj, (list, dict)):
        is_obj = isinstance(obj, dict)
        vt = sr.T_OBJ if is_obj else sr.T_ARR
        out.put(b"{" if is_obj else b"[", cls=sr.C_STRUCT, depth=depth + 1, path=path, vtype=vt)
        items = list(obj.items()) if is_obj else list(enumerate(obj))
        if items:
            inner = "" if indent is None else "\n" + indent * (level + 1)
            for i, (k, v) in enumerate(items):
                _structural(out, (item_sep if i else "") + inner, depth + 1)
                if is_obj:
                    kb = json.dumps(k, ensure_ascii=ensure_ascii).encode("utf-8")
                    out.token(kb, cls=sr.C_KEY, depth=depth + 1, path=path, index=i, vtype=sr.T_KEY)
                    _structural(out, key_sep, depth + 1)
                    vpath = sr.combine(path, sr.key_hash(kb[1:-1]))
                else:
                    vpath = sr.combine(path, sr.ARR)
                emit(out, v, depth + 1, vpath, i, level + 1, style, ensure_ascii)
            _structural(out, "" if indent is None else "\n" + indent * level, depth + 1)
        out.put(b"}" if is_obj else b"]", cls=sr.C_STRUCT, depth=depth, path=path, vtype=vt)
        return
    text = json.dumps(obj, ensure_ascii=ensure_ascii).encode("utf-8")
    if obj is None:
        cls, vt = sr.C_LIT, sr.T_NULL
    elif obj is True:
        cls, vt = sr.C_LIT, sr.T_TRUE
    elif obj is False:
        cls, vt = sr.C_LIT, sr.T_FALSE
    elif isinstance(obj, str):
        cls, vt = sr.C_STR, sr.T_STR
    else:
        cls, vt = sr.C_NUM, sr.T_NUM
    out.token(text, cls=cls, depth=depth, path=path, index=index, vtype=vt)


def labeled_json(obj, style: dict, ensure_ascii: bool) -> Labeled:
    out = Labeled()
    emit(out, obj, 0, sr.ROOT, 0, 0, style, ensure_ascii)
    out.rows[0]["rec_start"] = 1
    assert bytes(out.data) == json.dumps(obj, ensure_ascii=ensure_ascii, **style).encode("utf-8")
    assert json.loads(bytes(out.data)) == obj or obj != obj
    return out


def check(fmt: int, lab: Labeled) -> None:
    t = sr.Tokenizer(fmt)
    for i, (b, want) in enumerate(zip(lab.data, lab.rows)):
        t.step(b)
        got = {k: getattr(t, k) for k in want}
        assert got == want, (i, bytes(lab.data[max(0, i - 20):i + 1]), got, want)
        if "rec_start" not in want:
            assert t.rec_start == 0, (i, bytes(lab.data[max(0, i - 20):i + 1]))


# --------------------------------------------------------------------------
# JSON and NDJSON

@SETTINGS
@given(values, styles, st.booleans())
def test_json_labels_agree_with_json_module(obj, style, ensure_ascii):
    check(sr.FMT_JSON, labeled_json(obj, style, ensure_ascii))


@SETTINGS
@given(st.lists(st.dictionaries(keys, values, max_size=6) | st.lists(values, max_size=4),
                min_size=1, max_size=6), st.booleans(), st.booleans())
def test_ndjson_labels_agree_with_json_module(docs, ensure_ascii, trailing_newline):
    out = Labeled()
    for n, doc in enumerate(docs):
        one = labeled_json(doc, dict(indent=None, separators=(",", ":")), ensure_ascii)
        for row in one.rows:
            if row.get("depth") == 0:
                row["index"] = n                         # a top-level value's index: its line
        out.data += one.data
        out.rows += one.rows
        if n < len(docs) - 1 or trailing_newline:
            out.put(b"\n", cls=sr.C_WS, depth=0, path=sr.ROOT)
    lines = [ln for ln in bytes(out.data).split(b"\n") if ln]
    assert [json.loads(line) for line in lines] == docs
    check(sr.FMT_NDJSON, out)
    if len(docs) >= 2 and len(lines[0]) + len(lines[1]) + 2 <= sr.DETECT_BYTES:
        assert sr.detect(bytes(out.data)) == sr.FMT_NDJSON    # two whole lines seen
    t = sr.Tokenizer(sr.FMT_NDJSON)
    starts = 0
    for b in out.data:
        t.step(b)
        starts += t.rec_start
    assert starts == len(docs) == t.nrec


@SETTINGS
@given(containers, styles)
def test_detect_json(obj, style):
    text = json.dumps(obj, **style).encode("utf-8")
    got = sr.detect(text)
    assert got in (sr.FMT_JSON, sr.FMT_NDJSON)
    if style["indent"] is None:
        assert got == sr.FMT_JSON                        # one line


def test_json_examples():
    data = b'{"a": [1, "x\\"y", true], "b": {"c": null}}'
    r = sr.run(data)
    assert [sr.CLASS_NAMES[c] for c in r["cls"][:9]] == [
        "struct", "key", "key", "key", "struct", "ws", "struct", "num", "struct"]
    assert {sr.CLASS_NAMES[r["cls"][i]] for i in range(10, 16)} == {"str"}      # "x\"y"
    assert r["vtype"][data.index(b"true")] == sr.T_TRUE
    assert sr.detect(data) == sr.FMT_JSON
    # the two 'a' values and the 'c' value are told apart by path, the array elements share one
    pa = sr.combine(sr.ROOT, sr.key_hash(b"a"))
    elem = sr.combine(pa, sr.ARR)
    assert r["path"][data.index(b"1")] == elem == r["path"][data.index(b"true")]
    assert r["index"][data.index(b"true")] == 2
    assert r["depth"][data.index(b"null")] == 2
    assert r["path"][data.index(b"null")] == sr.combine(sr.combine(sr.ROOT, sr.key_hash(b"b")), sr.key_hash(b"c"))


def test_ndjson_records_share_paths():
    data = b'{"ts":1,"msg":"a"}\n{"ts":2,"msg":"bb"}\n'
    r = sr.run(data, sr.FMT_NDJSON)
    first, second = data.index(b"1"), data.index(b"2")
    assert r["path"][first] == r["path"][second]
    assert r["index"][first] == r["index"][second] == 0
    assert [i for i, s in enumerate(r["rec_start"]) if s] == [0, data.index(b"\n") + 1]
    assert r["index"][data.rindex(b"}")] == 1             # the second line's top-level number


# --------------------------------------------------------------------------
# CSV and TSV

fields = st.text(st.sampled_from(list("ab ,\t\"\r\nxé名0.9-")), max_size=6)


def csv_field(text: str, delim: str, eol: str, quote_all: bool) -> tuple[str, bool]:
    """QUOTE_MINIMAL quotes a field holding the delimiter, a quote or a line terminator character."""
    needs = quote_all or any(c in text for c in (delim, '"', *eol))
    return ('"' + text.replace('"', '""') + '"', True) if needs else (text, False)


def labeled_csv(rows: list[list[str]], delim: str, eol: str, quote_all: bool) -> Labeled | None:
    """None where the csv module itself does not read back what it wrote
    (a '\r' in an unquoted field when the line terminator is '\n')."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delim, lineterminator=eol,
                   quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    w.writerows(rows)
    text = buf.getvalue()
    if list(csv.reader(io.StringIO(text, newline=""), delimiter=delim)) != rows:
        return None
    out = Labeled()
    for row in rows:
        start = len(out.rows)
        for col, field in enumerate(row):
            if col:
                out.put(delim.encode(), cls=sr.C_SEP, index=col, quote=0,
                        path=sr.combine(sr.CSV_ROOT, col))
            body, quoted = csv_field(field, delim, eol, quote_all or len(row) == 1 and field == "")
            h = sr.FNV_BASIS
            raw = body.encode("utf-8")
            states = []
            if quoted:                                   # quote state after each byte
                states.append(1)                         # the opening quote
                j = 1
                while j < len(raw) - 1:
                    if raw[j] == 0x22:                   # "" : first half pending, second inside
                        states += [2, 1]
                        j += 2
                    else:
                        states.append(1)
                        j += 1
                states.append(2)                         # the closing quote
            else:
                states = [0] * len(raw)
            for b, q in zip(raw, states):
                h = sr.fnv(h, b)
                out.put(bytes([b]), cls=sr.C_FIELD, index=col, quote=q, vhash=h,
                        path=sr.combine(sr.CSV_ROOT, col))
        for ch in eol:
            out.put(ch.encode(), cls=sr.C_EOL, index=0, quote=0)
        out.rows[start]["rec_start"] = 1
    assert bytes(out.data) == text.encode("utf-8")
    return out


@SETTINGS
@given(st.lists(st.lists(fields, min_size=1, max_size=6), min_size=1, max_size=8),
       st.sampled_from([",", "\t"]), st.sampled_from(["\r\n", "\n"]), st.booleans())
def test_csv_labels_agree_with_csv_module(rows, delim, eol, quote_all):
    lab = labeled_csv(rows, delim, eol, quote_all)
    assume(lab is not None)
    check(sr.FMT_CSV if delim == "," else sr.FMT_TSV, lab)


@SETTINGS
@given(st.lists(st.lists(st.text(st.sampled_from(list("abc xyz019.-")), min_size=1, max_size=8),
                         min_size=3, max_size=3), min_size=3, max_size=10),
       st.sampled_from([",", "\t"]))
def test_detect_csv_tsv(rows, delim):
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delim, lineterminator="\n").writerows(rows)
    assert sr.detect(buf.getvalue().encode()) == (sr.FMT_CSV if delim == "," else sr.FMT_TSV)


def test_detect_none():
    assert sr.detect(b"") == sr.FMT_NONE
    assert sr.detect(b"Hello world.\nPlain text, with one comma.\nAnd none here.\n") == sr.FMT_NONE
    assert sr.detect(bytes(range(256)) * 4) == sr.FMT_NONE
    assert sr.detect(b"\xef\xbb\xbf[1, 2]") == sr.FMT_JSON


def test_none_format_does_nothing():
    t = sr.Tokenizer(sr.FMT_NONE)
    before = dict(vars(t))
    for b in b'{"a": 1}\n,,\t"x"\n':
        t.step(b)
    assert vars(t) == before


# --------------------------------------------------------------------------
# malformed input: never an exception, every field in range

def assert_bounded(t: sr.Tokenizer) -> None:
    assert 0 <= t.cls < len(sr.CLASS_NAMES)
    assert 0 <= t.depth <= sr.DEPTH_CAP
    assert 0 <= t.path <= sr.M32 and 0 <= t.vhash <= sr.M32 and 0 <= t.khash <= sr.M32
    assert 0 <= t.index <= sr.COL_CAP
    assert 0 <= t.vtype <= sr.T_KEY
    assert t.rec_start in (0, 1) and t.quote in (0, 1, 2) and 0 <= t.mode <= sr.M_LIT
    assert 0 <= t.nrec <= sr.M32
    for arr in (t.ctype, t.idx, t.phash, t.keyh):
        assert len(arr) == sr.MAXDEPTH + 1
    assert all(k in (sr.K_ROOT, sr.K_OBJ, sr.K_ARR) for k in t.ctype)
    assert all(0 <= x <= sr.COL_CAP for x in t.idx)
    assert all(0 <= x <= sr.M32 for x in t.phash + t.keyh)


def run_bounded(data: bytes) -> None:
    for fmt in range(len(sr.FORMAT_NAMES)):
        t = sr.Tokenizer(fmt)
        for b in data:
            t.step(b)
            assert_bounded(t)


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_bounded(data):
    run_bounded(data)
    sr.detect(data)


@SETTINGS
@given(values, styles, st.data())
def test_truncated_and_mutated_json_bounded(obj, style, draw):
    text = json.dumps(obj, **style).encode("utf-8")
    cut = draw.draw(st.integers(0, len(text)))
    run_bounded(text[:cut])
    if text:
        pos = draw.draw(st.integers(0, len(text) - 1))
        byte = draw.draw(st.sampled_from(list(b'{}[]",:\\\n x0')) | st.integers(0, 255))
        run_bounded(text[:pos] + bytes([byte]) + text[pos + 1:])
        run_bounded(text[:pos] + text[pos + 1:])


def test_deep_nesting_saturates_and_recovers():
    deep = b"[" * 1000 + b"]" * 1000
    run_bounded(deep)
    t = sr.Tokenizer(sr.FMT_JSON)
    for b in b"[" * 1000:
        t.step(b)
    assert t.depth == sr.DEPTH_CAP
    # 40 levels, 8 of them untracked: below MAXDEPTH every value is labelled exactly
    obj: object = {"k": 1}
    for _ in range(40):
        obj = [obj, {"x": "y"}]
    lab = labeled_json(obj, dict(indent=None, separators=(",", ":")), True)
    t = sr.Tokenizer(sr.FMT_JSON)
    for b, want in zip(lab.data, lab.rows):
        t.step(b)
        assert_bounded(t)
        if want["depth"] < sr.MAXDEPTH:
            if want["cls"] in (sr.C_STR, sr.C_NUM, sr.C_LIT):
                assert (t.cls, t.depth, t.path, t.index) == (want["cls"], want["depth"],
                                                           want["path"], want["index"])


@SETTINGS
@given(st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
       st.dictionaries(keys, values, max_size=5))
def test_ndjson_resynchronises_after_a_broken_line(garbage, doc):
    """Whatever a broken line did, the next line is tokenized as if alone."""
    line = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    alone = sr.run(line, sr.FMT_NDJSON)
    after = sr.run(garbage + b"\n" + line, sr.FMT_NDJSON)
    off = len(garbage) + 1
    for k in ("cls", "depth", "path", "vtype", "vhash", "mode"):
        assert after[k][off:] == alone[k], k
    assert after["rec_start"][off] == 1


@SETTINGS
@given(st.binary(max_size=300))
def test_csv_columns_never_exceed_delimiters(data):
    """Outside quotes the column is the delimiter count since the record began."""
    t = sr.Tokenizer(sr.FMT_CSV)
    for b in data:
        t.step(b)
        assert_bounded(t)
        assert t.index <= data.count(b",")
