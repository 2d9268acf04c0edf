"""MoE router: per bit, picks K of the E expert mixers and blends their outputs.

What it predicts: nothing by itself.  The experts are the backbone's mixers
(mixer.py), each over all model inputs with its own context-selected weight
set; the router decides, per bit, which K of them to use and how much to
trust each.  It replaces the final mixer of the two-layer network.

Router: a linear model over one-hot features, softmax-gated.  Each feature f
has a value v_f (a row of the table R); expert e's logit is

    z_e = sum_f R[v_f, e]                         (1/65536 nats, int32 entries)

The K experts with the largest z_e + b_e are selected (b_e: the balancing
bias below; ties go to the lower index), and the gates are a softmax over
the selected logits only:

    g_k = EXPN[(z_max - z_k) >> 8] / sum          (16-bit fixed, sum ~ 65536)
    EXPN[d] = round(65536 exp(-d/256)), d = 0..4095 (computed with decimal)

Output, in the stretch domain (1/256 log-odds units, |s| <= 2047):

    s = sum_k g_k s_k >> 16,        p = squash(s)

Learning (after the bit y is coded; err = (y << 16) - p16):
  * experts: each selected expert takes a mixer step with its own error
    ((y << 16) - squash(s_k)) at the mixers' rate (scaling the step by the
    gate g_k measured worse: 0.9888 vs 0.9846 bpb for 3 of 8);
  * router: the gradient of the coding cost with respect to z_k is
    (y - p) g_k (s_k - s); the step is

        d = ((err g_k >> 16) (s_k - s) rr SCHED[b]) >> 22, clipped to +-CLIP,
        R[v_f, k] += d  for every feature f

    with b = bit_length(bytes coded) and SCHED in 1/256 units: a warm-up over the
    first 256 bytes (the experts know nothing yet), then a decay to 1/4 of
    the rate past 64 KiB.  rr is about a tenth of the experts' rate in the
    same units.  K = 1 would give no router gradient (one gate is 1), so K >= 2.
  * balancing (so the router does not collapse onto a few experts): each
    expert's selection rate u_e is tracked per byte (exponential average,
    1/65536 units, time constant 128 bytes).  An expert selected less than
    a quarter of its fair share K/E is starved: its bias b_e grows by
    BAL_STEP per byte (up to 1 nat) until it is selected again; otherwise
    b_e fades back to 0.  The bias only affects which experts are selected,
    never the gates (the bias-based, auxiliary-loss-free balancing of
    DeepSeek-V3, with a dead zone: forcing exact balance measured 0.06%
    worse on Canterbury at level 9).

All integer; the decoder repeats every step.  Memory: 4 E x ROWS bytes for R
(E = 8: 110 KiB) plus a few scalars per expert.

What it is worth: docs/RESULTS.md ("Mixing").

How to call, with feature row f's index x ne in ``rows[f]`` (f < NF):
  per bit:
    moe_select(R, rows, ne, k, mo)            -> mo[SEL:SEL+k], logits in mo[Z:]
    moe_gates(mo, k, expn)                    -> mo[GATE:GATE+k]
    xs[i] = mixer_dot(expert mo[SEL+i]) for i < k
    s = mixer_dot(mo, GATE, xs, k)            (the gates are the weights: sum g x >> 16, clamped)
    code the bit; mixer_update each selected expert with its own error
    moe_router_update(R, rows, ne, k, mo, xs, s, (y << 16) - squash(s), rr SCHED[b])
    moe_count(mo, k, negln, stats)           (stats: also the stream statistics, for analyze)
  per byte:
    moe_balance(mo, ne, k)
"""
from __future__ import annotations

import numpy as np

from mixzip.jit import U, inline
from mixzip.predictors import logistic

MAXEXP = 8                 # experts
# Router features (rows of R): c0 (bit position and partial byte); c1 with the
# bit position; hashed (c2, c1); match state with the expected bit and bit
# position; share of contexts seen before with the neural confidence.
ROWS = (256, 256 * 8, 1024, 4 * 2 * 8, 8 * 8)
ROW_BASE = tuple(sum(ROWS[:i]) for i in range(len(ROWS)))
NF = len(ROWS)
NROWS = sum(ROWS)

CLIP = 1 << 14             # largest router step, 1/65536 nats
RMAX = 1 << 22             # |R| bound (64 nats)
BAL_STEP = 32              # balancing bias step per byte, 1/65536 nats
BAL_MAX = 1 << 16          # |b_e| <= 1 nat
U_SHIFT = 7                # selection-rate average: time constant 2^7 bytes
STARVED = 2                # an expert selected less than (K/E) / 2^STARVED of the time is starved

# mo: int64 router scratch and state, offsets
Z, BIAS, USE, SEL, GATE, CNT = 0, MAXEXP, 2 * MAXEXP, 3 * MAXEXP, 4 * MAXEXP, 5 * MAXEXP
# statistics over the stream (for ``mixzip analyze``): gate mass and number of
# selections per expert, sum of the gates' entropy (1/65536 nats), bits routed
MASS, NSEL, ENT, NBIT = 6 * MAXEXP, 7 * MAXEXP, 8 * MAXEXP, 8 * MAXEXP + 1
NMO = 8 * MAXEXP + 2


