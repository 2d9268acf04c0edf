"""Rates: the learning rates of the StateMaps, APMs and mixers, per byte and per bit.

What it computes: no prediction.  Before each byte it sets the StateMaps'
count limit h[LIMIT] and the APMs' rate h[ARATE] for the position bucket
h[PB]; with the EML heuristics' ``lr`` node (eml.py) it also sets the
mixers' rate h[LR] after each bit from the position and the recent loss of
the final probability.  Without EML (every level) the tables are the
constants ``sm_limit``, ``apm_rate`` and 16 ``lr``, and there is no per-bit
work at all (the driver is compiled without it).

The EML ``set`` and ``blend`` nodes are read by the mixers (a factor per
weight set's step) and the APM chain (the final blend): their tables live
here, the components that use them take them at construction.

Per bit, with the ``lr`` node (after the bit y with final p16 is coded):
    lr := LRT[pb * 8 + (loss >> 13)]          (1/16 units)
    loss += (|y * 65536 - p16| - loss) >> LOSS_SHIFT   (16-bit scale)
Memory: 8 x (2 x 512 + 3 x 64 + 1) bytes of tables.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline, phase
from mixzip.predictors import eml as eml_mod
from mixzip.predictors.component import Component, Param
from mixzip.predictors.eml import LOSS_SHIFT
from mixzip.predictors.history import ARATE, LIMIT, LR, P, PB


def _check_eml(text: str) -> None:
    if text != "":
        eml_mod.from_text(text)


@phase
def rates_begin(s, h, use_lr):
    loss, lrt, art, slt = s
    pb = h[PB]
    h[LIMIT] = slt[U(pb)]
    h[ARATE] = art[U(pb)]


@phase
def rates_update(s, h, y, c0, j, use_lr):
    if use_lr:
        loss, lrt, art, slt = s
        le = loss[0]
        h[LR] = lrt[U(h[PB] * 8 + (le >> 13))]
        ae = (y << 16) - h[P]
        loss[0] = le + (((ae if ae >= 0 else -ae) - le) >> LOSS_SHIFT)


class Rates(Component):
    name = "rates"
    PARAMS = (
        Param("lr", "lr", 1, 256, 8, 1, "mixer learning rate"),
        Param("apm_rate", "ar", 1, 12, 6, 1, "APM rate (a shift: 1/2^apm_rate)"),
        Param("sm_limit", "sl", 1, 1023, 1023, 1, "StateMap count limit (adaptation)"),
        Param("eml", "eml", default="", since=3, check=_check_eml,
              doc="EML heuristics: 12, 16 or 20 integers in eighths (eml.py); absent: the constants"),
    )
    begin = rates_begin
    update = rates_update

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        self.params = eml_mod.from_text(p["eml"]) if p["eml"] != "" else [0] * eml_mod.NPARAM
        self.lrt, self.art, self.slt, self.srt, self.blt = eml_mod.tables(
            self.params, p["lr"], p["apm_rate"], p["sm_limit"], p["apms"])
        self.loss = np.zeros(1, dtype=np.int64)
        shared.h[LR] = self.lrt[0]

    def static(self) -> tuple[int, ...]:
        return (1 if self.p["eml"] != "" else 0,)

    def uses_set(self) -> bool:
        return eml_mod.uses_set(self.params)

    def uses_blend(self) -> bool:
        return eml_mod.uses_blend(self.params)

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 8 * (2 * eml_mod.NPOS * eml_mod.NLOSS + 3 * eml_mod.NPOS + 1)

    def state(self) -> tuple:
        return (self.loss, self.lrt, self.art, self.slt)

    def own_arrays(self) -> tuple:
        return (self.loss, self.lrt, self.art, self.slt, self.srt, self.blt)
