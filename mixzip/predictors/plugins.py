"""Third-party models: fast-path components, and Python byte predictors.

Two kinds of plugin, both named in the archive header as ``+name/version``
(decoding an archive whose plugin is missing, or of another version, fails
with ``UnsupportedModelError`` naming it; every error a plugin causes is a
``PluginError`` naming it):

1. **Fast-path components** (entry-point group ``mixzip.components``): a
   subclass of ``mixzip.predictors.component.Component`` with a ``version``
   attribute, written to the component contract (component.py): its Numba
   phases are compiled into the recipe driver and run at kernel speed.  It
   joins a level's recipe after the built-in models.  See
   examples/mixzip-order2 for a worked example and docs/ARCHITECTURE.md.

2. **Python byte predictors** (entry-point group ``mixzip.predictors``), for
   quick experiments: an object predicting the *next byte* as 256
   non-negative numbers,

       class MyPredictor:
           version = "1"              # recorded in the archive header
           def predict(self) -> array-like of 256 non-negative numbers
           def update(self, byte: int) -> None

   registered by its factory (usually the class), which is called with no
   arguments once per stream and must return a fresh, deterministic
   predictor: the decoder builds its own and must see exactly the numbers
   the encoder saw.  ``predict`` is called before each byte, ``update``
   after it, in stream order, by the encoder and the decoder alike.  The
   kernel calls back into Python once per byte, from the byte's step (no
   leaving and re-entering the kernel); the distribution is quantised
   inside the kernel to integer counts exactly as numpy would,
   ``floor(p / sum(p) * 2^20) + 1`` (the sum pairwise, in numpy's order), so
   every byte stays possible, and each predictor gives the mixers one input
   per bit through the byte -> bit adapter (bytemodel.py).  The mixers learn
   how much to trust it, so a poor plugin costs little.

In pyproject.toml:
    [project.entry-points."mixzip.components"]
    order2 = "pkg.mod:Order2"
    [project.entry-points."mixzip.predictors"]
    mymodel = "pkg.mod:MyPredictor"
``register_component`` / ``register_predictor`` do the same in-process.
"""
from __future__ import annotations

import ctypes
import math
from importlib import metadata
from typing import Callable, Protocol

import numpy as np

from mixzip.codec.errors import PluginError, UnsupportedModelError
from mixzip.jit import U, call_back, inline, phase, kernel
from mixzip.predictors.bytemodel import byte_to_bit_p12
from mixzip.predictors.component import MIX_INIT, Component
from mixzip.predictors.history import ERR
from mixzip.predictors.logistic import STRETCH

GROUP = "mixzip.predictors"
COMPONENT_GROUP = "mixzip.components"
QUANT = 1 << 20

_registry: dict[str, Callable[[], "BytePredictor"]] = {}
_components: dict[str, type] = {}


class BytePredictor(Protocol):
    version: str

    def predict(self) -> np.ndarray: ...

    def update(self, byte: int) -> None: ...


def register_predictor(name: str, factory: Callable[[], BytePredictor]) -> None:
    """Register a Python byte predictor in this process (the entry point is the usual way)."""
    _registry[name] = factory


def register_component(name: str, cls: type) -> None:
    """Register a fast-path component class in this process."""
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise TypeError("a component plugin must be a subclass of mixzip.predictors.component.Component")
    _components[name] = cls


def _entry_points(group: str) -> dict:
    found = {}
    for ep in metadata.entry_points(group=group):
        found.setdefault(ep.name, ep)
    return found


def available() -> dict[str, Callable[[], BytePredictor]]:
    """Python byte predictors by name: entry points, then in-process registrations."""
    found = _entry_points(GROUP)
    found.update(_registry)
    return found


def available_components() -> dict[str, type]:
    """Fast-path components by name: entry points, then in-process registrations."""
    found = _entry_points(COMPONENT_GROUP)
    found.update(_components)
    return found


def _load(name: str, obj):
    if isinstance(obj, metadata.EntryPoint) or type(obj).__name__ == "EntryPoint":  # or importlib_metadata's
        try:
            return obj.load()
        except Exception as exc:  # a broken plugin must not crash with a traceback
            raise UnsupportedModelError(f"plugin '{name}' failed to load: {exc}") from None
    return obj


def load_factory(name: str):
    """The plugin ``name``: a Component subclass (fast path) or a predictor
    factory (Python); UnsupportedModelError if not installed."""
    comps, preds = available_components(), available()
    if name in comps and name in preds:
        raise UnsupportedModelError(f"plugin '{name}' is registered both as a component and as a predictor")
    if name in comps:
        cls = _load(name, comps[name])
        if not (isinstance(cls, type) and issubclass(cls, Component)):
            raise UnsupportedModelError(f"plugin '{name}' is not a mixzip component")
        return cls
    if name in preds:
        return _load(name, preds[name])
    raise UnsupportedModelError(f"predictor plugin '{name}' is not installed")


def is_component(factory) -> bool:
    return isinstance(factory, type) and issubclass(factory, Component)


