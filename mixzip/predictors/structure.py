"""Structure: the JSON / NDJSON / CSV / TSV tokenizer, run byte by byte in the kernel.

What it predicts: nothing itself (no mixer inputs).  It is the state the
structure-aware components read (column.py, fields.py): for the byte just
coded, its token class, nesting depth, member / element index, key path
(hashed), value type, hash of the token so far, record start, CSV column
and quote state.  It is ``mixzip.structured_ref.Tokenizer`` ported branch
for branch (that module's docstring is the specification of every field;
tests/test_structure.py compares the two byte by byte).

Recognition, automatic and in the kernel (so the header carries no format
and the decoder needs no look-ahead): the format is 0 (none) for the first
DETECT_BYTES (4096) bytes of a stream; after byte 4095, ``detect_buf`` runs
``structured_ref.detect`` on those bytes (from the shared ring buffer), and
if they are structured the tokenizer is replayed over them, then follows
every byte.  A stream shorter than 4096 bytes, or one that is not
structured, keeps format 0, and every structure component then skips its
work with one branch per byte (per bit for the inputs: they stay 0).

State (``tk``, int64, NTK entries): the tokenizer's scalars (FMT .. NEWREC,
the field names of the reference in capitals) and four stacks of
MAXDEPTH + 1 = 33 slots: container type, member index, container path, last
key hash of each level.  Memory: 8 x (16 + 4 x 33) = 1184 bytes.

Update rule (``step``, once per byte, after the byte, before the other
structure components' steps): ``tok_step(tk, c)``.  Numbers: hashes are
32-bit (FNV-1a for bytes, murmur3's fmix32 to combine), indexes saturate
at 65535, depth at 255.

Call order: the driver calls ``structure_step`` once per byte; nothing per
bit.  ``tok_step`` and ``detect_buf`` are compiled functions the step calls
(not inlined: the tokenizer's branches inlined into the driver made its
compile several times slower, for a call per byte).  Components that read ``tk`` must come after it in the recipe.

Parameter: ``structure`` (header key ``st``, recipe version 3): 0 off (no
structure component in the recipe: archives written before it decode
unchanged), 1 on: this tokenizer, the column model and the field contexts.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline, kernel, phase
from mixzip.predictors.component import Component, Param
from mixzip.predictors.history import NACT, NALL, POS, SFMT

M32 = 0xFFFFFFFF
FMT_NONE, FMT_JSON, FMT_NDJSON, FMT_CSV, FMT_TSV = range(5)
DETECT_BYTES = 4096
C_NONE, C_WS, C_STRUCT, C_KEY, C_STR, C_NUM, C_LIT, C_FIELD, C_SEP, C_EOL = range(10)
T_NONE, T_OBJ, T_ARR, T_STR, T_NUM, T_TRUE, T_FALSE, T_NULL, T_BARE, T_KEY = range(10)
(M_VALUE, M_KEY, M_COLON, M_AFTER, M_STR, M_STR_ESC, M_KSTR, M_KSTR_ESC, M_NUM, M_LIT) = range(10)
K_ROOT, K_OBJ, K_ARR = 0, 1, 2
MAXDEPTH = 32
DEPTH_CAP = 255
COL_CAP = 0xFFFF
FNV_BASIS = 0x811C9DC5
FNV_PRIME = 0x01000193
ROOT = 0x52303054
ARR = 0x5B5D
DEEP = 0x44454550
CSV_ROOT = 0x43535630
TAIL = 0x5441494C

# tk: scalars, then the stacks
(FMT, CLS, DEPTH, PATH, INDEX, VTYPE, VHASH, RECST, NREC, QUOTE, MODE, KHASH, STARTED,
 FSTART, AFTERCR, NEWREC) = range(16)
NS = MAXDEPTH + 1
S_CTYPE, S_IDX, S_PHASH, S_KEYH = 16, 16 + NS, 16 + 2 * NS, 16 + 3 * NS
NTK = 16 + 4 * NS


def new_tokenizer(fmt: int) -> np.ndarray:
    """A tokenizer state for format ``fmt`` (structured_ref.Tokenizer.__init__)."""
    tk = np.zeros(NTK, dtype=np.int64)
    tok_reset(tk, fmt)
    return tk


@inline
def fnv(h, b):
    return ((h ^ b) * FNV_PRIME) & M32


@inline
def fmix32(x):
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & M32
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & M32
    x ^= x >> 16
    return x


@inline
def combine(p, k):
    return fmix32(((p & M32) * 0x9E3779B1 + (k & M32)) & M32)


@inline
def tok_reset(tk, fmt):
    for i in range(NTK):
        tk[i] = 0
    tk[FMT] = fmt
    tk[PATH] = combine(CSV_ROOT, 0) if fmt == FMT_CSV or fmt == FMT_TSV else ROOT
    tk[VHASH] = FNV_BASIS
    tk[KHASH] = FNV_BASIS
    for d in range(NS):
        tk[S_PHASH + d] = ROOT
        tk[S_KEYH + d] = FNV_BASIS
    tk[FSTART] = 1
    tk[NEWREC] = 1


@inline
def _lv(tk):
    d = tk[DEPTH]
    return d if d <= MAXDEPTH else MAXDEPTH


@inline
def _slot_path(tk):
    d = tk[DEPTH]
    if d > MAXDEPTH:
        return combine(tk[S_PHASH + MAXDEPTH], DEEP)
    k = tk[U(S_CTYPE + d)]
    if k == K_OBJ:
        return combine(tk[U(S_PHASH + d)], tk[U(S_KEYH + d)])
    if k == K_ARR:
        return combine(tk[U(S_PHASH + d)], ARR)
    return ROOT


@inline
def _container(tk):
    d = tk[DEPTH]
    return tk[U(S_CTYPE + d)] if d <= MAXDEPTH else K_ARR


@inline
def _push(tk, kind):
    own = _slot_path(tk)
    d0 = tk[DEPTH]
    if d0 < MAXDEPTH:
        d = d0 + 1
        tk[U(S_CTYPE + d)] = kind
        tk[U(S_IDX + d)] = 0
        tk[U(S_PHASH + d)] = own
        tk[U(S_KEYH + d)] = FNV_BASIS
    if d0 < DEPTH_CAP:
        tk[DEPTH] = d0 + 1
    tk[PATH] = own
    tk[VTYPE] = T_OBJ if kind == K_OBJ else T_ARR
    tk[MODE] = M_KEY if kind == K_OBJ else M_VALUE
    tk[CLS] = C_STRUCT


@inline
def _pop(tk):
    d = tk[DEPTH]
    if d > 0:
        tk[PATH] = tk[U(S_PHASH + d)] if d <= MAXDEPTH else combine(tk[S_PHASH + MAXDEPTH], DEEP)
        tk[VTYPE] = T_OBJ if _container(tk) == K_OBJ else T_ARR
        tk[DEPTH] = d - 1
    tk[MODE] = M_AFTER
    tk[CLS] = C_STRUCT


@inline
def _start_token(tk, b):
    if tk[DEPTH] == 0:                                 # _begin_top
        if tk[STARTED]:
            tk[S_IDX] = tk[S_IDX] + 1 if tk[S_IDX] < COL_CAP else COL_CAP
        tk[STARTED] = 1
        tk[RECST] = 1
        tk[NREC] = (tk[NREC] + 1) & M32
    if b == 0x7B:
        _push(tk, K_OBJ)
        return
    if b == 0x5B:
        _push(tk, K_ARR)
        return
    tk[PATH] = _slot_path(tk)
    tk[VHASH] = fnv(FNV_BASIS, b)
    if b == 0x22:
        tk[MODE] = M_STR
        tk[CLS] = C_STR
        tk[VTYPE] = T_STR
    elif b == 0x2D or 0x30 <= b <= 0x39:
        tk[MODE] = M_NUM
        tk[CLS] = C_NUM
        tk[VTYPE] = T_NUM
    else:
        tk[MODE] = M_LIT
        tk[CLS] = C_LIT
        tk[VTYPE] = T_TRUE if b == 0x74 else (T_FALSE if b == 0x66 else (T_NULL if b == 0x6E else T_BARE))


@inline
def _next_member(tk):
    lv = _lv(tk)
    if tk[U(S_IDX + lv)] < COL_CAP:
        tk[U(S_IDX + lv)] += 1


@inline
def _newline_record(tk):
    tk[DEPTH] = 0
    tk[MODE] = M_VALUE
    tk[CLS] = C_WS
    tk[PATH] = ROOT


@inline
def _ends_word(b):
    return (b == 32 or b == 9 or b == 13 or b == 10 or b == 0x2C or b == 0x3A or b == 0x7B
            or b == 0x7D or b == 0x5B or b == 0x5D or b == 0x22)


@inline
def _step_json(tk, b, nd):
    m = tk[MODE]
    if m == M_STR or m == M_KSTR:
        tk[VHASH] = fnv(tk[VHASH], b)
        if b == 0x22:
            if m == M_KSTR:
                tk[U(S_KEYH + _lv(tk))] = tk[KHASH]
                tk[MODE] = M_COLON
            else:
                tk[MODE] = M_AFTER
        elif b == 0x5C:
            tk[MODE] = M_STR_ESC if m == M_STR else M_KSTR_ESC
            if m == M_KSTR:
                tk[KHASH] = fnv(tk[KHASH], b)
        elif b == 0x0A:
            if nd:
                _newline_record(tk)
                return
            if m == M_KSTR:
                tk[U(S_KEYH + _lv(tk))] = tk[KHASH]
                tk[MODE] = M_COLON
            else:
                tk[MODE] = M_AFTER
            tk[CLS] = C_WS
        elif m == M_KSTR:
            tk[KHASH] = fnv(tk[KHASH], b)
        return
    if m == M_STR_ESC or m == M_KSTR_ESC:
        tk[VHASH] = fnv(tk[VHASH], b)
        if m == M_KSTR_ESC:
            tk[KHASH] = fnv(tk[KHASH], b)
        tk[MODE] = M_STR if m == M_STR_ESC else M_KSTR
        if b == 0x0A and nd:
            _newline_record(tk)
        return
    if m == M_NUM or m == M_LIT:
        if not _ends_word(b):
            tk[VHASH] = fnv(tk[VHASH], b)
            return
        m = M_AFTER
        tk[MODE] = M_AFTER
    if b == 0x0A and nd:
        _newline_record(tk)
        return
    if b == 32 or b == 9 or b == 13 or b == 10:
        tk[CLS] = C_WS
        if b == 0x0A and tk[DEPTH] == 0 and m == M_AFTER:
            tk[MODE] = M_VALUE
        return
    if b == 0x7D or b == 0x5D:
        _pop(tk)
        return
    if m == M_VALUE:
        if b == 0x2C:
            tk[CLS] = C_STRUCT
            if tk[DEPTH] > 0:
                _next_member(tk)
                if _container(tk) == K_OBJ:
                    tk[MODE] = M_KEY
            return
        if b == 0x3A:
            tk[CLS] = C_STRUCT
            return
        _start_token(tk, b)
        return
    if m == M_KEY:
        if b == 0x22:
            tk[KHASH] = FNV_BASIS
            tk[VHASH] = fnv(FNV_BASIS, b)
            tk[MODE] = M_KSTR
            tk[CLS] = C_KEY
            tk[VTYPE] = T_KEY
            tk[PATH] = tk[U(S_PHASH + _lv(tk))]
        elif b == 0x2C:
            tk[CLS] = C_STRUCT
            _next_member(tk)
        elif b == 0x3A:
            tk[CLS] = C_STRUCT
            tk[MODE] = M_VALUE
        else:
            _start_token(tk, b)
        return
    if m == M_COLON:
        tk[CLS] = C_STRUCT
        if b == 0x3A:
            tk[MODE] = M_VALUE
            tk[PATH] = _slot_path(tk)
        elif b == 0x2C:
            _next_member(tk)
            tk[MODE] = M_KEY
        else:
            _start_token(tk, b)
        return
    if b == 0x2C:                                      # M_AFTER
        tk[CLS] = C_STRUCT
        if tk[DEPTH] == 0:
            tk[MODE] = M_VALUE
        else:
            _next_member(tk)
            tk[MODE] = M_KEY if _container(tk) == K_OBJ else M_VALUE
        return
    if b == 0x3A:
        tk[CLS] = C_STRUCT
        tk[MODE] = M_VALUE
        return
    _start_token(tk, b)


@inline
def _end_record(tk):
    tk[INDEX] = 0
    tk[QUOTE] = 0
    tk[FSTART] = 1
    tk[NEWREC] = 1
    tk[CLS] = C_EOL
    tk[PATH] = combine(CSV_ROOT, 0)


@inline
def _step_csv(tk, b, delim):
    if tk[AFTERCR]:
        tk[AFTERCR] = 0
        if b == 0x0A:
            tk[CLS] = C_EOL
            return
    if tk[NEWREC]:
        tk[NEWREC] = 0
        tk[RECST] = 1
        tk[NREC] = (tk[NREC] + 1) & M32
    q = tk[QUOTE]
    if q == 1:
        tk[CLS] = C_FIELD
        tk[VHASH] = fnv(tk[VHASH], b)
        if b == 0x22:
            tk[QUOTE] = 2
        return
    if q == 2:
        if b == 0x22:
            tk[CLS] = C_FIELD
            tk[VHASH] = fnv(tk[VHASH], b)
            tk[QUOTE] = 1
            return
        tk[QUOTE] = 0
    if b == delim:
        tk[CLS] = C_SEP
        if tk[INDEX] < COL_CAP:
            tk[INDEX] += 1
        tk[FSTART] = 1
        tk[PATH] = combine(CSV_ROOT, tk[INDEX])
        return
    if b == 0x0A:
        _end_record(tk)
        return
    if b == 0x0D:
        _end_record(tk)
        tk[AFTERCR] = 1
        return
    tk[CLS] = C_FIELD
    if tk[FSTART]:
        tk[FSTART] = 0
        tk[VHASH] = fnv(FNV_BASIS, b)
        if b == 0x22:
            tk[QUOTE] = 1
    else:
        tk[VHASH] = fnv(tk[VHASH], b)
    tk[PATH] = combine(CSV_ROOT, tk[INDEX])


@kernel
def tok_step(tk, b):
    """Consume byte b (structured_ref.Tokenizer.step).  A called function, not
    inlined: once per byte, and inlined its branches would multiply the
    driver's size and compile time."""
    tk[RECST] = 0
    fmt = tk[FMT]
    if fmt == FMT_JSON or fmt == FMT_NDJSON:
        _step_json(tk, b, fmt == FMT_NDJSON)
        tk[INDEX] = tk[U(S_IDX + _lv(tk))]
    elif fmt == FMT_CSV:
        _step_csv(tk, b, 0x2C)
    elif fmt == FMT_TSV:
        _step_csv(tk, b, 0x09)
    else:
        return
    cls = tk[CLS]
    if cls < C_KEY or cls > C_FIELD:
        tk[VHASH] = FNV_BASIS


