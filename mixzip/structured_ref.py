"""Structure tokenizer for JSON, NDJSON, CSV and TSV: the pure-Python reference.

This is the specification the structure-aware components (issue 19) will run
inside the per-byte kernel.  It is written the way the kernel must be: one
``step(byte)`` per byte, state made only of small integers and fixed-size
integer arrays (no strings, lists that grow, or objects per byte), 32-bit
hashes by multiply/xor/shift, and no exception for any input.  A Numba
kernel holds the same fields in a fixed int32/uint32 array and ports
``step`` branch for branch; its tests compare it with this class.

How to call me
--------------
    fmt = detect(block[:DETECT_BYTES])     # FMT_NONE / JSON / NDJSON / CSV / TSV
    t = Tokenizer(fmt)
    for b in data:                          # every byte, in order
        t.step(b)
        ... t.cls, t.depth, t.path, t.index, t.vtype, t.vhash, t.rec_start ...

After ``step(b)`` the fields describe byte ``b`` (what it belongs to) and the
parser position after it; a model predicting the *next* byte uses them as its
context.  Detection looks at a prefix only (the encoder would run it on the
block's first bytes and record the format in the component's header
parameter; the decoder then knows it before the first byte).  FMT_NONE leaves
every field at its start value: no cost and no effect.

Fields (all ints; ranges are guaranteed for every input)
--------------------------------------------------------
    cls        class of the byte: C_NONE, C_WS (white space between tokens),
               C_STRUCT ({ } [ ] , :), C_KEY (an object key, quotes included),
               C_STR (a string value, quotes included), C_NUM, C_LIT (true,
               false, null, or any bare word of a malformed document);
               CSV/TSV: C_FIELD (field bytes, quotes included), C_SEP (the
               delimiter), C_EOL (\\n, \\r).                         0..9
    depth      JSON: containers open after this byte ('{' counts itself, '}'
               does not); saturates at DEPTH_CAP.  CSV: 0.       0..DEPTH_CAP
    path       32-bit hash of the key path.  JSON: on key bytes the path of
               the enclosing object; on value bytes the value's own path; on
               '{' '[' '}' ']' the container's own path.  Paths ignore array
               indexes (every element of an array shares one path), so the
               records of an array, or the lines of an NDJSON file, share
               their field paths.  CSV/TSV: a hash of the column number.
    index      JSON: the member (object) or element (array) number of the
               byte in its innermost container, 0-based; at top level the
               number of the top-level value (the NDJSON line).  CSV/TSV:
               the column number, 0-based, saturating at COL_CAP.  0..COL_CAP
    vtype      JSON: type of the innermost value: T_NONE, T_OBJ, T_ARR,
               T_STR, T_NUM, T_TRUE, T_FALSE, T_NULL, T_BARE (a malformed
               bare word), T_KEY while in a key.                        0..9
    vhash      32-bit FNV-1a hash of the current token's bytes so far (key,
               string, number, literal, CSV field; quotes included), from
               FNV_BASIS at its first byte; FNV_BASIS on any byte outside a
               token.  With ``path``: the "key path + value so far" context.
    rec_start  1 on the first byte of a record: a top-level JSON value (an
               NDJSON line), a CSV/TSV record; else 0.
    nrec       records started so far, mod 2**32.
    quote      CSV/TSV: 0 outside quotes, 1 inside a quoted field, 2 just
               after a '"' inside one (an escaped quote or the end).

JSON grammar, and what malformed input does
-------------------------------------------
The machine is a push-down automaton with ``MAXDEPTH`` tracked levels.  It
accepts RFC 8259 JSON exactly, and continues on anything else without
failing: a byte that cannot start a value starts a bare word (C_LIT, T_BARE,
ended by white space, a quote or a structural byte); an unexpected ':' or ','
or closing bracket is taken as the closest sensible move (a closing bracket
of the other kind closes the innermost container anyway; one at depth 0 is
ignored); a raw newline inside a string ends the string (JSON) or the record
(NDJSON, where any newline starts a new record at depth 0).  Levels deeper
than MAXDEPTH are counted in ``depth`` but not tracked: there every string is
a value and the path is the deepest tracked one's, hashed with a marker.

Hashes
------
    fnv(h, b)       = ((h ^ b) * 0x01000193) mod 2**32, from FNV_BASIS
    combine(p, k)   = fmix32((p * 0x9E3779B1 + k) mod 2**32)   (murmur3's fmix32)
    key hash        = fnv over the raw bytes between the key's quotes
    value path      = combine(object path, key hash), combine(array path, ARR),
                      ROOT at top level
    CSV column path = combine(CSV_ROOT, column)
"""
from __future__ import annotations

