#!/usr/bin/env python3
"""Which structure contexts carry information that order-N contexts lack?

    python scripts/structured_entropy.py                 # the structured corpus, 1 MB per file
    python scripts/structured_entropy.py --max-bytes 0 FILE...   # whole files

A quick estimate for issue 19, made without touching the kernels.  For every
byte, each context model below predicts it from the bytes before it (an
adaptive count estimate, so a model is charged for learning, as a compressor
is); the tokenizer state comes from mixzip.structured_ref, exactly as the
future kernel will see it (the state after the previous byte).

Context models (count tables keyed by the context; p(x) = (n(x) + a*q(x)) /
(n + a) with a = 0.4 and q an adaptive order-0 estimate):

    o1 o2 o3 o4 o6   the previous 1, 2, 3, 4, 6 bytes           (the baseline set)
    match            the byte that followed the last occurrence of the previous 6
                     bytes, and the match length so far (capped at 31)  (baseline)
    path             key path hash (JSON) / column (CSV) + token class
    path_v           key path + the bytes of the current value so far
    path_o2          key path + the previous 2 bytes
    prev             column model: key path + the byte at the same offset of
                     the previous value at this path (or "past its end") +
                     whether the value so far equals that one's prefix
    delta            numbers: key path + the byte at the same offset of the
                     linear extrapolation prev + (prev - prev2) of the last two
                     numbers at this path (same decimals) + matched-so-far
    vtype            token class + value type + the previous byte
    tail_o2          the last two keys of the path only (a "tail path": objects used
                     as maps - keyed by emoji, region, id - give every entry its own
                     full path, but share the tail) + token class + previous 2 bytes
    tail_prev        the column model (prev) keyed by the tail path

Reported per file, in bits per byte:
    alone            each model on its own (an adaptive conditional entropy)
    mix              a Bayesian mixture (weights per token class, fixed share
                     1/1024) of the baseline set, then of the baseline set plus
                     each structure model, then plus all of them; the gain is
                     the saving against the baseline mixture.  A mixture of
                     byte-level count models is much weaker than mixzip's
                     bitwise mixing, so the absolute numbers are far above
                     mixzip's; the *relative* gains tell which contexts add
                     information order-N contexts lack.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mixzip import corpus  # noqa: E402
from mixzip.jit import kernel  # noqa: E402  (an analysis kernel, not on the coding path)
from mixzip import structured_ref as sr  # noqa: E402

BASE = ("o1", "o2", "o3", "o4", "o6", "match")
STRUCT = ("path", "path_v", "path_o2", "prev", "delta", "vtype", "tail_o2", "tail_prev")
ALPHA = 0.4
SHARE = 1 / 1024
TOKEN_CLASSES = (sr.C_KEY, sr.C_STR, sr.C_NUM, sr.C_LIT, sr.C_FIELD)
NUMBER = re.compile(rb"-?[0-9]+(\.[0-9]+)?")
END = 256                                    # "past the end of the predicted value"


def contexts(data: bytes, fmt: int):
    """Per byte i, a dict name -> hashable context, from bytes < i and the
    tokenizer state after byte i-1 (what a kernel has when it predicts byte i)."""
    t = sr.Tokenizer(fmt)
    is_csv = fmt in (sr.FMT_CSV, sr.FMT_TSV)
    last_value: dict[int, tuple[int, int]] = {}      # path -> (start, length) of its previous value
    last_tail: dict[int, tuple[int, int]] = {}       # tail path -> the same
    nums: dict[int, list[bytes]] = {}                # path -> its last two numeric values
    in_token, cur_start, cur_path, cur_tail = False, 0, 0, 0
    tmatched = True
    matched = dmatched = True
    pred: bytes | None = None
    seen6: dict[bytes, int] = {}                     # last 6 bytes -> position after them
    mptr = mlen = 0
    for i in range(len(data)):
        c1 = data[i - 1] if i >= 1 else 0
        c2 = data[i - 2:i] if i >= 2 else b""
        cls, path = t.cls, t.path
        tail = _tail(t, is_csv)
        # where would byte i sit in a value?  inside one, or at the start of one that is due
        if in_token:
            off, vpath, vtail, vpred = i - cur_start, cur_path, cur_tail, pred
        elif (is_csv and t.field_start and not t.quote) or (not is_csv and t.mode == sr.M_VALUE):
            off, vpath, vtail = 0, path, tail
            vpred = _extrapolate(nums.get(vpath))
            matched = dmatched = tmatched = True
        else:
            off, vpath, vtail, vpred = -1, 0, 0, None
        if off >= 0:
            pv = last_value.get(vpath)
            pb = data[pv[0] + off] if pv is not None and off < pv[1] else END
            dp = vpred[off] if vpred is not None and off < len(vpred) else END
            pv = last_tail.get(vtail)
            tb = data[pv[0] + off] if pv is not None and off < pv[1] else END
        else:
            pb = dp = tb = -1
        yield {
            "o1": c1,
            "o2": c2,
            "o3": data[i - 3:i] if i >= 3 else b"",
            "o4": data[i - 4:i] if i >= 4 else b"",
            "o6": data[i - 6:i] if i >= 6 else b"",
            "path": (path, cls),
            "path_v": (path, cls, t.vhash),
            "path_o2": (path, cls, c2),
            "prev": (vpath, pb, matched) if off >= 0 else (cls, c1),
            "delta": (vpath, dp, dmatched) if off >= 0 and vpred is not None else (cls, c1),
            "vtype": (cls, t.vtype, c1),
            "tail_o2": (tail, cls, c2),
            "tail_prev": (vtail, tb, tmatched) if off >= 0 else (cls, c1),
            "match": (data[mptr], min(mlen, 31)) if mlen else -1,
        }
        b = data[i]
        if mlen and data[mptr] == b:
            mlen, mptr = mlen + 1, mptr + 1
        else:
            mlen = 0
        if i >= 5:
            key = data[i - 5:i + 1]
            if not mlen and key in seen6:
                mptr, mlen = seen6[key], 1
            seen6[key] = i + 1
        t.step(b)
        token_now = t.cls in TOKEN_CLASSES
        starts = token_now and t.vhash == sr.fnv(sr.FNV_BASIS, b)     # the token's hash was reset
        if in_token and (not token_now or starts):
            _finish(data, cur_start, i, cur_path, last_value, nums)
            last_tail[cur_tail] = (cur_start, i - cur_start)
            in_token = False
        if starts:
            in_token, cur_start, cur_path, cur_tail = True, i, t.path, _tail(t, is_csv)
            if off == 0:                             # its first byte was predicted
                matched, dmatched, tmatched = pb == b, dp == b, tb == b
            else:
                matched = dmatched = tmatched = True
            pred = _extrapolate(nums.get(cur_path))
        elif in_token:
            matched = matched and pb == b
            dmatched = dmatched and dp == b
            tmatched = tmatched and tb == b


def _tail(t: sr.Tokenizer, is_csv: bool) -> int:
    """The last two components of the key path (keys, or [] for array levels)."""
    if is_csv:
        return t.path
    d = min(t.depth, sr.MAXDEPTH)

    def comp(level: int) -> int:
        k = t.ctype[level]
        return t.keyh[level] if k == sr.K_OBJ else sr.ARR if k == sr.K_ARR else sr.ROOT

    if t.mode in (sr.M_KEY, sr.M_KSTR, sr.M_KSTR_ESC):       # in a key: the object's own tail
        return sr.combine(comp(d - 1) if d >= 2 else sr.ROOT, d)
    return sr.combine(sr.combine(comp(d - 1) if d >= 1 else sr.ROOT, comp(d)), 0x7A11)


def _finish(data, start, end, path, last_start, nums) -> None:
    last_start[path] = (start, end - start)
    tok = data[start:end]
    if NUMBER.fullmatch(tok):
        h = nums.setdefault(path, [])
        h.append(tok)
        del h[:-2]


def _extrapolate(hist) -> bytes | None:
    if not hist or len(hist) < 2:
        return None
    a, b = hist
    try:
        da, db = Decimal(a.decode()), Decimal(b.decode())
    except (InvalidOperation, UnicodeDecodeError):
        return None
    q = db.as_tuple().exponent
    v = (db + (db - da)).quantize(Decimal(1).scaleb(q)) if q < 0 else db + (db - da)
    return str(v).encode()


class CountModel:
    def __init__(self):
        self.t: dict = {}

    def p(self, ctx, x: int, q: float) -> float:
        row = self.t.get(ctx)
        if row is None:
            self.t[ctx] = row = [0, {}]
        n, counts = row
        px = (counts.get(x, 0) + ALPHA * q) / (n + ALPHA)
        row[0] = n + 1
        counts[x] = counts.get(x, 0) + 1
        return px


def measure(data: bytes, fmt: int) -> dict:
    names = BASE + STRUCT
    models = {n: CountModel() for n in names}
    order0 = np.ones(256)
    probs = np.zeros((len(data), len(names)))
    t_cls = np.zeros(len(data), dtype=np.int64)
    tok = sr.Tokenizer(fmt)
    for i, ctx in enumerate(contexts(data, fmt)):
        x = data[i]
        q = order0[x] / (i + 256)
        for j, n in enumerate(names):
            probs[i, j] = models[n].p(ctx[n], x, q)
        order0[x] += 1
        t_cls[i] = tok.cls                               # the class of byte i-1
        tok.step(x)
    alone = {n: float(-np.log2(probs[:, j]).mean()) for j, n in enumerate(names)}
    sets = {"base": BASE}
    for s in STRUCT:
        sets["base+" + s] = BASE + (s,)
    sets["base+all"] = names
    mixed = {}
    for label, members in sets.items():
        cols = [names.index(m) for m in members]
        mixed[label] = mixture(probs[:, cols], t_cls)
    return {"alone": alone, "mix": mixed}


@kernel
def _mixture(p, sel, w, share):
    n, m = p.shape
    bits = 0.0
    for i in range(n):
        s = sel[i]
        mix = 0.0
        for j in range(m):
            mix += w[s, j] * p[i, j]
        bits -= np.log2(mix)
        for j in range(m):
            w[s, j] = (w[s, j] * p[i, j] / mix) * (1.0 - share) + share / m
    return bits / n


def mixture(p: np.ndarray, sel: np.ndarray) -> float:
    """bits/byte of a Bayesian mixture with fixed share; one weight vector per selector value."""
    w = np.full((int(sel.max()) + 1, p.shape[1]), 1.0 / p.shape[1])      # kernels never allocate
    return float(_mixture(np.ascontiguousarray(p), sel, w, SHARE))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="files (default: the structured corpus)")
    ap.add_argument("--max-bytes", type=int, default=1_000_000, help="first N bytes of each file (0: all)")
    args = ap.parse_args(argv)
    inputs = [(f, Path(f).read_bytes()) for f in args.files] or corpus.load("structured")
    rows = []
    for name, data in inputs:
        if args.max_bytes:
            data = data[:args.max_bytes]
        fmt = sr.detect(data[:sr.DETECT_BYTES])
        t0 = time.perf_counter()
        r = measure(data, fmt)
        rows.append((name, len(data), fmt, r))
        base = r["mix"]["base"]
        print(f"{name}  {len(data)} bytes  format {sr.FORMAT_NAMES[fmt]}  ({time.perf_counter() - t0:.0f} s)")
        print("  alone: " + "  ".join(f"{k} {v:.3f}" for k, v in r["alone"].items()))
        print("  mix:   " + "  ".join(f"{k} {v:.4f} ({100 * (v - base) / base:+.1f}%)"
                                     for k, v in r["mix"].items()), flush=True)
    tot = sum(n for _, n, _, _ in rows)
    print(f"\nTOTAL {tot} bytes, mixtures (bits/byte, change against base):")
    base = sum(r["mix"]["base"] * n for _, n, _, r in rows) / tot
    for k in rows[0][3]["mix"]:
        v = sum(r["mix"][k] * n for _, n, _, r in rows) / tot
        print(f"  {k:14s} {v:.4f}  {100 * (v - base) / base:+.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