@inline
def tail_path(tk):
    """The last two components of the current path (key or [] each): shared by
    the members of objects used as maps, whose full paths share nothing.
    CSV / TSV: the path (the column)."""
    if tk[FMT] >= FMT_CSV:
        return tk[PATH]
    d = _lv(tk)
    k = tk[U(S_CTYPE + d)]
    last = tk[U(S_KEYH + d)] if k == K_OBJ else (ARR if k == K_ARR else ROOT)
    up = ROOT
    if d > 0:
        ku = tk[U(S_CTYPE + d - 1)]
        up = tk[U(S_KEYH + d - 1)] if ku == K_OBJ else (ARR if ku == K_ARR else ROOT)
    return combine(combine(TAIL, up), last)


# --------------------------------------------------------------------------
# detection (structured_ref.detect, on a byte array)

@kernel
def detect_buf(buf, n, cut):
    """The format of the bytes buf[0:n] (structured_ref.detect(prefix) where
    ``cut`` says the prefix is DETECT_BYTES long, i.e. its last line may be cut)."""
    if n > DETECT_BYTES:
        n = DETECT_BYTES
    s = 0
    if n >= 3 and buf[0] == 0xEF and buf[1] == 0xBB and buf[2] == 0xBF:
        s = 3
    k = s
    while k < n and (buf[k] == 32 or buf[k] == 9 or buf[k] == 13 or buf[k] == 10):
        k += 1
    is_json = k < n and (buf[k] == 0x7B or buf[k] == 0x5B)
    has_nul = False
    for i in range(s, n):
        if buf[i] == 0:
            has_nul = True
    nfull = 0             # JSON: lines with content other than " \t\r"
    ndj_ok = True
    nbody = 0             # CSV: lines with content other than "\r"
    tabs0 = -1
    commas0 = -1
    tabs_ok = True
    commas_ok = True
    a = s
    while a <= n:
        e = a
        while e < n and buf[e] != 10:
            e += 1
        if e >= n:                                   # the last segment (no newline after it)
            if cut or e == a:
                break
        # the line buf[a:e]
        lo = a
        hi = e
        while lo < hi and (buf[lo] == 32 or buf[lo] == 9 or buf[lo] == 13):
            lo += 1
        while hi > lo and (buf[hi - 1] == 32 or buf[hi - 1] == 9 or buf[hi - 1] == 13):
            hi -= 1
        if hi > lo:
            nfull += 1
            if not ((buf[lo] == 0x7B or buf[lo] == 0x5B) and (buf[hi - 1] == 0x7D or buf[hi - 1] == 0x5D)):
                ndj_ok = False
        body = False
        for i in range(a, e):
            if buf[i] != 13:
                body = True
                break
        if body:
            nt = 0
            nc = 0
            inq = False
            for i in range(a, e):
                b = buf[i]
                if b == 0x22:
                    inq = not inq
                elif b == 9 and not inq:
                    nt += 1
                elif b == 0x2C and not inq:
                    nc += 1
            if nbody == 0:
                tabs0 = nt
                commas0 = nc
            else:
                if nt != tabs0:
                    tabs_ok = False
                if nc != commas0:
                    commas_ok = False
            nbody += 1
        a = e + 1
    if is_json:
        if nfull >= 2 and ndj_ok:
            return FMT_NDJSON
        return FMT_JSON
    if has_nul:
        return FMT_NONE
    if nbody >= 2:
        if tabs0 >= 1 and tabs_ok:
            return FMT_TSV
        if commas0 >= 1 and commas_ok:
            return FMT_CSV
    return FMT_NONE


