"""The context-model backbone (recipe "cm"): a paq-style context mixer.

What it predicts: P(next bit = 1), for every bit of the stream, MSB first.

Models (mixer inputs, in this order; n = number of contexts of the level):
    0..n-1  the level's contexts (contexts.py: orders 1-16, words, sparse,
            record/2-D, text column, indirect), each a bit-history state in
            the checked hash table (hashtable.py) read through its own StateMap
    n       order 0: a direct StateMap on the partial byte c0
    n+1,n+2 MatchModel (match.py): StateMap on (length bucket, expected bit)
            and a fixed-strength vote for the expected bit
    n+3     bias (constant 256)
    n+4..   one input per byte-level plugin (plugins.py), through the
            byte -> bit adapter (bytemodel.py)
    then    two inputs per built-in neural byte model (the GRU, gru.py,
            then the attention model, attention.py), through the same
            adapter: stretch(p) and stretch(p) x (confidence bucket 0..7) / 8
            (measured on three text files: better than a linear-p second
            input, which did not help at all)
    then    n run inputs (``runs=1``), then n deterministic inputs
            (``det_inputs=1``): context k's stretch again when its bit
            history has seen one bit value only, else 0, so a mixer can
            trust a context that never contradicted itself more (or less)
            than one that did.  Their weights start at 0 (at MIX_INIT, like
            the others, the doubled vote cost 5%).  Measured on Canterbury:
            -0.33% to -0.65% at every level at 3-15% lower speed, so every
            level uses it (recipes.py); a linear (p - 1/2) input per context
            instead, as paq8 also adds, gained nothing (-0.01%); leaving
            the inputs of o1 out keeps 93% of the gain at level 8, of the
            order-N contexts only 42%, so every context has one.
Mixers (mixer.py): 1 to 8 mixers over all inputs, each choosing its weight
    set by its own small context (MIX_SETS below; the fourth by the GRU's
    confidence, for the neural levels); with more than one, either a final
    mixer (weights chosen by c0, the match state and c1 >> 6; by c0 alone in
    recipe version 1) combines their outputs, or (``moe_k`` > 0) the MoE
    router (moe.py) picks moe_k of them per bit and blends them by its gates;
    the chosen experts then learn from their own errors.  With
    ``mixer_skip`` > 0 a mixer (expert) whose own prediction was within
    mixer_skip / 65536 of the bit skips its update: such steps are tiny,
    and with the update's flooring shift (mixer.py) mostly rounding noise.
    At 128 (every level) measured 2-10% faster and 0.01-0.14% smaller
    (levels 1, 5, 8, 9 on Canterbury; 256 and 512: as fast, no smaller).
    ``mixer_rates`` gives each mixer its own rate, (lr x r) >> 4 for r in
    1/16: with the router, experts that learn at different speeds are a
    choice it can make per bit (recipes.py: levels 8-10).
APM chain (apm.py): 1 to 3 stages on c0, (c0, c1) and (c0, hashed c2 c1),
    averaged with the mixer output; clamped to [1, 65535], coded in 16 bits.

Call order per bit (inside ``code_block``, all in Numba):
    prefetch the APM rows of both children of c0 (and, before bit 4, the
    hash-table slots of both possible second nibbles: the miss then overlaps
    a whole bit's work; measured level 8 0.49-0.53 -> 0.56-0.61 MB/s)
    -> read states -> StateMaps -> stretch -> mixers -> squash -> APMs -> code
    -> update states (NEX), StateMaps, mixers, APMs -> c0 := 2 c0 + y
    at bit 4: new hash-table slots for the second nibble
    at bit 8: match model, neural models' step (learn the byte, predict the
    next), byte history (contexts.py), next context hashes.

Parameters (the archive header records all of them; recipes.py sets them per
level): ht_bits, match_bits (memory), contexts (names, comma-separated),
mixers (1..8), apms (1..3), runs (0/1: the run model), det_inputs (0/1:
the deterministic inputs), lr (mixer rate),
sm_limit (StateMap count limit), apm_rate, off (ablation switches; 0 in
every level); mixer_skip (0..4096); the GRU's gru_hidden (0 = off),
gru_embed, gru_window, gru_lr, gru_olr, gru_b1 and gru_b2 (Adam's moment
rates in 1/100 and 1/10000; absent from a spec: 90 and 9990, as before they
were parameters) and the attention model's attn_dim (0 = off), attn_levels,
attn_lr, attn_src; the MoE router's moe_k (0 = final mixer instead) and moe_lr;
mixer_rates (cm/3: the first mixers' own rates, in 1/16 of lr; the rest, and
all when absent, learn at lr).
The recipe version comes from the spec, not a parameter.

Run model (``runs=1``): per context, a direct-mapped table remembers the last
byte seen in that context and how many times in a row (8-bit checksum, byte,
count); while the partial byte agrees with it, a StateMap on (count bucket,
predicted bit) gives one more mixer input per context.  Measured on
Canterbury it pays little (-0.12% at level 6, +0.17% at level 9) for 20-40%
more time, so no level turns it on.

Scales: stretch in 1/256 log-odds units (|x| <= 2047), probabilities 16 bit
at the coder, 12 bit into ``stretch``.  See each module for its own spec.

Memory: ``Backbone.memory_for`` (16 B x 2^ht_bits hash table, 2 x
2^match_bits match history and index, mixers, APMs, history tables).

Per-stream state that outlives a block is kept in ``st`` (int64 scalars) and
the arrays; blocks are coded by independent coder messages but the model
carries over, so splitting a stream into blocks costs almost nothing.
"""
from __future__ import annotations

