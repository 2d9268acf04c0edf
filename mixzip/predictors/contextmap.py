"""ContextMap: n hashed contexts -> bit histories -> StateMaps -> mixer inputs.

What it predicts: for each of the recipe's contexts (contexts.py: orders,
words, sparse, record, column, indirect...), P(next bit = 1) given the bit
history seen in that context, as one mixer input each, and (``det_inputs``)
a second input per context that repeats the first while the history has
seen one bit value only, else 0 (weights starting at 0), so a mixer can
trust a context that never contradicted itself more or less than one that
did (Canterbury: -0.33% to -0.65% at every level).

State: a checked hash table of bit-history slots (hashtable.py, 16 bytes a
slot: one slot per context and nibble) and one StateMap of 256 entries per
context, indexed by the history state (statemap.py, primed with each
state's own estimate).

Per byte (``begin``): hash each context (contexts.context_hashes), prefetch
and find its slot for the first nibble.  Per bit (``predict``): read each
context's state at the nibble's node (1..15), x = stretch(StateMap[state]);
SEEN := how many contexts had a nonzero state, in eighths.  Learn
(``update``): the state takes the coded bit (statetable.NEX), the StateMap
entry moves toward it (limit h[LIMIT]); after the fourth bit, find the
slots of the second nibble (prefetched one bit earlier, for both values of
the bit, so the misses overlap a bit's work).

Structured streams (``struct_contexts``, header key ``sx``): when
structure.py detects JSON / NDJSON / CSV / TSV (h[SFMT] != 0, after the
stream's first 4096 bytes), the next ``begin`` switches the slots to this
second list (``slot_ids``: a context of both lists keeps its slot and its
mixer weights, new ones take the freed slots, the rest are off: input 0,
no lookup, no update).  On such data the low orders and the record
contexts lose to the field contexts, and each slot off saves a hash-table
lookup per nibble; an unstructured stream never switches.

Scales: states 0..240 (uint8), StateMap p22 in uint32, inputs |x| <= 2047.
Memory: 16 x 2^ht_bits (hash table) + 4 x 256 n (StateMaps) + 8 x 6 n.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline, phase
from mixzip.predictors import statetable
from mixzip.predictors.component import MIX_INIT, Component, Param
from mixzip.predictors.contexts import context_hashes, hash2
from mixzip.predictors.contexts import parse as parse_contexts
from mixzip.predictors.hashtable import ht_find, ht_prefetch, new_hashtable
from mixzip.predictors.history import LIMIT, SEEN, SFMT
from mixzip.predictors.logistic import STRETCH
from mixzip.predictors.statemap import DT, new_state_statemap, sm_p, sm_update

NEX = statetable.NEX
COUNT = statetable.COUNT
DETERMINISTIC = statetable.DETERMINISTIC
MAXCTX = 32
DEFAULT_CONTEXTS = "o1,o2,o3,o4,o6,w2"
FIT_MIN_BITS = 16               # ``fit`` never makes the table smaller than 2^16 slots

# cfg: int64 configuration
XO, XD, HTMASK, SWITCH = range(4)   # first input, first deterministic input, hash table mask,
                                    # 1 while the structured contexts wait for h[SFMT]


def _check_contexts(text: str) -> None:
    if len(parse_contexts(text)) > MAXCTX:
        raise ValueError(f"at most {MAXCTX} contexts")


def _check_struct_contexts(text: str) -> None:
    if text:
        _check_contexts(text)


def slot_ids(contexts: str, struct_contexts: str) -> np.ndarray:
    """The slots' context ids once the stream is structured: a context of
    both lists keeps its slot (and so its mixer weights), the others take
    the freed slots in order (those beyond the freed slots are left out),
    and the slots left over are off (-1)."""
    ids = [int(i) for i in parse_contexts(contexts)]
    want = [int(i) for i in parse_contexts(struct_contexts)]
    out = [i if i in want else -1 for i in ids]
    free = [k for k, i in enumerate(out) if i < 0]
    for k, i in zip(free, [i for i in want if i not in ids]):
        out[k] = i
    return np.array(out, dtype=np.int64)


@inline
def nibble_node(c0, j):
    """The node (1..15) of bit j in its nibble's tree: c0 in the first
    nibble, then 1, 2..3, 4..7, 8..15 again."""
    if j < 4:
        return c0
    k = j - 4
    return (1 << k) | (c0 & ((1 << k) - 1))


@inline
def cm_switch(cfg, ids, sids, seen):
    """The stream turned out structured: the slots take the structured
    contexts (sids; -1: the slot is off from now on) and SEEN counts the
    active ones."""
    m = 0
    for k in range(ids.shape[0]):
        ids[k] = sids[k]
        if sids[k] >= 0:
            m += 1
    for k in range(seen.shape[0]):
        seen[k] = (min(k, m) * 8) // (m + 1)
    cfg[SWITCH] = 0


@phase
def cm_begin(s, h, det):
    cfg, ids, sids, hashes, base, smi, seen, ht, sm, tabs, ring = s
    if cfg[SWITCH] != 0 and h[SFMT] != 0:
        cm_switch(cfg, ids, sids, seen)
    context_hashes(h, tabs, ring, ids, hashes)
    mask = cfg[HTMASK]
    for k in range(ids.shape[0]):
        if ids[k] >= 0:
            ht_prefetch(ht, hashes[k], mask)
    for k in range(ids.shape[0]):
        if ids[k] >= 0:
            base[k] = ht_find(ht, hashes[k], mask, COUNT)


@phase
def cm_predict(s, h, x, c0, j, det):
    cfg, ids, sids, hashes, base, smi, seen, ht, sm, tabs, ring = s
    n = ids.shape[0]
    mask = cfg[HTMASK]
    if j == 3:                       # both candidates of the second nibble, a bit early
        for k in range(n):
            if ids[k] >= 0:
                ht_prefetch(ht, hash2(hashes[k], c0 * 2), mask)
                ht_prefetch(ht, hash2(hashes[k], c0 * 2 + 1), mask)
    node = nibble_node(c0, j)
    xo = cfg[XO]
    hits = 0
    for k in range(n):
        if ids[k] < 0:               # a slot switched off (structured contexts)
            smi[k] = k * 256
            x[U(xo + k)] = 0
            continue
        st = np.int64(ht[U(base[k] + node)])
        if st != 0:
            hits += 1
        smi[k] = k * 256 + st
        x[U(xo + k)] = STRETCH[U(sm_p(sm, k * 256 + st))]
    if det:
        xd = cfg[XD]
        for k in range(n):
            x[U(xd + k)] = x[U(xo + k)] if DETERMINISTIC[U(smi[k] & 255)] else 0
    h[SEEN] = seen[hits]


@phase
def cm_update(s, h, y, c0, j, det):
    cfg, ids, sids, hashes, base, smi, seen, ht, sm, tabs, ring = s
    n = ids.shape[0]
    node = nibble_node(c0, j)
    limit = h[LIMIT]
    for k in range(n):
        if ids[k] >= 0:
            t = smi[k]
            ht[U(base[k] + node)] = NEX[U((t & 255) * 2 + y)]
            sm_update(sm, t, y, limit, DT)
    if j == 3:                       # the second nibble's slots
        mask = cfg[HTMASK]
        c1 = c0 * 2 + y
        for k in range(n):
            if ids[k] >= 0:
                smi[k] = hash2(hashes[k], c1)
                ht_prefetch(ht, smi[k], mask)
        for k in range(n):
            if ids[k] >= 0:
                base[k] = ht_find(ht, smi[k], mask, COUNT)


class ContextMap(Component):
    name = "contextmap"
    PARAMS = (
        Param("ht_bits", "hb", 10, 24, 22, 1, "hash table: 2^ht_bits slots of 16 bytes"),
        Param("contexts", "cx", default=DEFAULT_CONTEXTS, since=1, check=_check_contexts,
              doc="the contexts, comma-separated names of contexts.py"),
        Param("det_inputs", "di", 0, 1, 0, 3, "1: a deterministic-history input per context"),
        Param("struct_contexts", "sx", default="", since=3, check=_check_struct_contexts,
              doc="the contexts once structure.py detects JSON/CSV (in the slots of ``contexts``: "
                  "shared ones keep theirs, new ones take the freed ones; empty: no switch)"),
    )
    begin = cm_begin
    predict = cm_predict
    update = cm_update

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        self.ids = parse_contexts(p["contexts"])
        n = len(self.ids)
        self.cfg = np.zeros(4, dtype=np.int64)
        self.cfg[HTMASK] = (1 << p["ht_bits"]) - 1
        if p["struct_contexts"]:
            self.sids = slot_ids(p["contexts"], p["struct_contexts"])
            self.cfg[SWITCH] = 1
        else:
            self.sids = self.ids.copy()
        self.hashes, self.base, self.smi = (np.zeros(n, dtype=np.int64) for _ in range(3))
        self.seen = np.array([(k * 8) // (n + 1) for k in range(n + 1)], dtype=np.int64)
        self.ht = new_hashtable(p["ht_bits"])
        self.sm = new_state_statemap(n)

    def static(self) -> tuple[int, ...]:
        return (self.p["det_inputs"],)

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        n = len(p["contexts"].split(","))
        w = np.full(n * (2 if p["det_inputs"] else 1), MIX_INIT, dtype=np.int32)
        w[n:] = 0                     # the deterministic inputs' weights start at 0
        return w

    def place(self, xo: int) -> None:
        super().place(xo)
        self.cfg[XO] = xo
        self.cfg[XD] = xo + len(self.ids)

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        n = len(p["contexts"].split(","))
        return 16 * 2 ** p["ht_bits"] + 4 * 256 * n + 8 * (6 * n + 1) + 8 * 4

    @classmethod
    def fit(cls, p: dict, size: int) -> dict:
        """A stream of ``size`` bytes touches at most 2 n size slots (one per
        context and nibble): a table of at least twice that (and 2^16) loses
        nothing to collisions that the full table would not."""
        n = len(p["contexts"].split(","))
        bits = max(FIT_MIN_BITS, (4 * n * size - 1).bit_length())
        return {"ht_bits": bits} if bits < p["ht_bits"] else {}

    def state(self) -> tuple:
        sh = self.shared
        return (self.cfg, self.ids, self.sids, self.hashes, self.base, self.smi, self.seen, self.ht, self.sm,
                sh.tabs, sh.ring)

    def own_arrays(self) -> tuple:
        return (self.cfg, self.ids, self.sids, self.hashes, self.base, self.smi, self.seen, self.ht, self.sm)
