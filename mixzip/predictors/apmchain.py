"""APM chain: 1 to 3 adaptive probability maps refine the mixers' prediction.

What it predicts: the final P(next bit = 1), 16 bits, from the mixers'
output (its stretch ``dot`` and its probability ``pm``) through up to three
APMs (apm.py) keyed by growing contexts, averaged with pm at fixed ratios:

    a1 on c0                      p = (pm + 3 p1 + 2) >> 2
    a2 on (c0, c1)                p = (pm + p1 + 2 p2 + 2) >> 2
    a3 on (c0, hashed c2 c1)      p = (pm + p1 + 3 p2 + 3 p3 + 4) >> 3

With the EML ``blend`` node (a compile-time variant; eml.py) pm's share is
w = BLT[pb x 8 + min(|dot| >> 8, 7)] / 4096 instead:
p = (pm w + A (4096 - w) / D) / 4096, rounded, with A the APMs' sum at
their fixed ratios and D the ratios' sum, the division by D as a multiply
by R = floor(2^24 / D) (R x D <= 2^24, so the product errs low, by < 0.03 of
a unit of p before the final rounding: p stays within the range of pm and
the APMs' outputs).

Learning: the nearer bucket of each APM moves toward the bit at rate
h[ARATE] (a shift).  Each bit also prefetches the rows both values of the
bit will read next.  Memory: 2 x 33 x (256 + 65536 + 2^18) bytes with three
APMs (66 B a context).
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline, phase, prefetch
from mixzip.predictors.apm import apm_p, apm_update, new_apm
from mixzip.predictors.component import Component, Param
from mixzip.predictors.contexts import hash2
from mixzip.predictors.history import ARATE, C4, PB

APM_SIZES = (256, 65536, 1 << 18)   # contexts of a1 (c0), a2 (c0, c1), a3 (c0, hashed c2 c1)
BLEND_R1, BLEND_R3, BLEND_R7 = 1 << 24, (1 << 24) // 3, (1 << 24) // 7

# cfg: int64 configuration and per-bit state
NAPM, C1, A3H, J1, J2, J3 = range(6)


@phase
def apm_begin(s, h, blend):
    cfg, a1, a2, a3, blt = s
    c4 = h[C4]
    cfg[C1] = c4 & 0xFF
    cfg[A3H] = hash2(c4 & 0xFFFF, 0xA3) if cfg[NAPM] > 2 else 0


@phase
def apm_refine(s, h, dot, pm, c0, j, blend):
    """The final probability (16 bits) from the mixers' (dot, pm)."""
    cfg, a1, a2, a3, blt = s
    napm = cfg[NAPM]
    c1 = cfg[C1]
    a3h = cfg[A3H]
    if j < 7:                        # the rows the next bit reads, for either value of this one
        if napm > 1:
            q = ((c0 * 2) | (c1 << 8)) * 33
            prefetch(a2, q)
            prefetch(a2, q + 32)
            prefetch(a2, q + 65)
        if napm > 2:
            for b in range(2):
                q = ((a3h + (c0 * 2 + b) * 0x2F0B3) & 0x3FFFF) * 33
                prefetch(a3, q)
                prefetch(a3, q + 32)
    p1, j1 = apm_p(a1, c0, dot)
    cfg[J1] = j1
    if napm == 1:
        p = (pm + 3 * p1 + 2) >> 2
        sa, ra = p1, BLEND_R1            # the APMs' sum at their fixed ratios, 2^24 / its divisor
    else:
        p2, j2 = apm_p(a2, c0 | (c1 << 8), dot)
        cfg[J2] = j2
        if napm == 2:
            p = (pm + p1 + 2 * p2 + 2) >> 2
            sa, ra = p1 + 2 * p2, BLEND_R3
        else:
            p3, j3 = apm_p(a3, (a3h + c0 * 0x2F0B3) & 0x3FFFF, dot)
            cfg[J3] = j3
            p = (pm + p1 + 3 * p2 + 3 * p3 + 4) >> 3
            sa, ra = p1 + 3 * p2 + 3 * p3, BLEND_R7
    if blend:
        wm = blt[U(h[PB] * 8 + min((dot if dot >= 0 else -dot) >> 8, 7))]   # pm's share, 1/4096
        p = (pm * wm + ((sa * (4096 - wm) * ra) >> 24) + 2048) >> 12
    return p


@phase
def apm_learn(s, h, y, c0, j, blend):
    cfg, a1, a2, a3, blt = s
    napm = cfg[NAPM]
    rate = h[ARATE]
    apm_update(a1, cfg[J1], y, rate)
    if napm > 1:
        apm_update(a2, cfg[J2], y, rate)
    if napm > 2:
        apm_update(a3, cfg[J3], y, rate)


class ApmChain(Component):
    name = "apm"
    role = "refine"
    PARAMS = (
        Param("apms", "ap", 1, 3, 3, 1, "APM stages (1..3)"),
    )
    begin = apm_begin
    refine = apm_refine
    update = apm_learn

    def __init__(self, p: dict, shared) -> None:
        super().__init__(p, shared)
        n = p["apms"]
        self.cfg = np.zeros(6, dtype=np.int64)
        self.cfg[NAPM] = n
        self.a1, self.a2, self.a3 = (new_apm(APM_SIZES[i] if i < n else 1) for i in range(3))
        rates = shared.models["rates"]
        self.blend = rates.uses_blend()
        self.blt = rates.blt

    def static(self) -> tuple[int, ...]:
        return (1 if self.blend else 0,)

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 8 * 6 + 2 * 33 * sum(APM_SIZES[i] if i < p["apms"] else 1 for i in range(3))

    def state(self) -> tuple:
        return (self.cfg, self.a1, self.a2, self.a3, self.blt)

    def own_arrays(self) -> tuple:
        return (self.cfg, self.a1, self.a2, self.a3)