def plugin_version(factory) -> str:
    return str(getattr(factory, "version", "0"))


def quantize(dist) -> np.ndarray:
    """256 non-negative weights -> 257 cumulative integer counts (all bytes > 0);
    the Python reference of what the kernel does (``quantize_row``)."""
    p = np.asarray(dist, dtype=np.float64)
    if p.shape != (256,) or not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("a byte predictor must return 256 finite non-negative numbers")
    s = p.sum()
    if s <= 0:
        q = np.ones(256, dtype=np.int64)
    else:
        q = np.floor(p * (QUANT / s)).astype(np.int64) + 1
    out = np.zeros(257, dtype=np.int64)
    np.cumsum(q, out=out[1:])
    return out


# ---------------------------------------------------------------- the Python predictors' component

@inline
def pairwise_sum(a, lo, n):
    """sum(a[lo:lo+n]) in numpy's pairwise order for n = 256 (two halves of
    128, each by eight running sums added as ((0+1)+(2+3))+((4+5)+(6+7)))."""
    tot = 0.0
    for half in range(n // 128):
        b = lo + half * 128
        r0, r1, r2, r3 = a[U(b)], a[U(b + 1)], a[U(b + 2)], a[U(b + 3)]
        r4, r5, r6, r7 = a[U(b + 4)], a[U(b + 5)], a[U(b + 6)], a[U(b + 7)]
        for i in range(b + 8, b + 128, 8):
            r0 += a[U(i)]
            r1 += a[U(i + 1)]
            r2 += a[U(i + 2)]
            r3 += a[U(i + 3)]
            r4 += a[U(i + 4)]
            r5 += a[U(i + 5)]
            r6 += a[U(i + 6)]
            r7 += a[U(i + 7)]
        part = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        tot = part if half == 0 else tot + part
    return 0.0 + tot


@inline
def quantize_row(raw, e, cum):
    """raw[e] (256 float64) -> cum[e] (257 cumulative counts), as ``quantize``;
    returns False if raw[e] holds a negative, infinite or NaN number."""
    for k in range(256):
        v = raw[e, k]
        if not (v >= 0.0 and v <= 1.7976931348623157e308):
            return False
    s = pairwise_sum(raw[e], 0, 256)
    acc = 0
    cum[e, 0] = 0
    if s <= 0.0:
        for k in range(256):
            acc += 1
            cum[e, k + 1] = acc
        return True
    r = QUANT / s
    for k in range(256):
        q = math.floor(raw[e, k] * r)
        if not q >= 0.0:             # NaN: 0 x inf, from a sum too small to divide by
            q = 0.0
        elif q > QUANT:              # inf: the same
            q = float(QUANT)
        acc += np.int64(q) + 1
        cum[e, k + 1] = acc
    return True


@kernel
def quantize_rows(raw, cum):
    """Every row of raw into cum; returns the first bad row, or -1."""
    for e in range(raw.shape[0]):
        if not quantize_row(raw, e, cum):
            return e
    return -1


@phase
def plugins_predict(s, h, x, c0, j):
    cfg, raw, cum = s
    xo = cfg[0]
    for e in range(raw.shape[0]):
        x[U(xo + e)] = STRETCH[U(byte_to_bit_p12(cum, e, c0, j))]


@phase
def plugins_step(s, h, c):
    """After byte c: Python updates each predictor with c and asks for the
    next distribution (one callback); then quantise them here."""
    cfg, raw, cum = s
    if call_back(cfg[1], c) != 0:
        h[ERR] = 1
        return
    for e in range(raw.shape[0]):
        if not quantize_row(raw, e, cum):
            h[ERR] = 2 + e
            return


CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64)


