"""Integer tables: deterministic on every machine (sha256 pinned), well formed."""
import hashlib

import numpy as np
import pytest

from mixzip.predictors import logistic, statetable
from mixzip.predictors.statemap import DT


def sha(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).astype("<i4").tobytes()).hexdigest()


# Regenerate only on purpose: a change here changes every archive.
GOLDEN = {
    "squash": "d41002387e5c9b76ffc874e584ca8cd05499773342b1272ec7398535094ca0ec",
    "stretch": "d02a7159abcf00bd1919aa962531d0f80b9bcae6fc5b84756ff24f09d7a465c6",
    "nex": "ce41ba450bb949c1df04c835715539eb0c506ec729861695504a4b9caf36f34e",
    "dt": "9907bf9ddc225daf26044c2c66639089ce65fa6c8a9ba9debf00cab634637c87",
}


def test_tables_are_pinned():
    got = {"squash": sha(logistic.SQUASH), "stretch": sha(logistic.STRETCH),
           "nex": sha(statetable.NEX), "dt": sha(DT)}
    assert got == GOLDEN


@pytest.mark.parametrize("build", [logistic._build_squash, logistic._build_stretch, logistic._build_expn, logistic._build_negln],
                         ids=["squash", "stretch", "expn", "negln"])
def test_float_fast_path_builds_the_decimal_table(build):
    assert np.array_equal(build(fast=False), build())


def test_squash_monotone_and_clamped():
    s = logistic.SQUASH
    assert s.shape == (4095,)
    assert np.all(np.diff(s) >= 0)
    assert s.min() >= 1 and s.max() <= 65535
    assert s[2047] == 32768


def test_stretch_is_odd_and_monotone():
    t = logistic.STRETCH
    assert t.shape == (4096,)
    assert np.all(np.diff(t) >= 0)
    assert np.array_equal(t, -t[::-1])


def test_stretch_inverts_squash():
    for x in range(-1500, 1501, 7):
        p12 = logistic.squash(x) >> 4
        assert abs(logistic.stretch(p12) - x) <= 24