import numpy as np

from mixzip.codec import coder
from mixzip.codec.coder import code_bit, save_coder
from mixzip.jit import U, inline, kernel, prefetch
from mixzip.predictors import logistic, statetable
from mixzip.predictors.apm import apm_p, apm_update, new_apm
from mixzip.predictors.bytemodel import byte_to_bit_p12
from mixzip.predictors.contexts import C4, C8, NHIST, NTABS, POS, context_hashes, text_shape, hash2, history_update, new_history
from mixzip.predictors.contexts import parse as parse_contexts
from mixzip.predictors.attention import A_CONF, Attention, attn_step
from mixzip.predictors.gru import G_CONF, G_H, G_S, Gru, gru_step
from mixzip.predictors.hashtable import ht_find, ht_prefetch, new_hashtable
from mixzip.predictors.match import len_bucket, mm_byte, new_match, NBUCKET
from mixzip.predictors.mixer import mixer_dot, mixer_train, mixer_update, new_mixer
from mixzip.predictors import eml as eml_mod
from mixzip.predictors import moe
from mixzip.predictors.eml import LOSS_SHIFT
from mixzip.predictors.moe import moe_balance, moe_count, moe_gates, moe_router_update, moe_select, new_router
from mixzip.predictors.statemap import DT, new_state_statemap, new_statemap, sm_p, sm_update

NAME = "cm"
VERSION = 3
# Versions this kernel decodes.  1 (mixzip 0.1): the final mixer's weight set
# is chosen by c0 alone; 2 (mixzip 0.2): by (c0, match state 0..3, top two
# bits of c1) - measured -0.55% on Canterbury at level 8 (-0.35% from the
# match state, -0.2% more from c1; c1 >> 5 or a letter/space/capital/other
# class: no better); 3: adds the MoE router (moe_k, moe_lr), mixers 5..8,
# the EML heuristics (eml), the deterministic inputs (det_inputs), the mixer
# update skip (mixer_skip) and the GRU's Adam rates (gru_b1, gru_b2) -
# parameters a version 1 or 2 spec cannot carry.
# Everything else is the same, so version 1 and 2 archives decode bit-exact
# (tests/data/v1_*.mxz, v2_*.mxz).
SUPPORTED_VERSIONS = (1, 2, 3)

# Mixer inputs after the contexts: order 0, match (2), bias, then plugins.
NFIXED = 4
I_ORDER0, I_MATCH, I_BIAS = 0, 1, 3          # offsets after the n contexts

# st: int64 stream state that lives across bytes and blocks
MPTR, MLEN = 0, 1
H0 = 2                       # H0 .. H0+n-1: hashes of the enabled contexts
MAXCTX = 32
LERR = H0 + MAXCTX           # recent mean |error| of the final probability (16 bit), for the EML lr
NST = LERR + 1

# cfg: int64 parameters of the recipe
(CF_HTMASK, CF_SMLIMIT, CF_LR, CF_APMRATE, CF_OFF, CF_NCTX, CF_NMIX, CF_NAPM, CF_RUNS, CF_NNN, CF_GRU, CF_ATTN,
 CF_FSEL, CF_MOEK, CF_MOELR, CF_EML, CF_STATS, CF_ESET, CF_DET, CF_SKIP, CF_EBLEND, CF_MRATE) = range(22)
CF_NEXT = CF_MRATE + 8       # CF_MRATE + m: mixer m's rate factor in 1/16 (mixer_rates; 16 = the common rate)
APM_SIZES = (256, 65536, 1 << 18)   # contexts of a1 (c0), a2 (c0, c1), a3 (c0, hashed c2 c1)
# EML ``blend``: p = (pm w + (A (4096 - w) R >> 24) + 2048) >> 12, A the APMs' sum at their
# fixed ratios (1; 1:2; 1:3:3) and R = floor(2^24 / the ratios' sum), a multiply instead of
# a 64-bit division per bit; R x sum <= 2^24, so the product errs low, by < 0.03 of a unit
# of p before the final rounding: p stays within the range of pm and the APMs' outputs
BLEND_R1, BLEND_R3, BLEND_R7 = 1 << 24, (1 << 24) // 3, (1 << 24) // 7

# ``off`` switches components off for ablation studies (contexts are
# ablated by leaving them out of ``contexts``): 0 in every level.
OFF_ORDER0, OFF_MATCH, OFF_APM = 1, 2, 4
OFF_NAMES = {"order0": OFF_ORDER0, "match": OFF_MATCH, "apm": OFF_APM}