M32 = 0xFFFFFFFF

# formats
FMT_NONE, FMT_JSON, FMT_NDJSON, FMT_CSV, FMT_TSV = range(5)
FORMAT_NAMES = ("none", "json", "ndjson", "csv", "tsv")
DETECT_BYTES = 4096

# byte classes
C_NONE, C_WS, C_STRUCT, C_KEY, C_STR, C_NUM, C_LIT, C_FIELD, C_SEP, C_EOL = range(10)
CLASS_NAMES = ("none", "ws", "struct", "key", "str", "num", "lit", "field", "sep", "eol")

# value types
T_NONE, T_OBJ, T_ARR, T_STR, T_NUM, T_TRUE, T_FALSE, T_NULL, T_BARE, T_KEY = range(10)

# JSON parser modes
M_VALUE = 0      # a value may start here
M_KEY = 1        # a key (or '}') may start here
M_COLON = 2      # after a key, before ':'
M_AFTER = 3      # after a value: ',' or a closing bracket (or a newline at top level)
M_STR = 4
M_STR_ESC = 5
M_KSTR = 6
M_KSTR_ESC = 7
M_NUM = 8
M_LIT = 9

# container types on the stack
K_ROOT, K_OBJ, K_ARR = 0, 1, 2

MAXDEPTH = 32                    # tracked levels (stack arrays hold MAXDEPTH + 1 slots)
DEPTH_CAP = 255                  # depth saturates here
COL_CAP = 0xFFFF                 # index / column saturate here

FNV_BASIS = 0x811C9DC5
FNV_PRIME = 0x01000193
ROOT = 0x52303054                # path of a top-level value
ARR = 0x5B5D                     # key of an array element ("[]")
DEEP = 0x44454550                # key of an untracked (too deep) level
CSV_ROOT = 0x43535630

_WS = frozenset(b" \t\r\n")
_NUM_START = frozenset(b"-0123456789")
_ENDS_WORD = frozenset(b" \t\r\n,:{}[]\"")     # what ends a number or a bare word


def fnv(h: int, b: int) -> int:
    return ((h ^ b) * FNV_PRIME) & M32


def fmix32(x: int) -> int:
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & M32
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & M32
    x ^= x >> 16
    return x


def combine(p: int, k: int) -> int:
    return fmix32((p * 0x9E3779B1 + k) & M32)


def key_hash(raw: bytes) -> int:
    """Hash of a key's raw bytes (between its quotes, escapes as written)."""
    h = FNV_BASIS
    for b in raw:
        h = fnv(h, b)
    return h


# --------------------------------------------------------------------------
# detection

def _csv_field_counts(lines: list[bytes], delim: int) -> list[int]:
    """Delimiters outside quotes per line (quotes toggled naively, per line)."""
    counts = []
    for line in lines:
        n, inq = 0, False
        for b in line:
            if b == 0x22:
                inq = not inq
            elif b == delim and not inq:
                n += 1
        counts.append(n)
    return counts


