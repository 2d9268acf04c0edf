"""Column: what followed this key path (or CSV column) last time - a match model keyed by structure.

What it predicts: the next byte as the byte that followed the same place of
the structure last time, bit by bit: after a structural byte (``{ } [ ] ,
:`` in JSON, the delimiter or end of line in CSV/TSV), the bytes that
followed the previous structural byte with the same key path (hashed with
the byte itself: after ``"price":`` the previous price, after the ``,``
that ends a field the next key, after ``\\t`` in column 3 the previous
record's column 4).  Where the full path has no history (objects used as
maps: every member has a path of its own) the tail path (the last two
keys, structure.tail_path) stands in.  The pointer then advances one byte
per byte whether the bytes agree or not, so a field that differs in one
digit stays aligned, until the next structural byte re-anchors it.

Two mixer inputs while the expected byte still agrees with the bits of this
byte coded so far (else 0): stretch(StateMap[class of the last byte, run
of agreeing bytes (0..15), misses since the anchor (0..3), full or tail
path, expected bit]) and a vote of +-32 per agreeing byte (up to 16) for the
expected bit.  The expected byte (EXP) and its run / misses are read by
fields.py's column context.  Signal: without a neural model in the
recipe that owns h[CONF] for the whole stream (a GRU with a warm-start
budget overwrites it, later in the byte, until the budget ends), h[CONF] :=
the token group of the
last byte (white space or structure, key, string or field, number or
literal) x 2 + (an expected byte after >= 2 agreeing ones), 0..7, so the
mixer whose weight set is chosen by (CONF, c0) and the router's
(SEEN, CONF) feature see the structure.

State: ``cs`` int64 scalars (XO, PTR: absolute position of the expected
byte or -1, RUN, MISS, KIND: 1 full path, 2 tail path, EXP: expected byte |
256 or 0, CUR: still agreeing in this byte, SMI, EB); ``ct``: 2^CT_BITS
int64 anchors, (16-bit check << 40) | position of the anchoring byte;
``sm``: the StateMap (2 x 10 x 16 x 4 x 2 entries).
Memory: 8 x 2^CT_BITS (2 MiB) + 4 x 2560 + 8 x 9 bytes.

Update: StateMap rate 1/(n + 1.5) up to h[LIMIT] (statemap.py).  Per byte
(``step``, after structure.py's step, byte c at position h[POS] already in
the ring): advance the pointer (RUN + 1 if the expected byte was c, else
RUN = 0 and MISS + 1); at a structural byte, re-anchor (full path first,
then the tail path; no history: no prediction) and store this position
under both hashes; EXP := ring[PTR].  Call order per bit: ``predict``,
then ``update`` with the coded bit (a wrong bit ends the prediction for
the rest of the byte).  With format 0 (structure.py), every phase returns
at its first branch and the inputs stay 0.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, phase
from mixzip.predictors.component import MIX_INIT, Component
from mixzip.predictors.contexts import hash2
from mixzip.predictors.history import CONF, LIMIT, POS
from mixzip.predictors.logistic import STRETCH
from mixzip.predictors.statemap import DT, new_statemap, sm_p, sm_update
from mixzip.predictors.structure import C_EOL, C_SEP, C_STRUCT, CLS, FMT, FMT_NONE, PATH, tail_path

CT_BITS = 18
NSM = 2 * 10 * 16 * 4 * 2
XO, PTR, RUN, MISS, KIND, EXP, CUR, SMI, EB = range(9)
TAG = 40
# token group of a byte class (structure.C_*): 0 white space / structural / none, 1 key, 2 string or CSV field,
# 3 number or literal
GROUP = np.array([0, 0, 0, 1, 2, 3, 3, 2, 0, 0], dtype=np.int64)
OFF_COLUMN = 8          # the recipe's ``off`` bit that silences the inputs (ablation)
POSMASK = (1 << TAG) - 1


@phase
def column_begin(s, h, on, sig):
    """The mixers' signal (without a neural model, ``sig``): h[CONF] := the
    token group of the last byte x 2 + (the column model expects a byte after
    a run of >= 2 agreeing ones)."""
    tk, cs, ct, sm, ring = s
    if sig and tk[FMT] != FMT_NONE:
        h[CONF] = GROUP[U(tk[CLS])] * 2 + (1 if cs[CUR] != 0 and cs[RUN] >= 2 else 0)


@phase
def column_predict(s, h, x, c0, j, on, sig):
    tk, cs, ct, sm, ring = s
    if tk[FMT] == FMT_NONE or not on:          # never written: the inputs stay 0
        return
    xo = cs[XO]
    if cs[CUR] == 0:                 # no expected byte, or a wrong bit earlier in this byte
        x[U(xo)] = 0
        x[U(xo + 1)] = 0
        return
    eb = (cs[EXP] >> (7 - j)) & 1
    run = cs[RUN]
    rb = run if run < 15 else 15
    smi = ((((cs[KIND] - 1) * 10 + tk[CLS]) * 16 + rb) * 4 + cs[MISS]) * 2 + eb
    cs[SMI] = smi
    cs[EB] = eb
    x[U(xo)] = STRETCH[U(sm_p(sm, smi))]
    v = (run + 1 if run < 16 else 16) * 32
    x[U(xo + 1)] = v if eb else -v


@phase
def column_update(s, h, y, c0, j, on, sig):
    tk, cs, ct, sm, ring = s
    if cs[CUR] == 0 or not on:
        return
    sm_update(sm, cs[SMI], y, h[LIMIT], DT)
    if cs[EB] != y:
        cs[CUR] = 0


@phase
def column_step(s, h, c, on, sig):
    tk, cs, ct, sm, ring = s
    if tk[FMT] == FMT_NONE:
        return
    mask = ring.shape[0] - 1
    pos = h[POS]
    ptr = cs[PTR]
    if ptr >= 0:
        if np.int64(ring[U(ptr & mask)]) == c:
            if cs[RUN] < 63:
                cs[RUN] += 1
        else:
            cs[RUN] = 0
            if cs[MISS] < 3:
                cs[MISS] += 1
        ptr += 1
    cls = tk[CLS]
    if cls == C_STRUCT or cls == C_SEP or cls == C_EOL:
        cmask = ct.shape[0] - 1
        a1 = hash2(tk[PATH], c)
        a2 = hash2(tail_path(tk), c | 0x100)
        i1 = U(a1 & cmask)
        i2 = U(a2 & cmask)
        t1 = (a1 >> 16) & 0xFFFF
        t2 = (a2 >> 16) & 0xFFFF
        e1 = ct[i1]
        e2 = ct[i2]
        ptr = -1
        cs[KIND] = 0
        if (e1 >> TAG) == t1:
            ptr = (e1 & POSMASK) + 1
            cs[KIND] = 1
        elif (e2 >> TAG) == t2:
            ptr = (e2 & POSMASK) + 1
            cs[KIND] = 2
        cs[RUN] = 0
        cs[MISS] = 0
        ct[i1] = (t1 << TAG) | pos
        ct[i2] = (t2 << TAG) | pos
    if ptr >= 0 and pos + 1 - ptr >= mask - 8:
        ptr = -1
    cs[PTR] = ptr
    if ptr >= 0:
        cs[EXP] = np.int64(ring[U(ptr & mask)]) | 256
        cs[CUR] = 1
    else:
        cs[EXP] = 0
        cs[CUR] = 0


class Column(Component):
    name = "column"
    late = True              # inputs 0 until structure.py detects a format (then it wakes us)
    begin = column_begin
    predict = column_predict
    update = column_update
    step = column_step

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        self.tk = shared.models["structure"].tk
        self.cs = np.zeros(9, dtype=np.int64)
        self.cs[PTR] = -1
        self.ct = np.zeros(1 << CT_BITS, dtype=np.int64)
        self.sm = new_statemap(NSM)

    def static(self) -> tuple[int, ...]:
        p = self.p
        # the signal is written unless a neural model owns h[CONF] for the whole
        # stream (a GRU with a warm-start budget overwrites it until its budget ends)
        neural = (p["gru_hidden"] and not p["gru_budget"]) or p["attn_dim"]
        return (0 if p["off"] & OFF_COLUMN else 1, 0 if neural else 1)

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        return np.full(2, MIX_INIT, dtype=np.int32)

    def place(self, xo: int) -> None:
        super().place(xo)
        self.cs[XO] = xo

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 8 * 9 + 8 * (1 << CT_BITS) + 4 * NSM

    def state(self) -> tuple:
        return (self.tk, self.cs, self.ct, self.sm, self.shared.ring)

    def own_arrays(self) -> tuple:
        return (self.cs, self.ct, self.sm)
