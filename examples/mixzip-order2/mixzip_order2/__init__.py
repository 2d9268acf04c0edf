"""Order2: an example third-party mixzip component - the order-2 context, as a plugin.

What it predicts: P(next bit = 1) given the last two bytes and the bits of
the current byte so far, from the bit history seen in that context: two
mixer inputs, stretch(StateMap[state]) and the same again while the history
has seen one bit value only (else 0; its weights start at 0) - exactly what
one context of mixzip's context map gives (predictors/contextmap.py), with
a hash table of its own.

State: a checked hash table of bit-history slots (2^TABLE_BITS slots of 16
bytes: one per context and nibble), a StateMap of 256 entries indexed by
the history state, and a few int64 scalars.

Per byte (``begin``): hash c2 c1 and find the first nibble's slot.  Per bit
(``predict``): read the state at the nibble's node; the inputs.  Learn
(``update``): the state takes the bit, the StateMap entry moves toward it
(limit h[LIMIT]); after the fourth bit, the second nibble's slot.

Use it: ``pip install ./examples/mixzip-order2``, then
``mixzip --plugin order2 FILE`` or ``mixzip.compress(data, plugins=["order2"])``;
the archive header names it (``+order2/1``), so decoding needs it too.
Memory: 16 x 2^TABLE_BITS + 4 x 256 bytes.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, phase
from mixzip.predictors.component import MIX_INIT, Component
from mixzip.predictors.contextmap import COUNT, DETERMINISTIC, NEX, nibble_node
from mixzip.predictors.contexts import hash2
from mixzip.predictors.hashtable import ht_find, ht_prefetch, new_hashtable
from mixzip.predictors.history import C4, LIMIT
from mixzip.predictors.logistic import STRETCH
from mixzip.predictors.statemap import DT, new_state_statemap, sm_p, sm_update

TABLE_BITS = 20
# st: int64 scalars
XO, MASK, HASH, BASE, SMI = range(5)


@phase
def order2_begin(s, h):
    st, ht, sm = s
    st[HASH] = hash2(h[C4] & 0xFFFF, 0x6F32)
    ht_prefetch(ht, st[HASH], st[MASK])
    st[BASE] = ht_find(ht, st[HASH], st[MASK], COUNT)


@phase
def order2_predict(s, h, x, c0, j):
    st, ht, sm = s
    if j == 3:                          # both candidates of the second nibble, a bit early
        ht_prefetch(ht, hash2(st[HASH], c0 * 2), st[MASK])
        ht_prefetch(ht, hash2(st[HASH], c0 * 2 + 1), st[MASK])
    state = np.int64(ht[U(st[BASE] + nibble_node(c0, j))])
    st[SMI] = state
    xo = st[XO]
    x[U(xo)] = STRETCH[U(sm_p(sm, state))]
    x[U(xo + 1)] = x[U(xo)] if DETERMINISTIC[U(state)] else 0


@phase
def order2_update(s, h, y, c0, j):
    st, ht, sm = s
    state = st[SMI]
    ht[U(st[BASE] + nibble_node(c0, j))] = NEX[U(state * 2 + y)]
    sm_update(sm, state, y, h[LIMIT], DT)
    if j == 3:
        st[BASE] = ht_find(ht, hash2(st[HASH], c0 * 2 + y), st[MASK], COUNT)


class Order2(Component):
    name = "order2"
    version = "1"
    begin = order2_begin
    predict = order2_predict
    update = order2_update

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        self.st = np.zeros(5, dtype=np.int64)
        self.st[MASK] = (1 << TABLE_BITS) - 1
        self.ht = new_hashtable(TABLE_BITS)
        self.sm = new_state_statemap(1)

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        return np.array([MIX_INIT, 0], dtype=np.int32)      # the deterministic input starts at 0

    def place(self, xo: int) -> None:
        super().place(xo)
        self.st[XO] = xo

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 8 * 5 + 16 * (1 << TABLE_BITS) + 4 * 256

    def state(self) -> tuple:
        return (self.st, self.ht, self.sm)