def detect(prefix: bytes) -> int:
    """The format of a block from its first bytes (at most DETECT_BYTES are read).

    JSON if the first non-blank byte (after a UTF-8 BOM) is '{' or '[';
    NDJSON if moreover at least two complete lines are there and every complete
    line, stripped, starts with '{' or '[' and ends with '}' or ']' (a
    pretty-printed document has lines that do not); TSV / CSV if at least two
    complete lines are there, no NUL byte, and every complete line has the same
    number (>= 1) of tabs / commas outside double quotes; else FMT_NONE.  Only
    complete lines count (the last, cut one is dropped unless the prefix is
    the whole input, i.e. shorter than DETECT_BYTES).
    """
    p = prefix[:DETECT_BYTES]
    if p.startswith(b"\xef\xbb\xbf"):
        p = p[3:]
    lines = p.split(b"\n")
    if len(prefix) >= DETECT_BYTES:
        lines = lines[:-1]                              # the cut line
    elif lines and lines[-1] == b"":
        lines = lines[:-1]
    stripped = p.lstrip(b" \t\r\n")
    if stripped[:1] in (b"{", b"["):
        full = [ln.strip(b" \t\r") for ln in lines if ln.strip(b" \t\r")]
        if len(full) >= 2 and all(ln[:1] in (b"{", b"[") and ln[-1:] in (b"}", b"]") for ln in full):
            return FMT_NDJSON
        return FMT_JSON
    if b"\0" in p:
        return FMT_NONE
    body = [ln for ln in lines if ln.strip(b"\r")]
    if len(body) >= 2:
        for fmt, delim in ((FMT_TSV, 0x09), (FMT_CSV, 0x2C)):
            counts = _csv_field_counts(body, delim)
            if counts[0] >= 1 and all(c == counts[0] for c in counts):
                return fmt
    return FMT_NONE


# --------------------------------------------------------------------------
# the tokenizer