class BytePlugins(Component):
    """The Python byte predictors of a stream, as one component: one mixer
    input each; one callback per byte."""

    name = "plugins"
    can_fail = True
    predict = plugins_predict
    step = plugins_step

    def __init__(self, p: dict, shared, named=()) -> None:
        """``named``: ((name, factory), ...)."""
        super().__init__(p, shared)
        self.names = [n for n, _ in named]
        self.predictors = []
        for name, factory in named:
            try:
                self.predictors.append(factory())
            except Exception as exc:
                raise PluginError(f"predictor plugin '{name}' failed to start: {exc}") from exc
        k = len(self.predictors)
        self.raw = np.zeros((k, 256), dtype=np.float64)
        self.cum = np.zeros((k, 257), dtype=np.int64)
        self.error: tuple[int, BaseException] | None = None
        self._callback = CALLBACK(self._on_byte)        # kept alive as long as the model
        self.cfg = np.array([0, ctypes.cast(self._callback, ctypes.c_void_p).value], dtype=np.int64)
        for e, pl in enumerate(self.predictors):
            self._call(e, lambda: self._fill(e, pl.predict()))
        bad = quantize_rows(self.raw, self.cum)
        if bad >= 0:
            raise self.bad_numbers(bad)

    def _call(self, e: int, fn) -> None:
        try:
            fn()
        except Exception as exc:
            raise PluginError(f"predictor plugin '{self.names[e]}' failed: {exc}") from exc

    def _fill(self, e: int, dist) -> None:
        row = self.raw[e]
        if type(dist) is np.ndarray and dist.shape == (256,) and dist.dtype.kind in "fiub":
            row[:] = dist
            return
        a = np.asarray(dist, dtype=np.float64)
        if a.shape != (256,):
            raise ValueError("a byte predictor must return 256 finite non-negative numbers")
        row[:] = a

    def _on_byte(self, c: int) -> int:
        """The kernel's callback after each byte: 0, or 1 after an exception
        (kept in ``error`` for the engine to raise)."""
        e = 0
        try:
            for e, pl in enumerate(self.predictors):
                pl.update(int(c))
                self._fill(e, pl.predict())
            return 0
        except BaseException as exc:           # noqa: BLE001 - nothing may escape a C callback
            self.error = (e, exc)
            return 1

    def bad_numbers(self, e: int) -> PluginError:
        return PluginError(f"predictor plugin '{self.names[e]}': a byte predictor must return "
                           "256 finite non-negative numbers")

    def raise_error(self, code: int) -> None:
        """Raise what stopped the kernel (h[ERR] = code)."""
        if code == 1 and self.error is not None:
            e, exc = self.error
            self.error = None
            if not isinstance(exc, Exception):        # KeyboardInterrupt, SystemExit
                raise exc
            raise PluginError(f"predictor plugin '{self.names[e]}' failed: {exc}") from exc
        raise self.bad_numbers(max(code - 2, 0))

    @classmethod
    def inputs(cls, p: dict, named=()) -> np.ndarray:
        return np.full(len(named), MIX_INIT, dtype=np.int32)

    def place(self, xo: int) -> None:
        super().place(xo)
        self.cfg[0] = xo

    @classmethod
    def memory_for(cls, p: dict, named=()) -> int:
        return 16 + 8 * (256 + 257) * len(named)

    def state(self) -> tuple:
        return (self.cfg, self.raw, self.cum)

    def describe(self) -> str:
        return "plugins(" + ",".join(self.names) + ")"


# ---------------------------------------------------------------- what is installed, and is it deterministic

def installed() -> list[dict]:
    """Every plugin this mixzip can load: name, kind ("component": fast path,
    or "python"), version, and the distribution that provides it."""
    rows = []
    for kind, found in (("component", available_components()), ("python", available())):
        for name, obj in sorted(found.items()):
            dist = dist_version = None
            if isinstance(obj, metadata.EntryPoint) and obj.dist is not None:
                dist, dist_version = obj.dist.metadata["Name"], obj.dist.version
            try:
                version = plugin_version(load_factory(name))
                error = None
            except UnsupportedModelError as exc:
                version, error = None, str(exc)
            rows.append({"name": name, "kind": kind, "version": version, "distribution": dist,
                         "distribution_version": dist_version, "error": error})
    return rows


_CHECK_CHILD = r"""
import hashlib, sys
import mixzip
data = open(sys.argv[1], "rb").read()
sys.stdout.write(hashlib.sha256(mixzip.compress(data, level=int(sys.argv[2]), plugins=[sys.argv[3]])).hexdigest())
"""


def check_determinism(name: str, path: str, level: int = 1, generic: bool = True) -> dict:
    """Encode the file at ``path`` with plugin ``name`` twice in this process
    and (``generic``) once in a fresh process whose kernels are compiled for
    a generic CPU, decode the first archive, and compare.  Returns
    {"deterministic": bool, "archives": [sha256...], "decodes": bool, "problem": str or None}."""
    import hashlib
    import os
    import subprocess
    import sys
    import tempfile

    from mixzip.codec import streams
    from mixzip.codec.errors import MixzipError

    with open(path, "rb") as f:
        data = f.read()
    first = streams.compress(data, level=level, plugins=[name])
    shas = [hashlib.sha256(first).hexdigest(),
            hashlib.sha256(streams.compress(data, level=level, plugins=[name])).hexdigest()]
    problem = None
    if generic:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, NUMBA_CPU_NAME="generic", NUMBA_CACHE_DIR=os.path.join(tmp, "numba"),
                       MIXZIP_DRIVER_DIR=os.path.join(tmp, "drivers"))
            out = subprocess.run([sys.executable, "-c", _CHECK_CHILD, path, str(level), name], env=env,
                                 capture_output=True, text=True)
        if out.returncode != 0:
            problem = f"the generic-CPU run failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}"
        else:
            shas.append(out.stdout.strip())
    try:
        decodes = streams.decompress(first) == data
    except MixzipError as exc:
        decodes = False
        problem = problem or f"decoding failed: {exc}"
    same = len(set(shas)) == 1
    if not same:
        problem = problem or "encoding the same input gave different archives"
    elif not decodes:
        problem = problem or "the archive does not decode to the input"
    return {"deterministic": same and decodes and problem is None, "archives": shas, "decodes": decodes,
            "problem": problem}