# EXPN[d] = 65536 exp(-d/256) (the gates); NEGLN[g >> 4] = -ln(g / 65536) in
# 1/65536 nats (the gates' entropy).  Built in logistic.py, like every table.
EXPN = logistic.EXPN
NEGLN = logistic.NEGLN


def router_schedule() -> np.ndarray:
    """SCHED[bit_length(bytes coded)], 1/256 units: warm-up to 256 bytes, decay past 64 KiB."""
    out = np.empty(64, dtype=np.int64)
    for b in range(64):
        if b <= 8:
            out[b] = 32 + 224 * b // 8            # 1/8 -> 1 over the first 256 bytes
        elif b <= 16:
            out[b] = 256
        else:
            out[b] = max(64, 256 >> ((b - 16 + 1) // 2))   # halve every 4x more data, floor 1/4
    return out


def new_router(n_experts: int) -> tuple[np.ndarray, np.ndarray]:
    """(R, mo): the router's logit table (all zero: equal gates) and its state."""
    mo = np.zeros(NMO, dtype=np.int64)
    return np.zeros(NROWS * n_experts, dtype=np.int32), mo


@inline
def moe_select(R, rows, ne, k, mo):
    """Logits of all experts into mo[Z:], the k best (by logit + bias) into
    mo[SEL:SEL+k], best first; ``rows`` holds each feature's row x ne."""
    for e in range(ne):
        z = np.int64(0)
        for f in range(NF):
            z += R[U(rows[f] + e)]
        mo[U(Z + e)] = z
        v = z + mo[U(BIAS + e)]
        i = e if e < k else k          # insertion into the sorted top-k list
        while i > 0 and mo[U(Z + mo[U(SEL + i - 1)])] + mo[U(BIAS + mo[U(SEL + i - 1)])] < v:
            if i < k:
                mo[U(SEL + i)] = mo[U(SEL + i - 1)]
            i -= 1
        if i < k:
            mo[U(SEL + i)] = e


@inline
def moe_gates(mo, k, expn):
    zmax = mo[U(Z + mo[SEL])]
    for i in range(1, k):
        z = mo[U(Z + mo[U(SEL + i)])]
        if z > zmax:
            zmax = z
    tot = np.int64(0)
    for i in range(k):
        d = (zmax - mo[U(Z + mo[U(SEL + i)])]) >> 8
        if d > 4095:
            d = 4095
        g = expn[U(d)]
        mo[U(GATE + i)] = g
        tot += g
    inv = (np.int64(1) << 40) // tot            # one division per bit
    for i in range(k):
        mo[U(GATE + i)] = (mo[U(GATE + i)] * inv) >> 24


@inline
def moe_router_update(R, rows, ne, k, mo, xs, s, err, rr):
    for i in range(k):
        e = mo[U(SEL + i)]
        d = ((((err * mo[U(GATE + i)]) >> 16) * (xs[i] - s)) * rr) >> 22
        if d > CLIP:
            d = CLIP
        elif d < -CLIP:
            d = -CLIP
        for f in range(NF):
            j = U(rows[f] + e)
            v = np.int64(R[j]) + d
            if v > RMAX:
                v = RMAX
            elif v < -RMAX:
                v = -RMAX
            R[j] = v


@inline
def moe_count(mo, k, negln, stats):
    """Per bit: count the selections of this byte (moe_balance uses them) and,
    if ``stats`` (mixzip analyze), the stream statistics (gate mass,
    selections, gate entropy), which nothing else reads."""
    for i in range(k):
        mo[U(CNT + mo[U(SEL + i)])] += 1
    if stats:
        h = np.int64(0)
        for i in range(k):
            e = mo[U(SEL + i)]
            g = mo[U(GATE + i)]
            mo[U(NSEL + e)] += 1
            mo[U(MASS + e)] += g
            gi = g >> 4
            h += (g * negln[U(gi if gi < 4095 else 4095)]) >> 16
        mo[ENT] += h
        mo[NBIT] += 1


@inline
def moe_balance(mo, ne, k):
    """Per byte: update each expert's selection rate and balancing bias."""
    target = (k << 16) // ne
    for e in range(ne):
        u = mo[U(USE + e)]
        u += ((mo[U(CNT + e)] << 13) - u) >> U_SHIFT      # cnt of 8 bits -> share x 65536
        mo[U(USE + e)] = u
        mo[U(CNT + e)] = 0
        b = mo[U(BIAS + e)]
        if u < (target >> STARVED):          # starved: pull it back in
            b += BAL_STEP
            if b > BAL_MAX:
                b = BAL_MAX
        elif b > 0:                           # otherwise let the bias fade
            b -= BAL_STEP
            if b < 0:
                b = 0
        mo[U(BIAS + e)] = b
