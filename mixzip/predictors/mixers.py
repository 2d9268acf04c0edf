"""Mixers: the expert mixers and what combines them (a final mixer or the MoE router).

What it predicts: P(next bit = 1) from all the models' inputs x (stretched
probabilities, |x| <= 2047): 1 to 8 mixers (mixer.py) over every input,
each with a weight set chosen by its own small context, then

    Mixer       one mixer, whose output is the prediction, or 2..8 mixers
                and a final mixer over their outputs, whose weights are
                chosen by (c0, match state, c1 >> 6) (recipe version 1: by
                c0 alone; the ``fsel`` flag);
    MoE         2..8 expert mixers and the router (moe.py), which picks
                moe_k of them per bit and blends them by its gates.

The weight set of mixer m (MIX_SETS sets of nin weights each):
    0  (match state MSTATE, contexts seen SEEN, c0)
    1  (c1, bit position)
    2  (match length bucket MLB, expected bit EB, bit position)
    3  (neural confidence CONF, c0)
    4  (c2, bit position)           5  (c1, c0)
    6  (hashed c3 c2 c1, bit position)
    7  (text shape of the last 4 bytes, bit position)
Router features: c0; c1 with the bit position; hashed (c2, c1); match state
with the expected bit and bit position; contexts seen with the confidence.

The mixers add one input of their own, the bias (a constant 256).

Learning, after bit y: each mixer that predicted (with MoE: each selected
expert) takes a step on its own error (y << 16) - p16 at rate
(h[LR] x its ``mixer_rates`` factor) >> 4, skipped when |error| <=
``mixer_skip`` (mixer.mixer_train); with the EML ``set`` node the step is
scaled per weight set; the final mixer steps on the final error x 4; the
router as moe.py says.  Per byte the router balances its experts.

Signals read: SEEN, MSTATE, MLB, EB, CONF (history.py; 0 where the model
that writes them is absent).  Rates read: h[LR], h[PB] (router schedule).
Memory: 4 x nin x sum(MIX_SETS[:mixers]) (weights) + the final mixer or the
router + a per-set update count with the EML ``set`` node.
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline, phase
from mixzip.predictors import eml as eml_mod
from mixzip.predictors import moe
from mixzip.predictors.component import MIX_INIT, Component, Param
from mixzip.predictors.contexts import hash2, text_shape
from mixzip.predictors.history import C4, CONF, EB, LR, MLB, MSTATE, NACT, PB, SEEN
from mixzip.predictors.logistic import EXPN, NEGLN, SQUASH
from mixzip.predictors.mixer import mixer_dot, mixer_train, mixer_update
from mixzip.predictors.moe import moe_balance, moe_count, moe_gates, moe_router_update, moe_select

MIX_SETS = (4 * 8 * 256, 256 * 8, 32 * 2 * 8, 8 * 256, 256 * 8, 65536, 512 * 8, 4096 * 8)
MIX_BASE = np.array([sum(MIX_SETS[:i]) for i in range(len(MIX_SETS))], dtype=np.int64)
MAXMIX = len(MIX_SETS)
FINAL_SETS = 256 * 4 * 4    # final mixer: (c0, match state, c1 >> 6) (version 1: c0 only)
FINAL_LR = 4
RSCHED = moe.router_schedule()

# cfg: int64 configuration, then per-byte and per-bit values kept between mix and train
(XO, NIN, NMIX, MOEK, MOELR, SKIP, C1, C2, H3, SHP, RR, FBASE, DOT, PM) = range(14)
NCFG = 14
# scr: int64 scratch, MAXMIX entries each (rows: moe.NF)
S_WB, S_XS, S_PS, S_PMX, S_XF = (i * MAXMIX for i in range(5))
S_ROWS = 5 * MAXMIX + 1          # S_XF has MAXMIX + 1 entries (outputs and the bias)
NSCR = S_ROWS + moe.NF


def parse_mixer_rates(text, mixers: int) -> list[int]:
    """``mixer_rates``: factors in 1/16 of the common rate ``lr`` (1..255),
    comma-separated, for the first 1..mixers mixers; the rest (all, for "")
    take 16, the common rate - so a level whose last experts keep it spends
    no header bytes on them."""
    if text == "":
        return [16] * mixers
    try:
        rates = [int(k) for k in str(text).split(",")]
    except ValueError:
        raise ValueError(f"bad mixer_rates {text!r}") from None
    if not 1 <= len(rates) <= mixers or not all(1 <= r <= 255 for r in rates):
        raise ValueError(f"mixer_rates must be 1..{mixers} integers in 1..255 (one per mixer), not {text!r}")
    return rates + [16] * (mixers - len(rates))


def _check_rates(text: str) -> None:
    parse_mixer_rates(text, MAXMIX)


@phase
def mix_begin(s, h, fsel, use_set, stats):
    """Per byte: the contexts of the weight sets and router rows that change by the byte."""
    cfg, mw, mf, rw, mo, scr, rates, mc, srt = s
    c4 = h[C4]
    nmix = cfg[NMIX]
    cfg[C1] = c4 & 0xFF
    cfg[C2] = (c4 >> 8) & 0xFF
    cfg[H3] = hash2(c4 & 0xFFFFFF, 0x3E) if nmix > 6 else 0
    cfg[SHP] = text_shape(c4) if nmix > 7 else 0


@phase
def moe_begin(s, h, fsel, use_set, stats):
    """Per byte: as mix_begin, and the router's per-byte row and rate."""
    mix_begin(s, h, fsel, use_set, stats)
    cfg, mw, mf, rw, mo, scr, rates, mc, srt = s
    scr[S_ROWS + 2] = (moe.ROW_BASE[2] + (hash2(h[C4] & 0xFFFF, 0x52) & 1023)) * cfg[NMIX]
    cfg[RR] = cfg[MOELR] * RSCHED[U(h[PB])]