# --------------------------------------------------------------------------
# the component

@phase
def structure_step(s, h, c):
    tk, ring = s
    if tk[FMT] != FMT_NONE:
        tok_step(tk, c)
    elif h[POS] == DETECT_BYTES - 1:
        fmt = detect_buf(ring, DETECT_BYTES, True)
        if fmt != FMT_NONE:
            tok_reset(tk, fmt)
            for i in range(DETECT_BYTES):
                tok_step(tk, np.int64(ring[i]))
            h[NACT] = h[NALL]            # the late components (column, fields) wake: mixers read their inputs
            h[SFMT] = fmt                # the context map may switch to its structured contexts


class Structure(Component):
    name = "structure"
    PARAMS = (
        Param("structure", "st", 0, 1, 0, 3,
              "1: the JSON/CSV structure components (tokenizer, column model, field contexts)"),
    )
    step = structure_step

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        if shared.ring.shape[0] < DETECT_BYTES:
            raise ValueError("the structure tokenizer needs a history of at least 4096 bytes")
        self.tk = new_tokenizer(FMT_NONE)

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 8 * NTK

    def state(self) -> tuple:
        return (self.tk, self.shared.ring)

    def own_arrays(self) -> tuple:
        return (self.tk,)


# --------------------------------------------------------------------------
# test kernels (the tokenizer and detection outside the driver, for the tests)