# Mixer weight sets.  Mixer 0: (match state, share of contexts seen before,
# c0); mixer 1: (c1, bit position); mixer 2: (match length bucket, expected
# bit, bit position); mixer 3: (GRU confidence bucket, c0), only useful with
# the GRU; mixers 4-7 (the MoE's extra experts): (c2, bit position), (c1, c0),
# (hashed c3 c2 c1, bit position), (text shape of the last 4 bytes, bit
# position).  With more than one mixer, a final
# mixer (weights selected by c0, the match state and the top two bits of c1)
# or the MoE router (moe.py, ``moe_k`` > 0) combines their outputs.
MIX_SETS = (4 * 8 * 256, 256 * 8, 32 * 2 * 8, 8 * 256, 256 * 8, 65536, 512 * 8, 4096 * 8)
MIX_BASE = tuple(sum(MIX_SETS[:i]) for i in range(len(MIX_SETS)))
NN_INPUTS = 2             # mixer inputs per neural byte model: stretch(p), stretch(p) x confidence / 8
MAXMIX = len(MIX_SETS)
assert CF_NEXT - CF_MRATE == MAXMIX
FINAL_SETS = 256 * 4 * 4  # final mixer: (c0, match state, c1 >> 6) (version 1: c0 only)

FINAL_LR = 4
MIX_INIT = 10000          # initial weight of every mixer input (1/65536 units)

M32 = 0xFFFFFFFF
# Scratch of code_block (``Backbone.scr``, int64), offsets of its parts; the
# mixer inputs come last, their count depending on the recipe.
S_ROWS = 0
S_XS, S_PS, S_WB, S_PMX = (8 + i * MAXMIX for i in range(4))
S_XF = 8 + 4 * MAXMIX
S_RIDX, S_RBYTE, S_RSM, S_SMI, S_BASE, S_HITS = (S_XF + MAXMIX + 1 + i * MAXCTX for i in range(6))
S_X = S_HITS + MAXCTX + 1
assert moe.NF <= S_XS
RSCHED = moe.router_schedule()
MOE_TABLES = np.concatenate([moe.EXPN, moe.NEGLN])     # the kernel's ``expn``: exp, then -ln


@inline
def run_bucket(n):
    """Run count 1..255 -> bucket 0..31 of the run StateMaps."""
    if n < 16:
        return n
    b = 12 + (n >> 2)
    return b if b < 31 else 31


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


@inline
def match_hash(hist):
    """Hash of the last MINLEN (6) bytes, the MatchModel's index."""
    return hash2(hash2(hist[C4], hist[C8] & 0xFFFF), 0x6D617463)


