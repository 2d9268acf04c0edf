"""Order 0: a direct StateMap on the partial byte.

What it predicts: P(next bit = 1) given only the bits of the current byte
coded so far (c0, 1..255): one mixer input, stretch(StateMap[c0]).
Update: the entry moves toward the bit (statemap.py, limit h[LIMIT]).
Memory: 256 x 4 bytes.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline, phase
from mixzip.predictors.component import MIX_INIT, Component
from mixzip.predictors.history import LIMIT
from mixzip.predictors.logistic import STRETCH
from mixzip.predictors.statemap import DT, new_statemap, sm_p, sm_update


@phase
def order0_predict(s, h, x, c0, j):
    cfg, sm = s
    x[U(cfg[0])] = STRETCH[U(sm_p(sm, c0))]


@phase
def order0_update(s, h, y, c0, j):
    cfg, sm = s
    sm_update(sm, c0, y, h[LIMIT], DT)


class Order0(Component):
    name = "order0"
    predict = order0_predict
    update = order0_update

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        self.cfg = np.zeros(1, dtype=np.int64)
        self.sm = new_statemap(256)

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        return np.full(1, MIX_INIT, dtype=np.int32)

    def place(self, xo: int) -> None:
        super().place(xo)
        self.cfg[0] = xo

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 8 + 4 * 256

    def state(self) -> tuple:
        return (self.cfg, self.sm)
