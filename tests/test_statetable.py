"""The bit-history state machine: closed, every state reachable, rule as documented."""
from collections import deque

from mixzip.predictors import statetable as S


def test_fits_in_a_byte():
    assert 2 <= S.NSTATES <= 256
    assert S.NEX.shape == (2 * S.NSTATES,)


def test_state_zero_is_empty():
    assert (S.N0[0], S.N1[0]) == (0, 0)


def test_transitions_follow_the_rule():
    index = {(int(S.N0[s]), int(S.N1[s])): s for s in range(S.NSTATES)}
    assert len(index) == S.NSTATES  # no duplicate states
    for s in range(S.NSTATES):
        for y in (0, 1):
            want = S.next_pair(int(S.N0[s]), int(S.N1[s]), y)
            assert index[want] == S.NEX[2 * s + y]


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