@inline
def weight_sets(cfg, scr, h, c0, j):
    """Each mixer's weight set for this bit into scr[S_WB + m]."""
    nmix = cfg[NMIX]
    mstate = h[MSTATE]
    scr[S_WB] = (mstate * 8 + h[SEEN]) * 256 + c0
    if nmix > 1:
        scr[S_WB + 1] = MIX_BASE[1] + cfg[C1] * 8 + j
    if nmix > 2:
        scr[S_WB + 2] = MIX_BASE[2] + (h[MLB] * 2 + h[EB]) * 8 + j
    if nmix > 3:
        scr[S_WB + 3] = MIX_BASE[3] + h[CONF] * 256 + c0
    if nmix > 4:
        scr[S_WB + 4] = MIX_BASE[4] + cfg[C2] * 8 + j
    if nmix > 5:
        scr[S_WB + 5] = MIX_BASE[5] + cfg[C1] * 256 + c0
    if nmix > 6:
        scr[S_WB + 6] = MIX_BASE[6] + (cfg[H3] & 511) * 8 + j
    if nmix > 7:
        scr[S_WB + 7] = MIX_BASE[7] + cfg[SHP] * 8 + j


@inline
def train_mixer(cfg, mw, scr, rates, mc, srt, h, x, m, p16, y, use_set):
    """Mixer m learns from bit y, which it predicted with p16."""
    mixer_train(mw, scr[U(S_WB + m)], cfg[NIN], x, h[NACT], (y << 16) - p16, (h[LR] * rates[U(m)]) >> 4, cfg[SKIP],
                use_set, mc, srt)


