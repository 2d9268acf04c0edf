"""NumDelta: the next number at a key path (or CSV column) as the last one plus the last step.

What it predicts: where a value is due (after a structural byte, keyed as
column.py keys it: the key path hashed with that byte), the decimal text of
``prev + step``, bit by bit while the coded bits agree, where prev is the
number that last followed the same place and step is the last step
(``prev - prev2``; with ``numdelta=2`` the step before, ``prev2 - prev3``,
once that one has twice in a row been the step that gave the value while
the last step did not: alternating steps, as in time-zone transitions or
bursts of equal timestamps).  Counters, timestamps, ids and regularly
spaced readings come out exactly, where the column model (column.py)
expects the previous value and loses the changed digits.

Numbers: a value is a plain decimal, ``-?digits(.digits)?`` with at most
MAXDIG digits, after at most one blank; anything else (exponents, quotes,
text) is not stored and ends a prediction.  Values are int64 mantissas with
their decimal count; the step is only taken between two values with the
same decimal count (else the last value is kept alone and nothing is
predicted until a second one with its decimals follows).  The predicted
text keeps the last value's decimals and its blank.

Two mixer inputs while the predicted text still agrees with the bits coded
so far (else 0): stretch(StateMap[hits of this slot (0..3), byte offset in
the value (0..15), expected bit]) and a vote of +-(hits + 1) x 48 for the
expected bit.  ``hits`` counts, per slot, how often the whole value came
out as predicted (up by one when it did, down by one when it did not).

State: ``nd`` int64 scalars (below); ``buf``: the predicted text (NBUF
bytes); ``nt``: 2^NT_BITS slots of NSLOT int64 (check, prev, prev2,
decimals, count 0..3, blank, hits, prev3, rule 0..3: how many times in a
row the step before was right and the last one wrong); ``sm``: the
StateMap (4 x 16 x 2).
Memory: 8 x NSLOT x 2^NT_BITS (288 KiB) + NBUF + 4 x 128 + 8 x NND.

Per byte (``step``, after structure.py's and column.py's steps, byte c):
the parser takes c; the offset moves on; at a structural byte the value
that ended is stored in its slot (and its slot's hits updated), then the
slot of the value now due is found and, with two values there, its text is
written to ``buf``.  Per bit: ``predict`` then ``update`` (a wrong bit ends
the prediction for the rest of the value).  With format 0 (structure.py)
every phase returns at its first branch and the inputs stay 0.

Parameter: ``numdelta`` (header key ``nd``, recipe version 3; 0 off, the
default: archives written before it decode unchanged; 1 the last step; 2
the last step or the step before, levels 8-10).  It is one of
the structure components: with ``structure=0`` it is left out whatever
``nd`` says (so an ablation that turns the structure off needs no second
change).
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline, phase
from mixzip.predictors.component import MIX_INIT, Component, Param
from mixzip.predictors.contexts import hash2
from mixzip.predictors.history import LIMIT
from mixzip.predictors.logistic import STRETCH
from mixzip.predictors.statemap import DT, new_statemap, sm_p, sm_update
from mixzip.predictors.structure import C_EOL, C_SEP, C_STRUCT, CLS, FMT, FMT_NONE, PATH

NT_BITS = 12
MAXDIG = 17                # |value| < 10^17: 2 prev - prev2 stays far inside int64
NBUF = 24
NSM = 4 * 16 * 2
VOTE = 48
# nd: int64 state
(XO, SLOT, K, CUR, LEN, SMI, EB, NEG, MANT, DEC, NDIG, OK, BLANK, STARTED) = range(14)
NND = 14
# nt: a slot's fields
T_CHECK, T_PREV, T_PREV2, T_DEC, T_COUNT, T_BLANK, T_HITS, T_PREV3, T_RULE = range(9)
NSLOT = 9


@inline
def render(buf, v, dec, blank):
    """The decimal text of mantissa v with dec decimals (a leading blank if
    ``blank``) into buf; returns its length (0 if it does not fit)."""
    n = 0
    if blank:
        buf[0] = 32
        n = 1
    if v < 0:
        buf[n] = 45
        n += 1
        v = -v
    # count the digits, then write them in place from the last one back
    nd = 0
    t = v
    while True:
        nd += 1
        t //= 10
        if t == 0:
            break
    if nd < dec + 1:
        nd = dec + 1                   # 0.05: at least one digit before the point
    total = n + nd + (1 if dec > 0 else 0)
    if total > NBUF:
        return 0
    p = total - 1
    k = 0
    while k < nd:
        if dec > 0 and k == dec:
            buf[p] = 46
            p -= 1
        buf[p] = 48 + v % 10
        v //= 10
        p -= 1
        k += 1
    return total


@inline
def nd_parse(nd, c):
    """The value being coded takes byte c: nd[OK] := 0 once it is no plain decimal."""
    if nd[OK] == 0:
        return
    if 48 <= c <= 57:
        if nd[NDIG] >= MAXDIG:
            nd[OK] = 0
            return
        nd[MANT] = nd[MANT] * 10 + (c - 48)
        nd[NDIG] += 1
        if nd[DEC] >= 0:
            nd[DEC] += 1
        nd[STARTED] = 1
    elif c == 45 and nd[STARTED] == 0 and nd[NEG] == 0:
        nd[NEG] = 1
        nd[STARTED] = 1
    elif c == 46 and nd[DEC] < 0 and nd[NDIG] > 0:
        nd[DEC] = 0
    elif c == 32 and nd[STARTED] == 0 and nd[BLANK] == 0:
        nd[BLANK] = 1
    else:
        nd[OK] = 0


@inline
def nd_store(nd, nt):
    """The value that just ended goes into its slot (if it was a number)."""
    s = nd[SLOT]
    if s < 0:
        return
    b = s * NSLOT
    if nd[OK] != 0 and nd[NDIG] > 0 and (nd[DEC] != 0):
        if nd[LEN] > 0:                                    # a prediction was made: was it all right?
            hits = nt[U(b + T_HITS)]
            if nd[CUR] != 0 and nd[K] == nd[LEN]:
                nt[U(b + T_HITS)] = hits + 1 if hits < 3 else 3
            else:
                nt[U(b + T_HITS)] = hits - 1 if hits > 0 else 0
        v = -nd[MANT] if nd[NEG] else nd[MANT]
        dec = nd[DEC] if nd[DEC] > 0 else 0
        cnt = nt[U(b + T_COUNT)]
        if cnt > 0 and nt[U(b + T_DEC)] == dec:
            p1 = nt[U(b + T_PREV)]
            p2 = nt[U(b + T_PREV2)]
            if cnt >= 3:                     # which step would have given v: the last, or the one before?
                if v == p1 + (p1 - p2):
                    nt[U(b + T_RULE)] = 0
                elif v == p1 + (p2 - nt[U(b + T_PREV3)]):
                    r = nt[U(b + T_RULE)]
                    nt[U(b + T_RULE)] = r + 1 if r < 3 else 3
            nt[U(b + T_PREV3)] = p2
            nt[U(b + T_PREV2)] = p1
            nt[U(b + T_COUNT)] = cnt + 1 if cnt < 3 else 3
        else:
            nt[U(b + T_COUNT)] = 1
            nt[U(b + T_RULE)] = 0
            nt[U(b + T_DEC)] = dec
        nt[U(b + T_PREV)] = v
        nt[U(b + T_BLANK)] = nd[BLANK]


@phase
def nd_predict(s, h, x, c0, j, mode):
    tk, nd, buf, nt, sm = s
    if tk[FMT] == FMT_NONE:
        return
    xo = nd[XO]
    k = nd[K]
    if nd[CUR] == 0 or k >= nd[LEN]:
        x[U(xo)] = 0
        x[U(xo + 1)] = 0
        return
    eb = (np.int64(buf[U(k)]) >> (7 - j)) & 1
    hits = nt[U(nd[SLOT] * NSLOT + T_HITS)]
    smi = ((hits * 16 + (k if k < 15 else 15)) << 1) + eb
    nd[SMI] = smi
    nd[EB] = eb
    x[U(xo)] = STRETCH[U(sm_p(sm, smi))]
    v = (hits + 1) * VOTE
    x[U(xo + 1)] = v if eb else -v


@phase
def nd_update(s, h, y, c0, j, mode):
    tk, nd, buf, nt, sm = s
    if tk[FMT] == FMT_NONE or nd[CUR] == 0 or nd[K] >= nd[LEN]:
        return
    sm_update(sm, nd[SMI], y, h[LIMIT], DT)
    if nd[EB] != y:
        nd[CUR] = 0


@phase
def nd_step(s, h, c, mode):
    tk, nd, buf, nt, sm = s
    if tk[FMT] == FMT_NONE:
        return
    cls = tk[CLS]
    if cls == C_STRUCT or cls == C_SEP or cls == C_EOL:
        nd_store(nd, nt)
        a = hash2(hash2(tk[PATH], c), 0x4E44)
        slot = a & ((1 << NT_BITS) - 1)
        check = (a >> NT_BITS) & 0xFFFFF
        b = slot * NSLOT
        if nt[U(b + T_CHECK)] != check:            # a new place (or a collision): start over
            nt[U(b + T_CHECK)] = check
            nt[U(b + T_COUNT)] = 0
            nt[U(b + T_HITS)] = 0
            nt[U(b + T_RULE)] = 0
        nd[SLOT] = slot
        nd[K] = 0
        nd[LEN] = 0
        nd[CUR] = 0
        if nt[U(b + T_COUNT)] >= 2:
            prev = nt[U(b + T_PREV)]
            step = prev - nt[U(b + T_PREV2)]
            if mode == 2 and nt[U(b + T_RULE)] >= 2:
                step = nt[U(b + T_PREV2)] - nt[U(b + T_PREV3)]
            n = render(buf, prev + step, nt[U(b + T_DEC)], nt[U(b + T_BLANK)])
            nd[LEN] = n
            nd[CUR] = 1 if n > 0 else 0
        nd[NEG] = 0
        nd[MANT] = 0
        nd[DEC] = -1
        nd[NDIG] = 0
        nd[OK] = 1
        nd[BLANK] = 0
        nd[STARTED] = 0
    else:
        nd_parse(nd, c)
        nd[K] += 1


class NumDelta(Component):
    name = "numdelta"
    PARAMS = (
        Param("numdelta", "nd", 0, 2, 0, 3, "with structure=1: the numeric step model (numdelta.py): 1 the "
              "last step, 2 the last step or the one before, whichever gave the last value"),
    )
    late = True              # inputs 0 until structure.py detects a format (then it wakes us)
    predict = nd_predict
    update = nd_update
    step = nd_step

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        self.tk = shared.models["structure"].tk
        self.nd = np.zeros(NND, dtype=np.int64)
        self.nd[SLOT] = -1
        self.buf = np.zeros(NBUF, dtype=np.uint8)
        self.nt = np.zeros(NSLOT << NT_BITS, dtype=np.int64)
        self.sm = new_statemap(NSM)

    def static(self) -> tuple[int, ...]:
        return (self.p["numdelta"],)

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        return np.full(2, MIX_INIT, dtype=np.int32)

    def place(self, xo: int) -> None:
        super().place(xo)
        self.nd[XO] = xo

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 8 * NND + NBUF + 8 * (NSLOT << NT_BITS) + 4 * NSM

    def state(self) -> tuple:
        return (self.tk, self.nd, self.buf, self.nt, self.sm)

    def own_arrays(self) -> tuple:
        return (self.nd, self.buf, self.nt, self.sm)