FIELDS = ("cls", "depth", "path", "index", "vtype", "vhash", "rec_start", "quote", "mode")
_FIELD_SLOT = (CLS, DEPTH, PATH, INDEX, VTYPE, VHASH, RECST, QUOTE, MODE)
FIELD_SLOTS = np.array(_FIELD_SLOT, dtype=np.int64)


@kernel
def tokenize(tk, fmt, data, slots, out):
    """Run a tokenizer of format ``fmt`` (state ``tk``, NTK int64) over
    ``data``; out[i, k] := field slots[k] after byte i."""
    tok_reset(tk, fmt)
    for i in range(data.shape[0]):
        tok_step(tk, np.int64(data[i]))
        for k in range(slots.shape[0]):
            out[i, k] = tk[slots[k]]


def run(data: bytes, fmt: int) -> dict[str, list[int]]:
    """The kernel tokenizer's per-byte fields (as structured_ref.run)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    out = np.zeros((len(data), len(FIELDS)), dtype=np.int64)
    tokenize(np.zeros(NTK, dtype=np.int64), fmt, arr, FIELD_SLOTS, out)
    return {k: out[:, i].tolist() for i, k in enumerate(FIELDS)}


def detect(prefix: bytes) -> int:
    """structured_ref.detect, by the kernel's detect_buf."""
    p = np.frombuffer(prefix[:DETECT_BYTES], dtype=np.uint8)
    return int(detect_buf(p, p.shape[0], len(prefix) >= DETECT_BYTES))