@phase
def mixers_mix(s, h, x, c0, j, fsel, use_set, stats):
    """Mixer 0 alone, or the mixers and the final mixer: returns (dot, p16)."""
    cfg, mw, mf, rw, mo, scr, rates, mc, srt = s
    nin = cfg[NIN]
    nact = h[NACT]                   # the inputs after it are 0 (late components asleep)
    nmix = cfg[NMIX]
    weight_sets(cfg, scr, h, c0, j)
    for m in range(nmix):
        xm = mixer_dot(mw, scr[U(S_WB + m)] * nin, x, nact)
        scr[U(S_XF + m)] = xm
        scr[U(S_PMX + m)] = SQUASH[U(xm + 2047)]
    if nmix > 1:
        sel = 256 * (h[MSTATE] * 4 + (cfg[C1] >> 6)) if fsel else 0
        fbase = (c0 + sel) * (nmix + 1)
        cfg[FBASE] = fbase
        dot = mixer_dot(mf, fbase, scr[S_XF:S_XF + nmix + 1], nmix + 1)
    else:
        dot = scr[S_XF]
    pm = np.int64(SQUASH[U(dot + 2047)])
    cfg[PM] = pm
    return dot, pm


@phase
def mixers_train(s, h, x, y, c0, j, fsel, use_set, stats):
    cfg, mw, mf, rw, mo, scr, rates, mc, srt = s
    nmix = cfg[NMIX]
    for m in range(nmix):
        train_mixer(cfg, mw, scr, rates, mc, srt, h, x, m, scr[U(S_PMX + m)], y, use_set)
    if nmix > 1:
        mixer_update(mf, cfg[FBASE], scr[S_XF:S_XF + nmix + 1], nmix + 1, ((y << 16) - cfg[PM]) * FINAL_LR)


@phase
def moe_mix(s, h, x, c0, j, fsel, use_set, stats):
    """The router picks moe_k experts and blends them: returns (dot, p16)."""
    cfg, mw, mf, rw, mo, scr, rates, mc, srt = s
    nin = cfg[NIN]
    nmix = cfg[NMIX]
    k = cfg[MOEK]
    weight_sets(cfg, scr, h, c0, j)
    rows = scr[S_ROWS:S_ROWS + moe.NF]
    rows[0] = c0 * nmix
    rows[1] = (moe.ROW_BASE[1] + cfg[C1] * 8 + j) * nmix
    rows[3] = (moe.ROW_BASE[3] + (h[MSTATE] * 2 + h[EB]) * 8 + j) * nmix
    rows[4] = (moe.ROW_BASE[4] + h[SEEN] * 8 + h[CONF]) * nmix
    moe_select(rw, rows, nmix, k, mo)
    moe_gates(mo, k, EXPN)
    for q in range(k):
        m = mo[U(moe.SEL + q)]
        xq = mixer_dot(mw, scr[U(S_WB + m)] * nin, x, h[NACT])
        scr[U(S_XS + q)] = xq
        scr[U(S_PS + q)] = SQUASH[U(xq + 2047)]
    dot = mixer_dot(mo, moe.GATE, scr[S_XS:S_XS + k], k)      # gate-weighted blend, as a mixer
    pm = np.int64(SQUASH[U(dot + 2047)])
    cfg[DOT] = dot
    cfg[PM] = pm
    return dot, pm


@phase
def moe_train(s, h, x, y, c0, j, fsel, use_set, stats):
    cfg, mw, mf, rw, mo, scr, rates, mc, srt = s
    nmix = cfg[NMIX]
    k = cfg[MOEK]
    for q in range(k):
        train_mixer(cfg, mw, scr, rates, mc, srt, h, x, mo[U(moe.SEL + q)], scr[U(S_PS + q)], y, use_set)
    moe_router_update(rw, scr[S_ROWS:S_ROWS + moe.NF], nmix, k, mo, scr[S_XS:S_XS + k], cfg[DOT],
                      (y << 16) - cfg[PM], cfg[RR])
    moe_count(mo, k, NEGLN, stats)


@phase
def moe_step(s, h, c, fsel, use_set, stats):
    cfg, mw, mf, rw, mo, scr, rates, mc, srt = s
    moe_balance(mo, cfg[NMIX], cfg[MOEK])


