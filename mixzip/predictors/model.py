"""Model: one stream's components, their state, and the driver that runs them.

``Model(plan, p)`` builds, in order: the shared history (history.py), each
model component of the plan (component.py; they may find the ones built
before them in ``shared.models``), the mixer with one initial weight per
input (in input order: the models' inputs, then the mixer's bias), the APM
chain, the mixer input array ``x``; then it places every component's
inputs, and loads the recipe driver (driver.py) compiled for exactly these
components.

    model.run(mode, data, dstart, dend, buf, bend, cs) -> next byte index
    model.check()           raise what stopped the last run (a plugin's error)
    model.memory()          bytes of state it allocated
    model.component(name)   a component by name (e.g. "moe", for analyze)

``Model.memory_for(plan, p)`` is the same count without allocating.
Objects are not thread-safe: one per stream.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mixzip.predictors import driver
from mixzip.predictors.history import ERR, NACT, NALL, Shared


@dataclass
class Plan:
    """Which components make a model, in order: ``models`` (classes, or
    (class, extra kwargs) pairs) give inputs and learn; ``mixer`` mixes;
    ``refine`` (or None) refines the mixers' probability."""

    models: list
    mixer: type
    refine: type | None
    mixer_kwargs: dict = field(default_factory=dict)


def _split(entry) -> tuple[type, dict]:
    return entry if isinstance(entry, tuple) else (entry, {})


class Model:
    def __init__(self, plan: Plan, p: dict, stats: bool = False):
        self.p = p
        self.shared = Shared(p["match_bits"])
        self.shared.models = {}     # the components built so far, by name (during the build only)
        self.models = []
        weights = []
        for cls, kw in map(_split, plan.models):
            comp = cls(p, self.shared, **kw)
            self.shared.models.setdefault(comp.name, comp)
            self.models.append(comp)
            weights.append(cls.inputs(p, **kw))
        # inputs: the components' in plan order, the mixer's own, then the late
        # components' (0 until they wake: the mixers read x[0:h[NACT]], history.py)
        order = [i for i, c in enumerate(self.models) if not c.late]
        late = [i for i, c in enumerate(self.models) if c.late]
        xo = 0
        for i in order:
            self.models[i].place(xo)
            xo += len(weights[i])
        mixer_w = plan.mixer.inputs(p)
        mixer_xo = xo
        xo += len(mixer_w)
        awake = xo
        for i in late:
            self.models[i].place(xo)
            xo += len(weights[i])
        all_w = np.concatenate([weights[i] for i in order] + [mixer_w] + [weights[i] for i in late]).astype(np.int32)
        self.shared.h[NACT] = awake
        self.shared.h[NALL] = len(all_w)
        self.mixer = plan.mixer(p, self.shared, all_w, stats=stats, **plan.mixer_kwargs)
        self.mixer.place(mixer_xo)
        self.shared.models[self.mixer.name] = self.mixer
        self.refine = plan.refine(p, self.shared) if plan.refine is not None else None
        self.x = np.zeros(len(all_w), dtype=np.int64)
        self.mixer.prime(self.x)
        parts = [*self.models, self.mixer] + ([self.refine] if self.refine else [])
        self.kernel, self.driver_name, self.compiles = driver.load(self.models, self.mixer, self.refine)
        # bytes per run call: about 0.1-0.3 s of work, so Ctrl-C acts quickly
        self.chunk = 1 << 12 if any(getattr(c, "slow", False) for c in self.models) else 1 << 16
        sh = self.shared
        self.S = (sh.h, sh.tabs, sh.ring, self.x, *(c.state() for c in parts))
        # components hold the shared arrays; shared must not hold them back
        # (a reference cycle would keep a stream's hundreds of MB alive until
        # the garbage collector runs, and make the next model's pages costly)
        self.by_name = sh.models
        sh.models = None

    def run(self, mode, data, dstart, dend, buf, bend, cs) -> int:
        return self.kernel(mode, data, dstart, dend, buf, bend, cs, self.S)

    def needs_compile(self) -> bool:
        """True if the first run will compile the driver (not compiled in this
        process, and not in Numba's cache for this machine)."""
        if self.kernel.overloads:
            return False
        try:
            return not self.kernel._cache._cache_file._load_index()
        except Exception:       # no cache (read-only install), or another Numba
            return True

    def check(self) -> None:
        """Raise what stopped the last run, if a component did (h[ERR])."""
        err = int(self.shared.h[ERR])
        if err:
            self.shared.h[ERR] = 0
            for c in self.models:
                if c.can_fail:
                    c.raise_error(err)

    def component(self, name: str):
        return self.by_name.get(name)

    def memory(self) -> int:
        parts = [*self.models, self.mixer] + ([self.refine] if self.refine else [])
        return self.shared.memory() + self.x.nbytes + sum(c.memory() for c in parts)

    @staticmethod
    def memory_for(plan: Plan, p: dict) -> int:
        """Bytes ``memory()`` will report for this plan, without allocating."""
        entries = [_split(e) for e in plan.models]
        nin = sum(len(cls.inputs(p, **kw)) for cls, kw in entries) + len(plan.mixer.inputs(p))
        total = Shared.memory_for(p["match_bits"]) + 8 * nin
        total += sum(cls.memory_for(p, **kw) for cls, kw in entries)
        total += plan.mixer.memory_for(p, nin)
        if plan.refine is not None:
            total += plan.refine.memory_for(p)
        return total
