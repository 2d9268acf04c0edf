"""The bit-history state machine: closed, every state reachable, rule as documented."""
import random
from collections import deque

import numpy as np

from mixzip.predictors import statetable as S


# ---------------------------------------------------------------- reference
# A plain-Python re-statement of the rule in the statetable docstring; it
# shares only the parameter tables with the module under test.
def ref_step(state, y):
    n0, n1, tail = state
    counts = [n0, n1]
    counts[y] += 1
    opp = counts[1 - y]
    counts[1 - y] = S.DISCOUNT[opp] if opp < len(S.DISCOUNT) else S.DISCOUNT[-1]
    # the larger count after step 1 (ties: the count of y) keeps being the larger
    big = y if counts[y] >= counts[1 - y] else 1 - y

    def ok(c):
        lo, hi = min(c), max(c)
        return lo < len(S.LIMIT) and hi <= S.LIMIT[lo]

    while not ok(counts):
        lo, hi = counts[1 - big], counts[big]
        if lo >= 2:
            hi = (hi * (lo - 1) + lo // 2) // lo
            lo -= 1
        else:
            hi -= 1
        counts[big], counts[1 - big] = hi, lo
    n0, n1 = counts
    if n0 == 0 or n1 == 0:
        k = 0
    elif min(n0, n1) >= S.TAIL2_MIN:
        k = 2
    elif n0 + n1 <= S.TAIL1_MAX:
        k = 1
    else:
        k = 0
    bits = list(tail) + [y]
    return n0, n1, tuple(bits[len(bits) - k:]) if k else ()


def states():
    return [S.STATES[s] for s in range(S.NSTATES)]


# ---------------------------------------------------------------- shape
def test_fits_in_a_byte():
    assert 2 <= S.NSTATES <= 255
    assert S.NEX.shape == (2 * S.NSTATES,)
    assert S.NEX.dtype == np.int32 and S.NEX.min() >= 0 and S.NEX.max() < S.NSTATES
    assert len(S.STATES) == S.NSTATES
    assert S.N0.shape == S.N1.shape == S.COUNT.shape == (S.NSTATES,)


def test_state_zero_is_empty():
    assert S.STATES[0] == (0, 0, ())
    assert (S.N0[0], S.N1[0], S.COUNT[0]) == (0, 0, 0)


def test_exported_counts_match_states():
    for s, (n0, n1, _) in enumerate(states()):
        assert (S.N0[s], S.N1[s]) == (n0, n1)
        assert S.COUNT[s] == n0 + n1


# ---------------------------------------------------------------- the rule
def test_transitions_follow_the_rule():
    index = {st: s for s, st in enumerate(states())}
    assert len(index) == S.NSTATES  # no duplicate states
    for s, st in enumerate(states()):
        for y in (0, 1):
            want = ref_step(st, y)
            assert want in index, (st, y, want)  # closed
            assert index[want] == S.NEX[2 * s + y], (st, y, want)
            assert S.next_state(st, y) == want


def test_every_state_reachable_from_empty():
    seen = {0}
    todo = deque([0])
    while todo:
        s = todo.popleft()
        for y in (0, 1):
            t = int(S.NEX[2 * s + y])
            if t not in seen:
                seen.add(t)
                todo.append(t)
    assert seen == set(range(S.NSTATES))


def test_states_respect_the_bounds_and_tail_lengths():
    for n0, n1, tail in states():
        lo, hi = min(n0, n1), max(n0, n1)
        assert lo < len(S.LIMIT) and hi <= S.LIMIT[lo]
        assert len(tail) <= S.tail_len(n0, n1)
        assert set(tail) <= {0, 1}


def test_tail_is_the_recent_bits_and_counts_follow_the_rule():
    # walk NEX with random sequences (biased, alternating, runs) and compare
    # with the reference applied to the same bits
    rng = random.Random(7)
    for trial in range(300):
        p = rng.choice([0.02, 0.2, 0.5, 0.8, 0.98])
        period = rng.choice([0, 2, 3, 4])
        s, ref, bits = 0, (0, 0, ()), []
        for i in range(rng.randrange(1, 400)):
            y = (i % period == 0) if period else (rng.random() < p)
            y = int(y)
            bits.append(y)
            s = int(S.NEX[2 * s + y])
            ref = ref_step(ref, y)
            assert S.STATES[s] == ref
            tail = S.STATES[s][2]
            assert tuple(bits[len(bits) - len(tail):]) == tail if tail else True


def test_tails_distinguish_order_of_small_histories():
    def walk(seq):
        s = 0
        for y in seq:
            s = int(S.NEX[2 * s + y])
        return s
    # same counts, different last bit
    assert walk([0, 0, 0, 1]) != walk([1, 0, 0, 0])
    assert S.STATES[walk([0, 0, 0, 1])][2] == (1,)
    assert S.STATES[walk([1, 0, 0, 0])][2] == (0,)
    # a mixed context (both counts >= TAIL2_MIN) keeps its last two bits
    rng = random.Random(3)
    bits = [rng.randrange(2) for _ in range(2000)]
    mixed = 0
    for i in range(2, len(bits)):
        n0, n1, tail = S.STATES[walk(bits[:i])]
        if min(n0, n1) >= S.TAIL2_MIN and len(tail) == 2:
            mixed += 1
            assert tail == tuple(bits[i - 2:i])
        if mixed > 50:
            break
    assert mixed > 50


def test_symmetric_under_bit_flip():
    index = {st: s for s, st in enumerate(states())}
    for s, (n0, n1, tail) in enumerate(states()):
        m = index[(n1, n0, tuple(1 - b for b in tail))]
        for y in (0, 1):
            t = S.STATES[int(S.NEX[2 * s + y])]
            u = S.STATES[int(S.NEX[2 * m + 1 - y])]
            assert u == (t[1], t[0], tuple(1 - b for b in t[2]))


# ---------------------------------------------------------------- dynamics
def test_discount_makes_history_nonstationary():
    # after many zeros, one 1 must not leave the zero count untouched
    n0, n1 = 0, 0
    for _ in range(20):
        n0, n1 = S.next_pair(n0, n1, 0)
    n0b, n1b = S.next_pair(n0, n1, 1)
    assert n1b == 1 and n0b < n0
    # counts saturate at the limits
    for _ in range(200):
        n0, n1 = S.next_pair(n0, n1, 0)
    assert n0 == S.LIMIT[0] and n1 == 0


def test_deterministic_runs_count_up_to_the_limit():
    for y in (0, 1):
        s, seen = 0, [0]
        for _ in range(S.LIMIT[0] + 10):
            s = int(S.NEX[2 * s + y])
            seen.append(s)
        counts = [int(S.COUNT[t]) for t in seen]
        assert counts[:S.LIMIT[0] + 1] == list(range(S.LIMIT[0] + 1))
        assert counts[-1] == S.LIMIT[0]          # saturates, stays there
        assert int(S.NEX[2 * s + y]) == s


def test_count_is_a_usage_priority():
    # the empty state is the unique lowest priority; one more bit in a run
    # never lowers it
    assert S.COUNT[0] == 0 and (S.COUNT[1:] > 0).all()
    for s in range(S.NSTATES):
        n0, n1, _ = S.STATES[s]
        if n1 == 0:
            assert S.COUNT[S.NEX[2 * s]] >= S.COUNT[s]
        if n0 == 0:
            assert S.COUNT[S.NEX[2 * s + 1]] >= S.COUNT[s]


def test_statemap_initialisation_uses_the_counts():
    from mixzip.predictors.statemap import new_state_statemap
    sm = new_state_statemap(1)
    p = (sm >> 10).astype(np.int64)
    for s, (n0, n1, _) in enumerate(states()):
        assert p[s] == ((2 * n1 + 1) << 22) // (2 * (n0 + n1) + 2)
    assert (p[S.NSTATES:] == 1 << 21).all()


def test_deterministic_marks_histories_of_one_bit_value():
    """DETERMINISTIC[s] (the backbone's det inputs) is 1 exactly when the
    history saw one bit value only; the empty state and unused entries are 0."""
    assert len(S.DETERMINISTIC) == 256 and not S.DETERMINISTIC[S.NSTATES:].any()
    for s, (n0, n1, _) in enumerate(states()):
        assert S.DETERMINISTIC[s] == (1 if (n0 == 0) != (n1 == 0) else 0)
    assert S.DETERMINISTIC[0] == 0
    for y in (0, 1):
        s = 0
        for _ in range(60):                      # a run stays deterministic ...
            s = int(S.NEX[2 * s + y])
            assert S.DETERMINISTIC[s] == 1
        assert S.DETERMINISTIC[S.NEX[2 * s + 1 - y]] == 0   # ... until the other bit
