"""The component contract: what every fast-path model of a recipe provides.

A *component* is one model of the per-bit path (a context map, the match
model, order 0, a neural byte model, the mixers, the APM chain, the rate
schedule, or a third-party plugin).  The recipe driver (driver.py) is
generated from a recipe's list of components and calls, per byte and per
bit, in this order:

    once per byte, before its first bit     begin(s, h)
    per bit j = 0..7 (c0 = the partial byte with a leading 1):
        give the mixer its inputs           predict(s, h, x, c0, j)
        (the mixers mix, the APMs refine, the coder codes bit y)
        learn from the coded bit            update(s, h, y, c0, j)
    once per byte, after its last bit       step(s, h, c)
    (then the shared byte history moves on: history.history_update)

where ``s`` is the component's own state (the tuple of arrays its owner
class allocates, ``state()``), ``h`` the shared int64 array of history.py
(the last bytes, the position, the rates and the signals the models pass
to the mixers: match state, contexts seen, neural confidence...), and ``x``
the int64 mixer inputs; the component writes its inputs, stretched
probabilities in 1/256 log-odds units (|x| <= 2047), to
``x[xo : xo + n_inputs]`` (``xo``: where the model builder placed them,
kept in the component's own state).  Any phase may be absent (None).
Phases are Numba functions made with ``mixzip.jit.inline`` and take only
arrays and integers: they must not allocate, call Python or read anything
that differs between the encoder and the decoder.  The mixers and the APM
chain have phases of their own shape (mixers.py, apmchain.py); the driver
knows them by their role.

A component class (a subclass of ``Component``) declares:

* ``name``: the word that names it in a recipe;
* ``PARAMS``: its parameter table, one ``Param`` per parameter: the name,
  the key in the archive header's model spec, the accepted range, the
  default (the value of an archive whose spec does not name it) and the
  first recipe version that may carry it.  The tables are the one source
  of truth: the spec grammar (spec.py), validation, ``memory_for`` and the
  key list of docs/FORMAT.md derive from them (a test compares);
* the phases, as attributes holding Numba functions (``begin``,
  ``predict``, ``update``, ``step``; None when unused);
* ``__init__(self, p, shared)``: allocate the state for the validated
  parameters ``p`` (a dict with every parameter of the recipe) beside the
  shared history ``shared`` (history.Shared); ``state()`` returns the
  tuple the phases receive; ``inputs(p)``: the initial mixer weight of each
  input it adds (their count is its number of inputs); ``memory_for(p)``:
  the bytes it will allocate, computed without allocating; optionally
  ``static(p)``: compile-time integer flags passed as literal arguments
  after the usual ones (the driver is specialised on them, so a variant
  costs nothing where it is off); optionally ``fit(p, size)``: the
  smaller table sizes that suffice for an input of ``size`` bytes (written
  into the header's spec, so the decoder allocates the same).  ``p`` also holds the recipe version
  (``p["version"]``), for components that decode older archives.

Third-party components use the same contract (entry-point group
``mixzip.components``; see plugins.py and examples/).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import numpy as np

MIX_INIT = 10000          # the usual initial mixer weight of an input (1/65536 units)


@dataclass(frozen=True)
class Param:
    """One parameter: recipe keyword ``name``, header key ``key``, range
    ``lo..hi`` (ints) or a ``check`` for text values, ``default`` when a
    spec leaves it out, and the first recipe version (``since``) that may
    carry it."""

    name: str
    key: str
    lo: int = 0
    hi: int = 0
    default: Any = 0
    since: int = 1
    doc: str = ""
    check: Callable[[str], Any] | None = None     # text parameters: raises ValueError if bad

    @property
    def is_text(self) -> bool:
        return self.check is not None

    def validate(self, value) -> None:
        if self.is_text:      # a spec reads a value of digits back as an int ("mr=24")
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise ValueError(f"{self.name} must be text, not {value!r}")
            self.check(str(value))
        elif isinstance(value, bool) or not isinstance(value, int) or not self.lo <= value <= self.hi:
            raise ValueError(f"{self.name} must be an integer in {self.lo}..{self.hi}, not {value!r}")

    def range_text(self) -> str:
        return "text" if self.is_text else f"{self.lo}..{self.hi}"


class Component:
    """Base class of the fast-path models.  See the module docstring."""

    name: ClassVar[str] = ""
    PARAMS: ClassVar[tuple[Param, ...]] = ()
    begin: ClassVar[Callable | None] = None
    predict: ClassVar[Callable | None] = None
    update: ClassVar[Callable | None] = None
    step: ClassVar[Callable | None] = None
    can_fail: ClassVar[bool] = False     # its step may set h[ERR] (driver then stops: plugins)
    # late: its inputs are 0 until the stream turns out to need it (structure.py
    # detects JSON/CSV), when a component sets h[NACT] := h[NALL]; the model places
    # late inputs after all others, so the mixers read x[0:NACT] only until then
    late: ClassVar[bool] = False

    def __init__(self, p: dict, shared) -> None:
        self.p = p
        self.shared = shared

    @classmethod
    def inputs(cls, p: dict, **kw) -> np.ndarray:
        """Initial mixer weight of each input this component adds (none by default);
        ``kw``: the plan's extra arguments of this component, if any."""
        return np.zeros(0, dtype=np.int32)

    def static(self) -> tuple[int, ...]:
        """Compile-time flags, passed as literal trailing arguments of every phase."""
        return ()

    @classmethod
    def validate(cls, p: dict) -> None:
        """Checks across parameters (each one's range is checked from PARAMS)."""

    @classmethod
    def memory_for(cls, p: dict, **kw) -> int:
        return 0

    @classmethod
    def fit(cls, p: dict, size: int) -> dict:
        """Parameters to change for an input of ``size`` bytes: tables no
        bigger than that input can fill (as zstd sizes its window to the
        source).  Only ever lowers sizes; {} by default."""
        return {}

    def state(self) -> tuple:
        raise NotImplementedError

    def memory(self) -> int:
        """Bytes of the arrays this component allocated (shared ones excluded)."""
        return sum(a.nbytes for a in self.own_arrays())

    def own_arrays(self) -> tuple:
        return self.state()

    def place(self, xo: int) -> None:
        """Where the model builder put this component's inputs (x[xo:...])."""
        self.xo = xo

    def describe(self) -> str:
        return self.name


def param_defaults(components) -> dict:
    return {q.name: q.default for c in components for q in c.PARAMS}


def check_tables(components) -> dict[str, Param]:
    """All parameters of these components by name; a name or key declared
    twice is a programming error."""
    by_name: dict[str, Param] = {}
    keys: dict[str, str] = {}
    for c in components:
        for q in c.PARAMS:
            if q.name in by_name and by_name[q.name] is not q:
                raise ValueError(f"parameter {q.name!r} declared twice")
            if keys.get(q.key, q.name) != q.name:
                raise ValueError(f"header key {q.key!r} used by {keys[q.key]!r} and {q.name!r}")
            by_name[q.name] = q
            keys[q.key] = q.name
    return by_name
