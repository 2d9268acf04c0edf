"""The MoE router (predictors/moe.py): selection, gates, learning, balancing,
against plain-Python references."""
import math
import random

import numpy as np
import pytest

from mixzip.predictors import moe
from mixzip.codec.errors import UnsupportedModelError
from mixzip.predictors import recipes
from mixzip.predictors.mixer import mixer_dot


def rows_for(values, ne):
    return np.array([(moe.ROW_BASE[f] + v) * ne for f, v in enumerate(values)], dtype=np.int64)


def ref_topk(z, bias, k):
    """Reference: the k largest z + bias, ties to the lower index."""
    order = sorted(range(len(z)), key=lambda e: (-(z[e] + bias[e]), e))
    return order[:k]


@pytest.mark.parametrize("ne,k", [(2, 2), (4, 2), (5, 3), (8, 4), (8, 8)])
def test_select_is_top_k_with_ties_to_lower_index(ne, k):
    rng = random.Random(ne * 10 + k)
    for _ in range(200):
        R = np.array([rng.choice([-3, 0, 0, 5, 7]) << 12 for _ in range(moe.NROWS * ne)], dtype=np.int32)
        mo = np.zeros(moe.NMO, dtype=np.int64)
        mo[moe.BIAS:moe.BIAS + ne] = [rng.choice([0, 0, 4096]) for _ in range(ne)]
        rows = rows_for([rng.randrange(n) for n in moe.ROWS], ne)
        moe.moe_select(R, rows, ne, k, mo)
        z = [sum(int(R[r + e]) for r in rows) for e in range(ne)]
        assert list(mo[moe.Z:moe.Z + ne]) == z
        assert list(mo[moe.SEL:moe.SEL + k]) == ref_topk(z, list(mo[moe.BIAS:moe.BIAS + ne]), k)


def test_gates_are_a_softmax_of_the_selected_logits():
    rng = random.Random(3)
    for _ in range(200):
        k = rng.randrange(2, 6)
        mo = np.zeros(moe.NMO, dtype=np.int64)
        mo[moe.SEL:moe.SEL + k] = rng.sample(range(moe.MAXEXP), k)
        mo[moe.Z:moe.Z + moe.MAXEXP] = [rng.randrange(-200000, 200000) for _ in range(moe.MAXEXP)]
        moe.moe_gates(mo, k, moe.EXPN)
        z = [int(mo[moe.Z + e]) / 65536 for e in mo[moe.SEL:moe.SEL + k]]
        ez = [math.exp(v - max(z)) for v in z]
        for i in range(k):
            assert abs(mo[moe.GATE + i] / 65536 - ez[i] / sum(ez)) < 0.01
        assert 65536 - k <= sum(mo[moe.GATE:moe.GATE + k]) <= 65536


def test_expn_table():
    for d in (0, 1, 256, 1000, 4095):
        assert abs(moe.EXPN[d] - 65536 * math.exp(-d / 256)) <= 0.5 + 1e-9 or moe.EXPN[d] == 1


def test_router_learns_to_trust_the_expert_that_is_right():
    """Two experts over a stream of ones: expert 0 says p = 0.9, expert 1 says
    p = 0.3.  The router must move the gate onto expert 0."""
    ne, k = 2, 2
    R, mo = moe.new_router(ne)
    rows = rows_for([5, 40, 7, 3, 9], ne)
    xs = np.array([563, -217], dtype=np.int64)        # stretch(0.9), stretch(0.3) in 1/256 units
    first = None
    for t in range(400):
        moe.moe_select(R, rows, ne, k, mo)
        moe.moe_gates(mo, k, moe.EXPN)
        sel = list(mo[moe.SEL:moe.SEL + k])
        xk = np.array([xs[e] for e in sel], dtype=np.int64)
        s = mixer_dot(mo, moe.GATE, xk, k)
        g0 = mo[moe.GATE + sel.index(0)]
        first = g0 if first is None else first
        p16 = int(65536 / (1 + math.exp(-s / 256)))
        moe.moe_router_update(R, rows, ne, k, mo, xk, s, 65536 - p16, 16 * 256)
    assert first == 32768 and g0 > 60000


def test_balance_pulls_a_starved_expert_back():
    """Expert 0 always has the higher logit with k = 1 of 2: expert 1 is
    starved, so the bias must bring it back part of the time (but not force
    an even split: the router's preference still counts)."""
    ne, k = 2, 1
    mo = np.zeros(moe.NMO, dtype=np.int64)
    R = np.zeros(moe.NROWS * ne, dtype=np.int32)
    rows = rows_for([0, 0, 0, 0, 0], ne)
    R[rows[0] + 0] = 20000                             # 0.3 nats in favour of expert 0
    picks = []
    for t in range(3000):
        for _ in range(8):
            moe.moe_select(R, rows, ne, k, mo)
            moe.moe_count(mo, k, moe.NEGLN, 1)
            picks.append(int(mo[moe.SEL]))
        moe.moe_balance(mo, ne, k)
    share1 = picks[-4000:].count(1) / 4000
    assert 0.05 < share1 < 0.5


def test_moe_parameters_are_checked():
    base = recipes.spec_for_level(1)
    for k in (4, 1):
        with pytest.raises(UnsupportedModelError, match="moe_k"):
            recipes.build_model(recipes.with_params(base, ht_bits=12, match_bits=12, mixers=3, moe_k=k))
    spec = recipes.with_params(base, ht_bits=12, match_bits=12, mixers=3, moe_k=2)
    assert recipes.build_model(spec).memory() == recipes.spec_memory(spec)