class Mixer(Component):
    """1..8 mixers (and with more than one, a final mixer)."""

    name = "mixer"
    role = "mix"
    PARAMS = (
        Param("mixers", "mx", 1, MAXMIX, 1, 1, "expert mixers (1..8; more than 4 from version 3)"),
        Param("mixer_skip", "sk", 0, 4096, 0, 3, "a mixer skips its step when its error is at most this / 65536"),
        Param("mixer_rates", "mr", default="", since=3, check=_check_rates,
              doc="the first mixers' own rates in 1/16 of lr, comma-separated (the rest: 16)"),
        Param("moe_k", "ek", 0, MAXMIX, 0, 3, "MoE router: experts per bit (0: a final mixer)"),
        Param("moe_lr", "er", 0, 4096, 16, 3, "MoE router rate"),
    )
    begin = mix_begin
    mix = mixers_mix
    train = mixers_train
    step = None

    def __init__(self, p: dict, shared, weights: np.ndarray, stats: bool = False) -> None:
        """``weights``: the initial weight of every mixer input, in input order."""
        super().__init__(p, shared)
        nmix, k = p["mixers"], p["moe_k"]
        nin = len(weights)
        nsets = sum(MIX_SETS[:nmix])
        rates_model = shared.models["rates"]
        self.use_set = rates_model.uses_set()
        self.stats = stats
        self.cfg = np.zeros(NCFG, dtype=np.int64)
        self.cfg[NIN], self.cfg[NMIX], self.cfg[MOEK], self.cfg[MOELR] = nin, nmix, k, p["moe_lr"]
        self.cfg[SKIP] = p["mixer_skip"]
        self.mw = np.tile(np.asarray(weights, dtype=np.int32), nsets)
        self.mf = np.full((nmix + 1) * (FINAL_SETS if nmix > 1 and not k else 1), 65536 // nmix, dtype=np.int32)
        self.rw, self.mo = moe.new_router(nmix if k else 1)
        self.scr = np.zeros(NSCR, dtype=np.int64)
        self.scr[S_XF + nmix] = 256               # the final mixer's bias
        self.rates = np.array(parse_mixer_rates(p["mixer_rates"], nmix), dtype=np.int64)
        self.mc = np.zeros(nsets if self.use_set else 1, dtype=np.int32)   # updates per weight set
        self.srt = rates_model.srt

    @classmethod
    def validate(cls, p: dict) -> None:
        parse_mixer_rates(p["mixer_rates"], p["mixers"])
        if p["moe_k"] and not 2 <= p["moe_k"] <= p["mixers"]:
            raise ValueError(f"moe_k must be 0 (no router) or in 2..mixers, not {p['moe_k']}")

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        return np.full(1, MIX_INIT, dtype=np.int32)       # the bias

    def prime(self, x: np.ndarray) -> None:
        x[self.xo] = 256

    def static(self) -> tuple[int, ...]:
        """(fsel: the final mixer's sets use the match state and c1 (recipe
        version >= 2), use_set: the EML set node, stats: router statistics)."""
        return (1 if self.p["version"] >= 2 else 0, 1 if self.use_set else 0, 1 if self.stats else 0)

    @classmethod
    def memory_for(cls, p: dict, nin: int) -> int:
        nmix, k = p["mixers"], p["moe_k"]
        use_set = p["eml"] != "" and eml_mod.uses_set(eml_mod.from_text(p["eml"]))
        nsets = sum(MIX_SETS[:nmix])
        return (4 * nin * nsets + 4 * (nmix + 1) * (FINAL_SETS if nmix > 1 and not k else 1)
                + 4 * moe.NROWS * (nmix if k else 1) + 8 * moe.NMO + 8 * (NCFG + NSCR + nmix)
                + 4 * (nsets if use_set else 1))

    def state(self) -> tuple:
        return (self.cfg, self.mw, self.mf, self.rw, self.mo, self.scr, self.rates, self.mc, self.srt)

    def own_arrays(self) -> tuple:
        return (self.cfg, self.mw, self.mf, self.rw, self.mo, self.scr, self.rates, self.mc)


class MoE(Mixer):
    """2..8 expert mixers and the MoE router."""
    name = "moe"
    begin = moe_begin
    mix = moe_mix
    train = moe_train
    step = moe_step
