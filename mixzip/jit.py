"""All Numba JIT options of mixzip live here, and nowhere else.

Every kernel is decorated with :func:`kernel`.  The options are fixed for
bit-exactness (non-negotiable 1):

* ``fastmath=False`` - no reassociation, no approximate reciprocals;
* ``error_model="numpy"`` - no Python exception checks on integer division
  (the kernels never divide by zero; this only removes branches);
* ``boundscheck=False`` - arrays are sized by the Python classes that own them;
* ``nogil=True`` - a stream can run beside other Python threads;
* ``cache=True`` when a cache directory is writable, otherwise the kernel is
  compiled in memory on first use (a read-only install still works).

A test (tests/test_jit.py) checks that no module calls ``numba.njit``/``jit``
directly, so no kernel can carry options of its own.
"""
from __future__ import annotations

import warnings

import numba
import numpy as np

OPTIONS = dict(nogil=True, fastmath=False, error_model="numpy", boundscheck=False)


def kernel(fn):
    """Compile ``fn`` with the project's fixed options (cached when possible)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", numba.NumbaWarning)
            return numba.njit(cache=True, **OPTIONS)(fn)
    except (RuntimeError, OSError):  # no writable cache locator for this file
        return numba.njit(cache=False, **OPTIONS)(fn)


def inline(fn):
    """Like :func:`kernel`, for the small per-bit helpers (StateMap, mixer, APM,
    coder step...): inlined at the Numba-IR level into the recipe kernel that
    calls them, so the per-bit loop has no calls."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", numba.NumbaWarning)
            return numba.njit(cache=True, inline="always", **OPTIONS)(fn)
    except (RuntimeError, OSError):
        return numba.njit(cache=False, inline="always", **OPTIONS)(fn)


# Array indices computed in the hot loops are cast to U (unsigned) where they
# are known to be >= 0: Numba then drops its negative-index wraparound test
# (a compare and an add per access, and a barrier to vectorisation).
# Measured: a 128 x 384 float32 matrix-vector product 30 us -> 2 us.
U = np.uint64