@kernel
def code_block(mode, data, dstart, dend, buf, bend, cs, st, cfg, ids, hist, tabs, ht, rt, sm, mw,
               mf, a1, a2, a3, mbuf, mht, ext, n_ext, ncum, gr, at, rw, mo, expn, rsched, lrt, art, slt,
               srt, blt, mc, squash_t, stretch_t, nex, count, det, dt, scr):
    """Run the model over bytes data[dstart:dend].

    ENCODE: codes data into buf (capacity bend), stops early at a byte
    boundary when fewer than coder.ROOM bytes of room are left; returns the
    index of the next uncoded byte.  DECODE: decodes into data from
    buf[:bend].  TRAIN: only learns from data.  ``ext`` holds, for the
    current byte, one row of 257 cumulative counts per byte-level plugin
    (``n_ext`` rows used); ``ncum`` the same for the built-in neural byte
    models (the GRU, state arrays ``gr``, then the attention model, ``at``).
    """
    htmask = cfg[CF_HTMASK]
    off = cfg[CF_OFF]
    n = cfg[CF_NCTX]
    sm_order0 = n * 256
    sm_match = sm_order0 + 256
    nmix = cfg[CF_NMIX]
    napm = cfg[CF_NAPM]
    p2 = j2 = p3 = j3 = 0
    runs = cfg[CF_RUNS]
    rmask = rt.shape[0] - 1
    sm_run = sm_match + 2 * NBUCKET           # run maps: per context, (count bucket, bit)
    nnn = cfg[CF_NNN]
    use_gru = cfg[CF_GRU]
    use_attn = cfg[CF_ATTN]
    fsel = cfg[CF_FSEL]
    moek = cfg[CF_MOEK]
    moelr = cfg[CF_MOELR]
    negln = expn[4096:]
    use_eml = cfg[CF_EML]
    use_set = cfg[CF_ESET]                     # EML ``set``: each weight set's step scaled by srt[its age] (mc)
    use_blend = cfg[CF_EBLEND]                 # EML ``blend``: the final blend's weights from blt
    stats = cfg[CF_STATS]                      # router statistics for mixzip analyze
    lr = lrt[0]                                # the constant rate when the EML heuristics are off
    xn = n + NFIXED + n_ext                   # first neural-model input
    xr = xn + NN_INPUTS * nnn                 # first run input
    xd = xr + (n if runs else 0)              # first deterministic input
    use_det = cfg[CF_DET]
    skip = cfg[CF_SKIP]                       # mixers skip updates with |y - p| <= skip / 65536
    nin = xd + (n if use_det else 0)
    scr[:] = 0                                # per-call scratch (owned by Backbone; kernels never allocate)
    rows = scr[S_ROWS:S_ROWS + moe.NF]
    xs = scr[S_XS:S_XS + MAXMIX]
    ps = scr[S_PS:S_PS + MAXMIX]
    wb = scr[S_WB:S_WB + MAXMIX]              # each mixer's weight set this bit (its weights at wb * nin)
    pmx = scr[S_PMX:S_PMX + MAXMIX]
    xf = scr[S_XF:S_XF + MAXMIX + 1]          # final mixer inputs: mixer outputs, bias
    ridx = scr[S_RIDX:S_RIDX + n]
    rbyte = scr[S_RBYTE:S_RBYTE + n]
    rsm = scr[S_RSM:S_RSM + n]
    smi = scr[S_SMI:S_SMI + n]
    base = scr[S_BASE:S_BASE + n]
    hitset = scr[S_HITS:S_HITS + n + 1]       # contexts seen -> mixer set bucket 0..7
    x = scr[S_X:S_X + nin]                    # the mixer inputs
    xf[nmix] = 256
    for k in range(n + 1):
        hitset[k] = (k * 8) // (n + 1)
    x[n + I_BIAS] = 256
    x1 = cs[coder.X1]
    x2 = cs[coder.X2]
    xc = cs[coder.X]
    cpos = cs[coder.OPOS] if mode == coder.ENCODE else cs[coder.IPOS]
    le = st[LERR]
    pb = 0                                     # bit_length(position): the EML tables' position input
    while (hist[POS] >> pb) > 0 and pb < 63:
        pb += 1
    limit = slt[pb]
    arate = art[pb]
    for i in range(dstart, dend):
        if hist[POS] >> pb:                    # position reached 2^pb: next bucket
            pb += 1
            limit = slt[pb]
            arate = art[pb]
        if mode == coder.ENCODE and cpos + coder.ROOM > bend:
            st[LERR] = le
            save_coder(cs, mode, x1, x2, xc, cpos)
            return i
        c = 0
        if mode != coder.DECODE:
            c = np.int64(data[i])
        for k in range(n):
            base[k] = ht_find(ht, st[H0 + k], htmask, count)
        if runs:
            for k in range(n):
                h = st[H0 + k]
                ridx[k] = (h * 0x9E3779B1 >> 8) & rmask
                e = np.int64(rt[ridx[k]])
                rbyte[k] = 0
                if (e >> 24) == (h & 0xFF) and (e & 0xFF) >= 2:
                    rbyte[k] = ((e >> 8) & 0xFF) | 256 | (run_bucket(e & 0xFF) << 9)
        mlen = st[MLEN]
        if off & OFF_MATCH:
            mlen = 0
        mexp = 0
        if mlen > 0:
            mexp = np.int64(mbuf[st[MPTR] & (mbuf.shape[0] - 1)]) | 256
        c1 = hist[C4] & 0xFF
        gconf = gr[0][G_CONF]                 # neural models' confidence buckets for this byte
        aconf = at[0][A_CONF]
        a3h = hash2(hist[C4] & 0xFFFF, 0xA3) if napm > 2 else 0
        c2 = (hist[C4] >> 8) & 0xFF
        h3 = hash2(hist[C4] & 0xFFFFFF, 0x3E) if nmix > 6 else 0
        shp = text_shape(hist[C4]) if nmix > 7 else 0
        rr = 0
        if moek:
            rows[2] = (moe.ROW_BASE[2] + (hash2(hist[C4] & 0xFFFF, 0x52) & 1023)) * nmix
            rr = moelr * rsched[pb]
        c0 = 1
        node = 1
        for j in range(8):
            # ---- prefetch what the next bit will read, for either value of this
            # bit: the APM rows of both children of c0 and, before the nibble's
            # last bit, the hash-table slots of both possible second nibbles
            if j < 7:
                if napm > 1:
                    q = ((c0 * 2) | (c1 << 8)) * 33      # two adjacent rows: 132 bytes, 3 lines
                    prefetch(a2, q)
                    prefetch(a2, q + 32)
                    prefetch(a2, q + 65)
                if napm > 2:
                    for b in range(2):
                        q = ((a3h + (c0 * 2 + b) * 0x2F0B3) & 0x3FFFF) * 33
                        prefetch(a3, q)
                        prefetch(a3, q + 32)
            if j == 3:
                for k in range(n):
                    ht_prefetch(ht, hash2(st[H0 + k], c0 * 2), htmask)
                    ht_prefetch(ht, hash2(st[H0 + k], c0 * 2 + 1), htmask)
            # ---- predict
            hits = 0
            for k in range(n):
                s = np.int64(ht[U(base[k] + node)])
                if s != 0:
                    hits += 1
                smi[k] = k * 256 + s
                x[k] = stretch_t[U(sm_p(sm, k * 256 + s))]
            if use_det:
                for k in range(n):
                    x[xd + k] = x[k] if det[U(smi[k] & 255)] else 0
            x[n + I_ORDER0] = 0 if off & OFF_ORDER0 else stretch_t[U(sm_p(sm, sm_order0 + c0))]
            eb = 0
            msi = 0
            mstate = 0
            if mlen > 0:
                eb = (mexp >> (7 - j)) & 1
                msi = sm_match + len_bucket(mlen) * 2 + eb
                x[n + I_MATCH] = stretch_t[U(sm_p(sm, msi))]
                v = mlen if mlen < 32 else 32
                x[n + I_MATCH + 1] = v * 64 if eb else -v * 64
                mstate = 1 if mlen < 16 else (2 if mlen < 32 else 3)
            else:
                x[n + I_MATCH] = 0
                x[n + I_MATCH + 1] = 0
            for e in range(n_ext):
                x[n + NFIXED + e] = stretch_t[U(byte_to_bit_p12(ext, e, c0, j))]
            for e in range(nnn):
                pn = byte_to_bit_p12(ncum, e, c0, j)
                st_n = stretch_t[U(pn)]
                x[xn + NN_INPUTS * e] = st_n
                cf = gconf if (use_gru and e == 0) else aconf
                x[xn + NN_INPUTS * e + 1] = (st_n * cf) >> 3
            if runs:
                for k in range(n):
                    rb = rbyte[k]
                    rsm[k] = -1
                    x[xr + k] = 0
                    if rb != 0 and ((rb & 511) >> (8 - j)) == c0:
                        rsm[k] = sm_run + k * 64 + (rb >> 9) * 2 + ((rb >> (7 - j)) & 1)
                        x[xr + k] = stretch_t[sm_p(sm, rsm[k])]
            wb[0] = (mstate * 8 + hitset[hits]) * 256 + c0
            if nmix > 1:
                wb[1] = MIX_BASE[1] + c1 * 8 + j
            if nmix > 2:
                wb[2] = MIX_BASE[2] + (len_bucket(mlen) * 2 + eb) * 8 + j
            if nmix > 3:
                wb[3] = MIX_BASE[3] + (gconf if use_gru else aconf) * 256 + c0
            if nmix > 4:
                wb[4] = MIX_BASE[4] + c2 * 8 + j
            if nmix > 5:
                wb[5] = MIX_BASE[5] + c1 * 256 + c0
            if nmix > 6:
                wb[6] = MIX_BASE[6] + (h3 & 511) * 8 + j
            if nmix > 7:
                wb[7] = MIX_BASE[7] + shp * 8 + j
            if moek:
                rows[0] = c0 * nmix
                rows[1] = (moe.ROW_BASE[1] + c1 * 8 + j) * nmix
                rows[3] = (moe.ROW_BASE[3] + (mstate * 2 + eb) * 8 + j) * nmix
                rows[4] = (moe.ROW_BASE[4] + hitset[hits] * 8 + (gconf if use_gru else aconf)) * nmix
                moe_select(rw, rows, nmix, moek, mo)
                moe_gates(mo, moek, expn)
                for q in range(moek):
                    m = mo[U(moe.SEL + q)]
                    xs[q] = mixer_dot(mw, wb[m] * nin, x, nin)
                    ps[q] = squash_t[U(xs[q] + 2047)]
                dot = mixer_dot(mo, moe.GATE, xs, moek)      # gate-weighted blend, as a mixer
            else:
                for m in range(nmix):
                    xf[m] = mixer_dot(mw, wb[m] * nin, x, nin)
                    pmx[m] = squash_t[U(xf[m] + 2047)]
                if nmix > 1:
                    fbase = (c0 + (256 * (mstate * 4 + (c1 >> 6)) if fsel else 0)) * (nmix + 1)
                    dot = mixer_dot(mf, fbase, xf, nmix + 1)
                else:
                    dot = xf[0]
            pm = np.int64(squash_t[U(dot + 2047)])
            p1, j1 = apm_p(a1, c0, dot)
            if napm == 1:
                p = (pm + 3 * p1 + 2) >> 2
                sa, ra = p1, BLEND_R1                # the APMs' sum at their fixed ratios, 2^24 / its divisor
            else:
                p2, j2 = apm_p(a2, c0 | (c1 << 8), dot)
                if napm == 2:
                    p = (pm + p1 + 2 * p2 + 2) >> 2
                    sa, ra = p1 + 2 * p2, BLEND_R3
                else:
                    p3, j3 = apm_p(a3, (a3h + c0 * 0x2F0B3) & 0x3FFFF, dot)
                    p = (pm + p1 + 3 * p2 + 3 * p3 + 4) >> 3
                    sa, ra = p1 + 3 * p2 + 3 * p3, BLEND_R7
            if use_blend:
                wm = blt[U(pb * 8 + min((dot if dot >= 0 else -dot) >> 8, 7))]   # pm's share, 1/4096
                p = (pm * wm + ((sa * (4096 - wm) * ra) >> 24) + 2048) >> 12
            if off & OFF_APM:
                p = pm
            # ---- code
            y = (c >> (7 - j)) & 1
            y, x1, x2, xc, cpos = code_bit(mode, y, p, x1, x2, xc, cpos, buf, bend)
            if use_eml:
                lr = lrt[U(pb * 8 + (le >> 13))]             # 1/16 units
                ae = (y << 16) - p
                le += ((ae if ae >= 0 else -ae) - le) >> LOSS_SHIFT
            # ---- update
            for k in range(n):
                s = smi[k]
                ht[U(base[k] + node)] = nex[U((s & 255) * 2 + y)]
                sm_update(sm, s, y, limit, dt)
            sm_update(sm, sm_order0 + c0, y, limit, dt)
            if runs:
                for k in range(n):
                    if rsm[k] >= 0:
                        sm_update(sm, rsm[k], y, limit, dt)
            if mlen > 0:
                sm_update(sm, msi, y, limit, dt)
                if eb != y:
                    mlen = 0
            if moek:
                for q in range(moek):
                    mq = mo[U(moe.SEL + q)]
                    mixer_train(mw, wb[mq], x, nin, (y << 16) - ps[q], (lr * cfg[U(CF_MRATE + mq)]) >> 4, skip,
                                use_set, mc, srt)
                moe_router_update(rw, rows, nmix, moek, mo, xs, dot, (y << 16) - pm, rr)
                moe_count(mo, moek, negln, stats)
            else:
                for m in range(nmix):
                    mixer_train(mw, wb[m], x, nin, (y << 16) - pmx[m], (lr * cfg[U(CF_MRATE + m)]) >> 4, skip,
                                use_set, mc, srt)
                if nmix > 1:
                    mixer_update(mf, fbase, xf, nmix + 1, ((y << 16) - pm) * FINAL_LR)
            apm_update(a1, j1, y, arate)
            if napm > 1:
                apm_update(a2, j2, y, arate)
            if napm > 2:
                apm_update(a3, j3, y, arate)
            c0 = c0 * 2 + y
            node = node * 2 + y
            if j == 3:
                for k in range(n):
                    smi[k] = hash2(st[H0 + k], c0)
                    ht_prefetch(ht, smi[k], htmask)
                for k in range(n):
                    base[k] = ht_find(ht, smi[k], htmask, count)
                node = 1
        c = c0 & 255
        if moek:
            moe_balance(mo, nmix, moek)
        if mode == coder.DECODE:
            data[i] = c
        if st[MLEN] > 0 and mlen == 0:
            st[MLEN] = 0
        ptr, ml = mm_byte(mbuf, mht, c, hist[POS], match_hash(hist), st[MPTR], st[MLEN])
        st[MPTR] = ptr
        st[MLEN] = ml
        if runs:
            for k in range(n):
                e = np.int64(rt[ridx[k]])
                chk = st[H0 + k] & 0xFF
                if (e >> 24) == chk and ((e >> 8) & 0xFF) == c and (e & 0xFF) != 0:
                    if (e & 0xFF) < 255:
                        rt[ridx[k]] = e + 1
                else:
                    rt[ridx[k]] = (chk << 24) | (c << 8) | 1
        if use_gru:
            gru_step(gr[0], gr[1], gr[2], gr[3], gr[4], gr[5], gr[6], gr[7], gr[8], gr[9], gr[10],
                     gr[11], gr[12], ncum, 0, c)
        if use_attn:
            xo = (gr[0][G_S] + 1) * gr[0][G_H] if use_attn == 2 else 0    # 2: keyed by the GRU's new state
            attn_step(at[0], at[1], at[2], at[3], at[4], at[5], at[6], at[7], gr[7], xo, ncum, use_gru, c)
        history_update(hist, tabs, c)
        context_hashes(hist, tabs, mbuf, ids, n, st, H0)
        for k in range(n):
            ht_prefetch(ht, st[H0 + k], htmask)
    st[LERR] = le
    save_coder(cs, mode, x1, x2, xc, cpos)
    return dend


