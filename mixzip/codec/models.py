"""The container's view of models: an opaque spec, and a provider that knows it.

codec/ (the container, the streams, the engine) never imports predictors/:
it stores a model spec's bytes in each stream header and asks the
registered ``ModelProvider`` to parse them, to make the spec of a level and
to build a model from a spec.  mixzip.predictors.recipes registers the
provider when it is imported (on first use, by name: DEFAULT_PROVIDER), so
the dependency runs one way: predictors -> codec (the coder kernels, the
errors, this protocol).

A spec (what ``parse`` and ``spec_for_level`` return) has ``to_bytes()``,
``describe()``, ``level`` and ``plugins``; a model (``build``) has
``run(mode, data, dstart, dend, buf, bend, cs) -> next byte index``
(codec/coder.py's modes and state), ``check()`` (raise what stopped the
last run, if anything did), ``chunk`` (bytes per run call, so that a
signal is noticed within a fraction of a second) and ``memory()``.

The levels of the public API are defined here; the provider must accept
every level in MIN_LEVEL..MAX_LEVEL.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Protocol, Sequence

from mixzip.codec.errors import MixzipError

DEFAULT_LEVEL = 8
MIN_LEVEL, MAX_LEVEL = 1, 10


class ModelProvider(Protocol):
    def parse(self, raw: bytes) -> Any: ...            # FormatError if malformed

    def spec_for_level(self, level: int, plugins: Sequence[str] = ()) -> Any: ...

    def build(self, spec) -> Any: ...                  # UnsupportedModelError if it cannot

    def memory(self, spec) -> int: ...

    def fit(self, spec, size: int) -> Any: ...       # optional: the spec sized for `size` input bytes


_provider: ModelProvider | None = None

# Called with one line of text when a model is about to be compiled for this
# machine (its first use; later runs load it from the cache): the CLI says
# so on stderr.  None: silent (the library never prints by itself).
compile_notice: Callable[[str], None] | None = None


def register(provider: ModelProvider) -> None:
    global _provider
    _provider = provider


# The provider loaded on first use when none registered itself: named, not
# imported, so that codec/ never depends on predictors/ (like a plugin's
# entry point).
DEFAULT_PROVIDER = "mixzip.predictors.recipes"


def provider() -> ModelProvider:
    if _provider is None:
        importlib.import_module(DEFAULT_PROVIDER)      # registers itself
    if _provider is None:
        raise MixzipError(f"no model provider registered ({DEFAULT_PROVIDER} did not)")
    return _provider


def parse_spec(raw: bytes):
    return provider().parse(raw)


def spec_for_level(level: int, plugins: Sequence[str] = ()):
    return provider().spec_for_level(level, plugins)


def build(spec):
    return provider().build(spec)


def fit_spec(spec, size: int):
    """The spec with its tables sized for an input of ``size`` bytes (the
    provider's ``fit``; the spec unchanged where it has none)."""
    fit = getattr(provider(), "fit", None)
    return spec if fit is None else fit(spec, size)


def spec_memory(spec) -> int:
    return provider().memory(spec)
