"""All Numba JIT options of mixzip live here, and nowhere else.

Every kernel is decorated with :func:`kernel`.  The options are fixed for
bit-exactness (non-negotiable 1):

* ``fastmath=False`` - no reassociation, no approximate reciprocals;
* ``error_model="numpy"`` - no Python exception checks on integer division
  (the kernels never divide by zero; this only removes branches);
* ``boundscheck=False`` - arrays are sized by the Python classes that own them;
* ``nogil=True`` - a stream can run beside other Python threads;
* ``cache=True`` when a cache directory is writable, otherwise the kernel is
  compiled in memory on first use (a read-only install still works); a
  cached kernel is reused only if no kernel module changed (PACKAGE_STAMP);
* no reference counting (Numba's ``_nrt=False``): kernels never allocate
  (the Python classes own every array, scratch space included), so the
  atomic incref/decref pairs Numba would otherwise emit each time an
  inlined helper receives an array are pure cost.  Measured on the
  recipe kernel: level 1 1.49 -> 2.17 MB/s, level 8 0.40 -> 0.48 MB/s on
  lcet10.txt, output identical.  Should a Numba release refuse the option,
  kernels compile with reference counting (slower, same results).

A test (tests/test_jit.py) checks that no module calls ``numba.njit``/``jit``
directly, so no kernel can carry options of its own.
"""
from __future__ import annotations

import hashlib
import pathlib
import warnings

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.core.cpu import CPUTargetOptions

OPTIONS = dict(nogil=True, fastmath=False, error_model="numpy", boundscheck=False)
# Numba's (private) switch for reference counting, where this Numba has it.
NO_REFCOUNT = dict(_nrt=False) if hasattr(CPUTargetOptions, "_nrt") else {}


def _package_stamp(root: pathlib.Path | None = None) -> str:
    """sha256 of the source of every module kernels are built from."""
    root = root or pathlib.Path(__file__).parent
    h = hashlib.sha256()
    for p in sorted([root / "jit.py", *root.glob("predictors/*.py"), *root.glob("codec/*.py")]):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:32]


# Numba's cache checks only the source file of the cached function, but our
# kernels inline helpers from other modules (mixer.py, moe.py...): edit one of
# those and a stale cached kernel would run (wrong output, or writes past an
# array that changed size).  So each kernel's cache stamp also carries this
# hash of all kernel sources; any change to any of them recompiles.
PACKAGE_STAMP = _package_stamp()


def _stamp_cache(dispatcher):
    try:
        f = dispatcher._cache._cache_file
        f._source_stamp = (f._source_stamp, PACKAGE_STAMP)
    except AttributeError:   # no cache (cache=False), or a Numba with another cache layout
        pass
    return dispatcher


def _njit(fn, **extra):
    opts = dict(OPTIONS, **NO_REFCOUNT, **extra)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", numba.NumbaWarning)
            return _stamp_cache(numba.njit(cache=True, **opts)(fn))
    except (RuntimeError, OSError):  # no writable cache locator for this file
        return numba.njit(cache=False, **opts)(fn)


def kernel(fn):
    """Compile ``fn`` with the project's fixed options (cached when possible)."""
    return _njit(fn)


def inline(fn):
    """Like :func:`kernel`, for the small per-bit helpers (StateMap, mixer, APM,
    coder step...): compiled once on their own (cached, shared by every
    kernel and driver that calls them) and marked ``alwaysinline`` for LLVM
    (Numba's ``forceinline``), so the per-bit loop that calls them still has
    no calls.

    Not Numba's ``inline="always"``: that copies the callee's Numba IR into
    every call site and runs the untyped passes on it again there; nested
    (helper -> phase -> driver) it was most of a driver's compile time, and
    every driver compiled every helper again (docs/RESULTS.md, "Compile
    time")."""
    return _njit(fn, forceinline=True)


def phase(fn):
    """For a component's phases (component.py): compiled once per signature
    and static flags, shared by every driver that uses the component, and
    inlined by LLVM (``alwaysinline``, as :func:`inline`) into the recipe
    driver that calls them (driver.py), so its per-bit loop has no calls.
    (Called as plain calls, with the state tuples passed as arguments,
    level 1 measured 2.7x slower.)"""
    return _njit(fn, forceinline=True)


# Array indices computed in the hot loops are cast to U (unsigned) where they
# are known to be >= 0: Numba then drops its negative-index wraparound test
# (a compare and an add per access, and a barrier to vectorisation).
# Measured: a 128 x 384 float32 matrix-vector product 30 us -> 2 us.
U = np.uint64


@intrinsic
def prefetch(typingctx, arr, idx):
    """llvm.prefetch of &arr[idx] (read, keep in all cache levels): a hint
    that lets a cache miss overlap other work.  No effect on results."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        i8p = ir.IntType(8).as_pointer()
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), i8p)
        fnty = ir.FunctionType(ir.VoidType(), [i8p] + [ir.IntType(32)] * 3)
        fn = builder.module.declare_intrinsic("llvm.prefetch", fnty=fnty)
        i32 = ir.IntType(32)
        builder.call(fn, [ptr, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def call_back(typingctx, addr, arg):
    """Call the C function ``int64 f(int64)`` at address ``addr`` with ``arg``
    and return its result: how a kernel calls back into Python (a ctypes
    callback, which takes the GIL itself; plugins.py).  The address is an
    argument, never a constant, so kernels that use it stay cacheable."""
    sig = types.int64(addr, arg)

    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        a = context.cast(builder, args[0], signature.args[0], types.int64)
        v = context.cast(builder, args[1], signature.args[1], types.int64)
        fn = builder.inttoptr(a, ir.FunctionType(i64, [i64]).as_pointer())
        return builder.call(fn, [v])

    return sig, codegen


if numba.config.DISABLE_JIT:  # pure-Python runs (reference tests, coverage)
    def prefetch(arr, idx):
        pass

    def call_back(addr, arg):
        import ctypes
        return ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64)(int(addr))(int(arg))