DEFAULT_CONTEXTS = "o1,o2,o3,o4,o6,w2"


class Backbone:
    """Owns the configuration and the state arrays of one "cm" stream."""

    name = NAME
    version = VERSION

    def __init__(self, ht_bits: int = 22, match_bits: int = 22, sm_limit: int = 1023,
                 lr: int = 8, apm_rate: int = 6, off: int = 0,
                 contexts: str = DEFAULT_CONTEXTS, mixers: int = 1, apms: int = 3,
                 runs: int = 0, n_ext: int = 0, gru_hidden: int = 0, gru_embed: int = 32,
                 gru_window: int = 16, gru_lr: int = 20, gru_olr: int = 0, attn_dim: int = 0, attn_levels: int = 12,
                 attn_lr: int = 200, attn_src: int = 0, moe_k: int = 0, moe_lr: int = 16,
                 eml: str = "", det_inputs: int = 0, mixer_skip: int = 0, gru_b1: int = 90, gru_b2: int = 9990,
                 mixer_rates: str = "", recipe_version: int = VERSION):
        self.params = dict(ht_bits=ht_bits, match_bits=match_bits, sm_limit=sm_limit,
                           lr=lr, apm_rate=apm_rate, off=off, contexts=contexts,
                           mixers=mixers, apms=apms, runs=runs, gru_hidden=gru_hidden,
                           gru_embed=gru_embed, gru_window=gru_window, gru_lr=gru_lr, gru_olr=gru_olr, attn_dim=attn_dim,
                           attn_levels=attn_levels, attn_lr=attn_lr, attn_src=attn_src, moe_k=moe_k, moe_lr=moe_lr, eml=eml,
                           det_inputs=det_inputs, mixer_skip=mixer_skip, gru_b1=gru_b1, gru_b2=gru_b2,
                           mixer_rates=mixer_rates)
        for name, lo, hi in (("ht_bits", 10, 24), ("match_bits", 12, 28), ("sm_limit", 1, 1023),
                             ("lr", 1, 256), ("apm_rate", 1, 12), ("off", 0, 7),
                             ("mixers", 1, MAXMIX), ("apms", 1, 3), ("runs", 0, 1),
                             ("gru_hidden", 0, 1024), ("gru_embed", 8, 256), ("gru_window", 1, 256),
                             ("gru_lr", 1, 10000), ("gru_olr", 0, 10000), ("attn_dim", 0, 256), ("attn_levels", 2, 40),
                             ("attn_lr", 1, 10000), ("attn_src", 0, 1), ("moe_k", 0, MAXMIX),
                             ("moe_lr", 0, 4096), ("det_inputs", 0, 1),
                             ("mixer_skip", 0, 4096), ("gru_b1", 0, 99), ("gru_b2", 9000, 9999)):
            v = self.params[name]
            if not (isinstance(v, int) and lo <= v <= hi):
                raise ValueError(f"{name} must be an integer in {lo}..{hi}, not {v!r}")
        if recipe_version < 3 and (moe_k or eml != "" or mixers > 4 or det_inputs or mixer_skip
                                   or (gru_b1, gru_b2) != (90, 9990) or mixer_rates != ""):
            raise ValueError(f"moe_k, eml, det_inputs, mixer_skip, gru_b1, gru_b2, mixer_rates and mixers > 4 need "
                             f"recipe version 3, not {recipe_version}")
        rates = parse_mixer_rates(mixer_rates, mixers)
        if moe_k and not 2 <= moe_k <= mixers:
            raise ValueError(f"moe_k must be 0 (no router) or in 2..mixers, not {moe_k}")
        self.eml = eml_mod.from_text(eml) if eml != "" else [0] * eml_mod.NPARAM
        self.lrt, self.art, self.slt, self.srt, self.blt = eml_mod.tables(self.eml, lr, apm_rate, sm_limit, apms)
        if not isinstance(contexts, str):
            raise ValueError("contexts must be a string of context names")
        self.ids = parse_contexts(contexts)
        if len(self.ids) > MAXCTX:
            raise ValueError(f"at most {MAXCTX} contexts")
        n = len(self.ids)
        self.cfg = np.zeros(CF_NEXT, dtype=np.int64)
        self.cfg[CF_HTMASK] = (1 << ht_bits) - 1
        self.cfg[CF_SMLIMIT] = sm_limit
        self.cfg[CF_LR] = lr
        self.cfg[CF_APMRATE] = apm_rate
        self.cfg[CF_OFF] = off
        self.cfg[CF_NCTX] = n
        self.cfg[CF_NMIX] = mixers
        self.cfg[CF_NAPM] = apms
        self.cfg[CF_RUNS] = runs
        self.cfg[CF_DET] = det_inputs
        self.cfg[CF_SKIP] = mixer_skip
        self.cfg[CF_MOEK] = moe_k
        self.cfg[CF_MOELR] = moe_lr
        self.cfg[CF_EML] = 1 if eml != "" else 0
        self.cfg[CF_ESET] = 1 if eml_mod.uses_set(self.eml) else 0
        self.cfg[CF_EBLEND] = 1 if eml_mod.uses_blend(self.eml) else 0
        self.cfg[CF_MRATE:CF_MRATE + MAXMIX] = 16
        self.cfg[CF_MRATE:CF_MRATE + mixers] = rates
        if recipe_version not in SUPPORTED_VERSIONS:
            raise ValueError(f"recipe version {recipe_version} is not supported")
        self.cfg[CF_FSEL] = 1 if recipe_version >= 2 else 0
        self.cfg[CF_GRU] = 1 if gru_hidden else 0
        self.cfg[CF_ATTN] = (2 if attn_src and gru_hidden else 1) if attn_dim else 0
        self.cfg[CF_NNN] = nnn = self.cfg[CF_GRU] + (1 if attn_dim else 0)
        self.n_ext = n_ext
        self.st = np.zeros(NST, dtype=np.int64)
        self.hist, self.tabs = new_history()
        self.ht = new_hashtable(ht_bits)
        self.sm = np.concatenate([new_state_statemap(n), new_statemap(256 + 2 * NBUCKET + 64 * n)])
        nin = n + NFIXED + n_ext + NN_INPUTS * nnn + (n if runs else 0) + (n if det_inputs else 0)
        self.mw = new_mixer(nin, sum(MIX_SETS[:mixers]), init=MIX_INIT)
        if det_inputs:                       # the deterministic inputs' weights start at 0
            self.mw.reshape(-1, nin)[:, nin - n:] = 0
        self.mc = np.zeros(sum(MIX_SETS[:mixers]) if self.cfg[CF_ESET] else 1, dtype=np.int32)  # updates per set
        self.scr = np.zeros(S_X + nin, dtype=np.int64)
        self.rt = np.zeros(1 << (ht_bits - 1) if runs else 1, dtype=np.uint32)
        self.mf = new_mixer(mixers + 1, FINAL_SETS if not moe_k else 1, init=65536 // mixers)
        self.rw, self.mo = new_router(mixers if moe_k else 1)
        self.a1, self.a2, self.a3 = (new_apm(APM_SIZES[i] if i < apms else 1) for i in range(3))
        self.mbuf, self.mht = new_match(match_bits, match_bits - 2)
        self.ext = np.zeros((max(n_ext, 1), 257), dtype=np.int64)
        self.ncum = np.zeros((max(nnn, 1), 257), dtype=np.int64)
        # GRU byte model (gru.py); a minimal one stands in when it is off, so the
        # kernel's argument types never change.
        self.gru = Gru(hidden=gru_hidden or 8, embed=gru_embed if gru_hidden else 8,
                       window=gru_window if gru_hidden else 1, lr=gru_lr * 1e-4,
                       olr=gru_olr * 1e-4, b1=gru_b1 / 100, b2=gru_b2 / 10000)
        if gru_hidden:
            self.gru.start(self.ncum, 0)
        # log-linear attention model (attention.py): the next row of ncum
        dx = gru_hidden if (attn_dim and attn_src and gru_hidden) else 0
        self.attn = Attention(dim=attn_dim or 8, levels=attn_levels if attn_dim else 2, lr=attn_lr * 1e-4, dx=dx)
        if attn_dim:
            self.attn.start(self.ncum, int(self.cfg[CF_GRU]), self.gru.hs, (int(self.gru.gc[G_S]) + 1) * gru_hidden)
        context_hashes(self.hist, self.tabs, self.mbuf, self.ids, n, self.st, H0)

    @staticmethod
    def memory_for(ht_bits: int, match_bits: int, contexts: str = DEFAULT_CONTEXTS,
                   mixers: int = 1, apms: int = 3, runs: int = 0, n_ext: int = 0, gru_hidden: int = 0,
                   gru_embed: int = 32, gru_window: int = 16, attn_dim: int = 0, attn_levels: int = 12,
                   attn_src: int = 0, moe_k: int = 0, eml: str = "", det_inputs: int = 0, gru_b1: int = 90,
                   **_) -> int:
        """Bytes of model state for these parameters, without allocating them."""
        n = len(contexts.split(","))
        nnn = (1 if gru_hidden else 0) + (1 if attn_dim else 0)
        nin = n + NFIXED + n_ext + NN_INPUTS * nnn + (n if runs else 0) + (n if det_inputs else 0)
        maps = (4 * (256 * n + 256 + 2 * NBUCKET + 64 * n) + 4 * nin * sum(MIX_SETS[:mixers])
                + 4 * (mixers + 1) * (FINAL_SETS if not moe_k else 1) + 4 * (2 ** (ht_bits - 1) if runs else 1)
                + 4 * moe.NROWS * (mixers if moe_k else 1) + 8 * moe.NMO
                + 4 * (sum(MIX_SETS[:mixers]) if eml and eml_mod.uses_set(eml_mod.from_text(eml)) else 1))
        apm = 2 * 33 * sum(APM_SIZES[i] if i < apms else 1 for i in range(3))
        hist = 8 * (NHIST + NTABS)
        nn = Gru.memory_for(gru_hidden, gru_embed, gru_window, gru_b1 != 0) if gru_hidden else 0
        nn += Attention.memory_for(attn_dim, attn_levels, gru_hidden if attn_src else 0) if attn_dim else 0
        return 16 * 2 ** ht_bits + 2 ** match_bits + 4 * 2 ** (match_bits - 2) + maps + apm + hist + nn

    def record_stats(self, on: bool = True) -> None:
        """Also keep the router's stream statistics (gate mass, selections,
        gate entropy in ``mo``) for ``mixzip analyze``; off by default, as
        nothing the coder does depends on them.  Archives are the same."""
        self.cfg[CF_STATS] = 1 if on else 0

    def memory(self) -> int:
        """Bytes of model state (the neural models' when they are on)."""
        nn = (self.gru.memory() if self.cfg[CF_GRU] else 0) + (self.attn.memory() if self.cfg[CF_ATTN] else 0)
        return nn + sum(a.nbytes for a in (self.ht, self.rt, self.sm, self.mw, self.mc, self.mf, self.rw, self.mo,
                                           self.a1, self.a2, self.a3,
                                           self.mbuf, self.mht, self.hist, self.tabs))

    def run(self, mode, data, dstart, dend, buf, bend, cs) -> int:
        return code_block(mode, data, dstart, dend, buf, bend, cs, self.st, self.cfg, self.ids,
                          self.hist, self.tabs, self.ht, self.rt, self.sm, self.mw, self.mf, self.a1, self.a2, self.a3,
                          self.mbuf, self.mht, self.ext, self.n_ext, self.ncum, self.gru.arrays(), self.attn.arrays(),
                          self.rw, self.mo, MOE_TABLES, RSCHED, self.lrt, self.art, self.slt, self.srt, self.blt, self.mc,
                          logistic.SQUASH,
                          logistic.STRETCH, statetable.NEX, statetable.COUNT, statetable.DETERMINISTIC, DT, self.scr)