class Tokenizer:
    """Byte-by-byte structure state (see the module docstring for the fields)."""

    def __init__(self, fmt: int):
        if not 0 <= fmt < len(FORMAT_NAMES):
            raise ValueError(f"unknown format {fmt}")
        self.fmt = fmt
        # outputs
        self.cls = C_NONE
        self.depth = 0
        self.path = combine(CSV_ROOT, 0) if fmt in (FMT_CSV, FMT_TSV) else ROOT
        self.index = 0
        self.vtype = T_NONE
        self.vhash = FNV_BASIS
        self.rec_start = 0
        self.nrec = 0
        self.quote = 0
        # JSON internals: mode, the key being read, and per-level arrays
        self.mode = M_VALUE
        self.khash = FNV_BASIS
        self.started = 0                         # a top-level value has begun (JSON)
        self.ctype = [K_ROOT] * (MAXDEPTH + 1)   # container type at each level
        self.idx = [0] * (MAXDEPTH + 1)          # member / element number at each level
        self.phash = [ROOT] * (MAXDEPTH + 1)     # path of the container at each level
        self.keyh = [FNV_BASIS] * (MAXDEPTH + 1)  # last key read at each (object) level
        # CSV internals
        self.field_start = 1                     # the next byte starts a field
        self.after_cr = 0                        # the last byte was '\r' ending a record
        self.new_rec = 1                         # the next content byte starts a record

    # ---- JSON helpers --------------------------------------------------------

    def _lv(self) -> int:
        return self.depth if self.depth <= MAXDEPTH else MAXDEPTH

    def _slot_path(self) -> int:
        """Path of a value at the current position."""
        d = self.depth
        if d > MAXDEPTH:
            return combine(self.phash[MAXDEPTH], DEEP)
        k = self.ctype[d]
        if k == K_OBJ:
            return combine(self.phash[d], self.keyh[d])
        if k == K_ARR:
            return combine(self.phash[d], ARR)
        return ROOT

    def _container(self) -> int:
        return self.ctype[self.depth] if self.depth <= MAXDEPTH else K_ARR

    def _begin_top(self) -> None:
        """A top-level value starts with this byte."""
        if self.started:
            self.idx[0] = (self.idx[0] + 1) if self.idx[0] < COL_CAP else COL_CAP
        self.started = 1
        self.rec_start = 1
        self.nrec = (self.nrec + 1) & M32

    def _push(self, kind: int) -> None:
        own = self._slot_path()
        if self.depth < MAXDEPTH:
            d = self.depth + 1
            self.ctype[d] = kind
            self.idx[d] = 0
            self.phash[d] = own
            self.keyh[d] = FNV_BASIS
        if self.depth < DEPTH_CAP:
            self.depth += 1
        self.path = own
        self.vtype = T_OBJ if kind == K_OBJ else T_ARR
        self.mode = M_KEY if kind == K_OBJ else M_VALUE
        self.cls = C_STRUCT

    def _pop(self) -> None:
        if self.depth > 0:
            self.path = self.phash[self.depth] if self.depth <= MAXDEPTH else combine(self.phash[MAXDEPTH], DEEP)
            self.vtype = T_OBJ if self._container() == K_OBJ else T_ARR
            self.depth -= 1
        self.mode = M_AFTER
        self.cls = C_STRUCT

    def _start_token(self, b: int) -> None:
        """``b`` starts a value (mode was M_VALUE, or a lenient equivalent)."""
        if self.depth == 0:
            self._begin_top()
        if b == 0x7B:                                   # {
            self._push(K_OBJ)
            return
        if b == 0x5B:                                   # [
            self._push(K_ARR)
            return
        self.path = self._slot_path()
        self.vhash = fnv(FNV_BASIS, b)
        if b == 0x22:                                   # "
            self.mode, self.cls, self.vtype = M_STR, C_STR, T_STR
        elif b in _NUM_START:
            self.mode, self.cls, self.vtype = M_NUM, C_NUM, T_NUM
        else:
            self.mode, self.cls = M_LIT, C_LIT
            self.vtype = T_TRUE if b == 0x74 else T_FALSE if b == 0x66 else T_NULL if b == 0x6E else T_BARE

    def _start_key(self, b: int) -> None:
        self.khash = FNV_BASIS
        self.vhash = fnv(FNV_BASIS, b)
        self.mode, self.cls, self.vtype = M_KSTR, C_KEY, T_KEY
        self.path = self.phash[self._lv()]

    def _next_member(self) -> None:
        lv = self._lv()
        if self.idx[lv] < COL_CAP:
            self.idx[lv] += 1

    def _step_json(self, b: int) -> None:
        m = self.mode
        # inside a token --------------------------------------------------------
        if m == M_STR or m == M_KSTR:
            self.vhash = fnv(self.vhash, b)
            if b == 0x22:                               # closing quote: still part of the token
                if m == M_KSTR:
                    self.keyh[self._lv()] = self.khash
                    self.mode = M_COLON
                else:
                    self.mode = M_AFTER
            elif b == 0x5C:                             # backslash
                self.mode = M_STR_ESC if m == M_STR else M_KSTR_ESC
                if m == M_KSTR:
                    self.khash = fnv(self.khash, b)
            elif b == 0x0A:                             # raw newline: malformed
                if self.fmt == FMT_NDJSON:
                    self._newline_record()
                    return
                if m == M_KSTR:
                    self.keyh[self._lv()] = self.khash
                    self.mode = M_COLON
                else:
                    self.mode = M_AFTER
                self.cls = C_WS
            elif m == M_KSTR:
                self.khash = fnv(self.khash, b)
            return
        if m == M_STR_ESC or m == M_KSTR_ESC:
            self.vhash = fnv(self.vhash, b)
            if m == M_KSTR_ESC:
                self.khash = fnv(self.khash, b)
            self.mode = M_STR if m == M_STR_ESC else M_KSTR
            if b == 0x0A and self.fmt == FMT_NDJSON:
                self._newline_record()
            return
        if m == M_NUM or m == M_LIT:
            if b not in _ENDS_WORD:
                self.vhash = fnv(self.vhash, b)
                return
            self.mode = m = M_AFTER                     # the word ended: handle b as after it
        # between tokens --------------------------------------------------------
        if b == 0x0A and self.fmt == FMT_NDJSON:
            self._newline_record()
            return
        if b in _WS:
            self.cls = C_WS
            if b == 0x0A and self.depth == 0 and m == M_AFTER:
                self.mode = M_VALUE                     # a newline after a top-level value
            return
        if b == 0x7D or b == 0x5D:                      # } ]
            self._pop()
            return
        if m == M_VALUE:
            if b == 0x2C:                               # ',' where a value was due: empty element
                self.cls = C_STRUCT
                if self.depth > 0:
                    self._next_member()
                    if self._container() == K_OBJ:
                        self.mode = M_KEY
                return
            if b == 0x3A:                               # stray ':'
                self.cls = C_STRUCT
                return
            self._start_token(b)
            return
        if m == M_KEY:
            if b == 0x22:
                self._start_key(b)
            elif b == 0x2C:
                self.cls = C_STRUCT
                self._next_member()
            elif b == 0x3A:
                self.cls = C_STRUCT
                self.mode = M_VALUE
            else:                                       # an unquoted key: a bare word as a value
                self._start_token(b)
            return
        if m == M_COLON:
            self.cls = C_STRUCT
            if b == 0x3A:
                self.mode = M_VALUE
                self.path = self._slot_path()
            elif b == 0x2C:
                self._next_member()
                self.mode = M_KEY
            else:                                       # missing ':'
                self._start_token(b)
            return
        # M_AFTER
        if b == 0x2C:
            self.cls = C_STRUCT
            if self.depth == 0:
                self.mode = M_VALUE
            else:
                self._next_member()
                self.mode = M_KEY if self._container() == K_OBJ else M_VALUE
            return
        if b == 0x3A:                                   # a value used as a key (or overflow levels)
            self.cls = C_STRUCT
            self.mode = M_VALUE
            return
        self._start_token(b)                            # values run together: lenient

    def _newline_record(self) -> None:
        """NDJSON: a newline (anywhere but after a backslash escape is fine too)
        ends the record; the next value starts at depth 0."""
        self.depth = 0
        self.mode = M_VALUE
        self.cls = C_WS
        self.path = ROOT

    # ---- CSV -----------------------------------------------------------------

    def _end_record(self) -> None:
        self.index = 0
        self.quote = 0
        self.field_start = 1
        self.new_rec = 1
        self.cls = C_EOL
        self.path = combine(CSV_ROOT, 0)

    def _step_csv(self, b: int, delim: int) -> None:
        if self.after_cr:
            self.after_cr = 0
            if b == 0x0A:                               # the \n of \r\n
                self.cls = C_EOL
                return
        if self.new_rec:
            self.new_rec = 0
            self.rec_start = 1
            self.nrec = (self.nrec + 1) & M32
        q = self.quote
        if q == 1:
            self.cls = C_FIELD
            self.vhash = fnv(self.vhash, b)
            if b == 0x22:
                self.quote = 2
            return
        if q == 2:
            if b == 0x22:                               # "" inside quotes
                self.cls = C_FIELD
                self.vhash = fnv(self.vhash, b)
                self.quote = 1
                return
            self.quote = 0                              # the quote closed the field
        if b == delim:
            self.cls = C_SEP
            if self.index < COL_CAP:
                self.index += 1
            self.field_start = 1
            self.path = combine(CSV_ROOT, self.index)
            return
        if b == 0x0A:
            self._end_record()
            return
        if b == 0x0D:
            self._end_record()
            self.after_cr = 1
            return
        self.cls = C_FIELD
        if self.field_start:
            self.field_start = 0
            self.vhash = fnv(FNV_BASIS, b)
            if b == 0x22:
                self.quote = 1
        else:
            self.vhash = fnv(self.vhash, b)
        self.path = combine(CSV_ROOT, self.index)

    # ---- the step ------------------------------------------------------------

    def step(self, b: int) -> None:
        """Consume one byte (0..255)."""
        self.rec_start = 0
        fmt = self.fmt
        if fmt == FMT_JSON or fmt == FMT_NDJSON:
            self._step_json(b)
            self.index = self.idx[self._lv()]
        elif fmt == FMT_CSV:
            self._step_csv(b, 0x2C)
        elif fmt == FMT_TSV:
            self._step_csv(b, 0x09)
        else:
            return
        if self.cls < C_KEY or self.cls > C_FIELD:      # not part of a token
            self.vhash = FNV_BASIS


def run(data: bytes, fmt: int | None = None) -> dict[str, list[int]]:
    """Run a tokenizer over ``data`` (format detected when None); per-byte fields."""
    if fmt is None:
        fmt = detect(data[:DETECT_BYTES])
    t = Tokenizer(fmt)
    out: dict[str, list[int]] = {k: [] for k in FIELDS}
    for b in data:
        t.step(b)
        for k in FIELDS:
            out[k].append(getattr(t, k))
    return out


FIELDS = ("cls", "depth", "path", "index", "vtype", "vhash", "rec_start", "quote", "mode")
