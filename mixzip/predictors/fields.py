"""Fields: hashed contexts keyed by the structure tokenizer, in a context map of their own.

What it predicts: P(next bit = 1) in NF contexts built from the tokenizer's
state (structure.py) and the column model's expected byte (column.py),
each through a bit history and a StateMap exactly as one context of
contextmap.py (two inputs: the StateMap's stretch, and the same while the
history is deterministic, else 0):

    f0  column:      full path, the column model's expected byte, its run
                     (0..3) and misses (0..3): "what followed here last time"
                     as a learned, path-specific prediction
    f1  tail + o2:   the tail path (last two keys), the byte class and value
                     type, and the last two bytes
    f2  shape:       byte class, value type, depth (0..15), the member index
                     (0..3) and the last byte
    f3  expected + o2: the column model's expected byte and run, the last two bytes

(Two more, the path or the tail path with the hash of the token so far,
were dropped for speed: docs/STRUCTURED.md, section 6.)  ``field_set``
(header key ``fs``, a bit mask, default 15: all four) chooses which run:
a context left out costs nothing (no lookup, no inputs); levels 8-10 leave
out f3 since presets 8e, 9d, 10e (it did not pay on held-out files,
STRUCTURED.md section 7.4).

State: a checked hash table of 2^(ht_bits - 2) slots of 16 bytes (hashtable.py),
NF StateMaps of 256 entries (one per context, primed per state), the
per-context hash, slot and StateMap index, and ``ks``, the contexts in use
(input pair i is context ks[i]).
Memory: 16 x 2^(ht_bits - 2) + 4 x 256 x NF + 8 x (3 NF + 2 + contexts in use) bytes.

Per byte (``begin``): the NF hashes, the slots of those in use for the first nibble.
Per bit (``predict``): the states at the nibble's node, the inputs.
Learn (``update``): states and StateMaps take the bit (limit h[LIMIT]);
after the fourth bit, the second nibble's slots.  With format 0 every
phase returns at its first branch and the inputs stay 0.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, phase
from mixzip.predictors import column as col
from mixzip.predictors.component import MIX_INIT, Component, Param
from mixzip.predictors.contextmap import COUNT, DETERMINISTIC, NEX, nibble_node
from mixzip.predictors.contexts import hash2
from mixzip.predictors.hashtable import ht_find, ht_prefetch, new_hashtable
from mixzip.predictors.history import C4, LIMIT
from mixzip.predictors.logistic import STRETCH
from mixzip.predictors.statemap import DT, new_state_statemap, sm_p, sm_update
from mixzip.predictors.structure import CLS, DEPTH, FMT, FMT_NONE, INDEX, PATH, VHASH, VTYPE, tail_path

NF = 4
OFF_SHIFT = 4          # the recipe's ``off`` bits 16 << k silence context fk (ablation)
XO, MASK = range(2)


@phase
def fields_begin(s, h, on):
    tk, cs, cfg, ks, hashes, base, smi, ht, sm = s
    if tk[FMT] == FMT_NONE:
        return
    c4 = h[C4]
    cls = tk[CLS]
    vt = tk[VTYPE]
    run = cs[col.RUN]
    d = tk[DEPTH]
    ix = tk[INDEX]
    shape = cls | (vt << 4) | ((d if d < 15 else 15) << 8) | ((ix if ix < 3 else 3) << 12)
    hashes[0] = hash2(hash2(tk[PATH], cs[col.EXP] | ((run if run < 3 else 3) << 9) | (cs[col.MISS] << 11)), 0xF0)
    hashes[1] = hash2(hash2(tail_path(tk), cls | (vt << 4)), (c4 & 0xFFFF) | 0xF10000)
    hashes[2] = hash2(shape, (c4 & 0xFF) | 0xF300)
    hashes[3] = hash2(hash2(cs[col.EXP] | ((run if run < 3 else 3) << 9), c4 & 0xFFFF), 0xF4)
    mask = cfg[MASK]
    for i in range(ks.shape[0]):
        ht_prefetch(ht, hashes[ks[i]], mask)
    for i in range(ks.shape[0]):
        k = ks[i]
        base[k] = ht_find(ht, hashes[k], mask, COUNT)


@phase
def fields_predict(s, h, x, c0, j, on):
    tk, cs, cfg, ks, hashes, base, smi, ht, sm = s
    if tk[FMT] == FMT_NONE:
        return
    mask = cfg[MASK]
    if j == 3:
        for i in range(ks.shape[0]):
            k = ks[i]
            ht_prefetch(ht, hash2(hashes[k], c0 * 2), mask)
            ht_prefetch(ht, hash2(hashes[k], c0 * 2 + 1), mask)
    node = nibble_node(c0, j)
    xo = cfg[XO]
    for i in range(ks.shape[0]):
        k = ks[i]
        st = np.int64(ht[U(base[k] + node)])
        smi[k] = k * 256 + st
        v = STRETCH[U(sm_p(sm, k * 256 + st))]
        if (on >> k) & 1:
            x[U(xo + 2 * i)] = v
            x[U(xo + 2 * i + 1)] = v if DETERMINISTIC[U(st)] else 0


@phase
def fields_update(s, h, y, c0, j, on):
    tk, cs, cfg, ks, hashes, base, smi, ht, sm = s
    if tk[FMT] == FMT_NONE:
        return
    node = nibble_node(c0, j)
    limit = h[LIMIT]
    for i in range(ks.shape[0]):
        k = ks[i]
        t = smi[k]
        ht[U(base[k] + node)] = NEX[U((t & 255) * 2 + y)]
        sm_update(sm, t, y, limit, DT)
    if j == 3:
        mask = cfg[MASK]
        c1 = c0 * 2 + y
        for i in range(ks.shape[0]):
            k = ks[i]
            base[k] = ht_find(ht, hash2(hashes[k], c1), mask, COUNT)


def field_ids(mask: int) -> np.ndarray:
    """The contexts ``field_set`` keeps, in order."""
    return np.array([k for k in range(NF) if (mask >> k) & 1], dtype=np.int64)


class Fields(Component):
    name = "fields"
    PARAMS = (
        Param("field_set", "fs", 1, 15, 15, 3, "with structure=1: the field contexts f0..f3 in use, a bit mask "
                                              "(bit k: fk; fields.py)"),
    )
    late = True              # inputs 0 until structure.py detects a format (then it wakes us)
    begin = fields_begin
    predict = fields_predict
    update = fields_update

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        self.tk = shared.models["structure"].tk
        self.cs = shared.models["column"].cs
        self.cfg = np.zeros(2, dtype=np.int64)
        self.cfg[MASK] = (1 << self.bits(p)) - 1
        self.ks = field_ids(p["field_set"])
        self.hashes, self.base, self.smi = (np.zeros(NF, dtype=np.int64) for _ in range(3))
        self.ht = new_hashtable(self.bits(p))
        self.sm = new_state_statemap(NF)

    @staticmethod
    def bits(p: dict) -> int:
        return max(10, p["ht_bits"] - 2)

    def static(self) -> tuple[int, ...]:
        return (~(self.p["off"] >> OFF_SHIFT) & ((1 << NF) - 1),)

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        w = np.full(2 * len(field_ids(p["field_set"])), MIX_INIT, dtype=np.int32)
        w[1::2] = 0                     # the deterministic inputs' weights start at 0
        return w

    def place(self, xo: int) -> None:
        super().place(xo)
        self.cfg[XO] = xo

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 16 * (1 << cls.bits(p)) + 4 * 256 * NF + 8 * (3 * NF + 2 + len(field_ids(p["field_set"])))

    def state(self) -> tuple:
        return (self.tk, self.cs, self.cfg, self.ks, self.hashes, self.base, self.smi, self.ht, self.sm)

    def own_arrays(self) -> tuple:
        return (self.cfg, self.ks, self.hashes, self.base, self.smi, self.ht, self.sm)
