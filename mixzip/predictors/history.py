"""The shared byte history: what every component may read, and the signals they pass on.

What it holds (``Shared``, one per stream; the driver and every component
receive ``h``):

    h      int64 scalars: the last 16 bytes as four 32-bit words (C4 holds
           c4..c1, c1 in the low byte; C8 the four before...), the hashes of
           the current and the two previous words, the position (bytes coded
           so far), the starts of the current and the previous line, the
           record-length (stride) detector's state; then the rates of this
           byte or bit and the signals below
    tabs   int64: the stride detector's last three positions per byte value
           (3 x 256), then the indirect tables: the last two bytes seen after
           each byte (256) and after each pair of bytes (65536)
    ring   uint8 ring buffer of the last 2^ring_bits bytes (the byte at
           position p at ``ring[p & mask]``): the match model's history and
           the record/column contexts' view of the past

Rates (written by the rate schedule, rates.py, read by the learners):
    PB     bit_length(position): the position bucket (0 at the start, 17 at
           64 KiB), maintained by the driver before each byte
    LIMIT  the StateMaps' count limit for this byte
    ARATE  the APMs' rate (a shift) for this byte
    LR     the mixers' rate for this bit, 1/16 units
    P      the final 16-bit probability of the bit just coded
    ERR    nonzero: a component failed (a Python plugin raised); the driver stops
    NACT   how many mixer inputs the mixers read (x[0:NACT]); NALL: all of them.
           The inputs of *late* components (component.py) are placed last and
           stay 0 until their component wakes and sets NACT := NALL, so until
           then the mixers skip them (the sums and weights are the same)
    SFMT   the structure format structure.py detected (0 none; 1 JSON, 2 NDJSON,
           3 CSV, 4 TSV), set once, after the stream's first 4096 bytes
    UWORD0, UWORD1  the hashes of the current and the previous UTF-8 word: like
           WORD0/WORD1, but every byte >= 128 counts as a letter, so words in
           any script (Cyrillic, Greek, CJK runs...) have contexts of their own

Signals (a component writes them in ``predict``/``begin``; the mixers and the
router choose their weight sets and features by them; 0 when the model
that would write them is not in the recipe):
    SEEN   how many of the context map's contexts have been seen before, in
           eighths of them (0..7)
    MSTATE match state: 0 no match, 1 length < 16, 2 < 32, 3 longer
    MLB    the match length's bucket (0..31)
    EB     the bit the match predicts (0 without a match)
    CONF   the neural byte model's confidence bucket (0..7; see bytemodel.py); without a neural
           model in the recipe, the structure signal of column.py (0..7)

Per byte, after byte c at position h[POS] is known (driver):
    ring_put(h, ring, c); the components' steps; history_update(h, tabs, c)

Record length (stride) detection, for the record contexts: for each byte
value the last three positions are kept; when a byte value recurs three
times at the same distance d (2 <= d <= MAXSTRIDE), d is a candidate; a
candidate seen STRIDE_CONFIRM times in a row becomes the stride.

Memory: 8 x (NH + NTABS) bytes (about 530 KiB) + 2^ring_bits.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline

(C4, C8, C12, C16, WORD0, WORD1, WORD2, POS, LINE0, LINE1, STRIDE, RCAND, RCNT,
 PB, LIMIT, ARATE, LR, P, ERR, SEEN, MSTATE, MLB, EB, CONF, NACT, NALL, SFMT, UWORD0, UWORD1) = range(29)
NH = 29
SIGNALS = (SEEN, MSTATE, MLB, EB, CONF)

MAXSTRIDE = 8192
STRIDE_CONFIRM = 3
M32 = 0xFFFFFFFF

# tabs: stride detector (3 x 256 last positions), then the indirect tables
T_IND1 = 3 * 256
T_IND2 = T_IND1 + 256
NTABS = T_IND2 + 65536


class Shared:
    """Owns the shared history of one stream (see the module docstring)."""

    def __init__(self, ring_bits: int):
        self.h = np.zeros(NH, dtype=np.int64)
        self.tabs = np.zeros(NTABS, dtype=np.int64)
        self.ring = np.zeros(1 << ring_bits, dtype=np.uint8)

    @staticmethod
    def memory_for(ring_bits: int) -> int:
        return 8 * (NH + NTABS) + (1 << ring_bits)

    def memory(self) -> int:
        return self.h.nbytes + self.tabs.nbytes + self.ring.nbytes


@inline
def byte_begin(h):
    """Before each byte: the position bucket follows the position (bit_length)."""
    if h[POS] >> h[PB]:
        h[PB] += 1


@inline
def ring_put(h, ring, c):
    """The byte c, at position h[POS], into the ring buffer."""
    ring[U(h[POS] & (ring.shape[0] - 1))] = c


@inline
def ring_at(ring, p):
    """The byte at absolute position p (0 before the start)."""
    if p < 0:
        return 0
    return np.int64(ring[U(p & (ring.shape[0] - 1))])


@inline
def history_update(h, tabs, c):
    """After byte c: shift it into the byte words, the word hashes, the line
    starts, the indirect tables and the stride detector; position + 1."""
    pos = h[POS]
    h[C16] = ((h[C16] << 8) | (h[C12] >> 24)) & M32
    h[C12] = ((h[C12] << 8) | (h[C8] >> 24)) & M32
    h[C8] = ((h[C8] << 8) | (h[C4] >> 24)) & M32
    h[C4] = ((h[C4] << 8) | c) & M32
    lc = c + 32 if 65 <= c <= 90 else c
    if 97 <= lc <= 122:
        h[WORD0] = ((h[WORD0] + lc + 1) * 0x3D4D51CB) & M32
    elif h[WORD0] != 0:
        h[WORD2] = h[WORD1]
        h[WORD1] = h[WORD0]
        h[WORD0] = 0
    if 97 <= lc <= 122 or c >= 128:
        h[UWORD0] = ((h[UWORD0] + lc + 1) * 0x2F0F3C47) & M32
    elif h[UWORD0] != 0:
        h[UWORD1] = h[UWORD0]
        h[UWORD0] = 0
    c4 = h[C4]
    p1 = (c4 >> 8) & 0xFF
    p2 = (c4 >> 8) & 0xFFFF
    tabs[T_IND1 + p1] = ((tabs[T_IND1 + p1] << 8) | c) & 0xFFFF
    tabs[T_IND2 + p2] = ((tabs[T_IND2 + p2] << 8) | c) & 0xFFFF
    if c == 10:
        h[LINE1] = h[LINE0]
        h[LINE0] = pos + 1
    # stride detector
    r = c * 3
    d = pos - tabs[r]
    if 2 <= d <= MAXSTRIDE and d == tabs[r] - tabs[r + 1] and d == tabs[r + 1] - tabs[r + 2]:
        if d == h[RCAND]:
            h[RCNT] += 1
            if h[RCNT] >= STRIDE_CONFIRM:
                h[STRIDE] = d
        else:
            h[RCAND] = d
            h[RCNT] = 1
    tabs[r + 2] = tabs[r + 1]
    tabs[r + 1] = tabs[r]
    tabs[r] = pos
    h[POS] = pos + 1
