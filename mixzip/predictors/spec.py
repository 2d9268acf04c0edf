"""The model spec: everything a decoder needs to rebuild the encoder's model, as text.

A ``ModelSpec`` names the recipe and its version, the level it came from,
every parameter, and each plugin with its version.  The archive header
stores it in one canonical text form, so the same spec always serialises
to the same bytes and any other spelling is refused:

    cm/3 L8 ap=3 ar=6 cx=o1,o2,... di=1 ... sl=1023 +plugin/version
    cm/3 L8 @8a hb=15 mb=14

recipe/version, then ``L<level>`` (optional), then ``@<preset>``
(optional), then every parameter as key=value sorted by key (integers in
decimal, or text of [A-Za-z0-9_.,/-]), then each plugin; ASCII, single
spaces, no other bytes.  The keys are the header keys of the recipe's
parameter tables (component.Param; each recipe registers its table here
with ``register_keys``); a name without a key is written as itself.  With a
preset (a frozen table of parameters the recipe registers with
``register_presets``; presets.py), the parameters are the preset's with
the listed ones replacing theirs, and only those that differ from the
preset are listed.

This module is the spec's grammar and nothing else: which parameters a
recipe accepts, and their ranges, are the recipe's (recipes.py).  The
container (codec/) stores the spec's bytes without reading them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from mixzip.codec.errors import FormatError, UnsupportedModelError

_TOKEN = re.compile(r"[A-Za-z0-9_.,/=-]+")
_INT = re.compile(r"-?[0-9]+")

# recipe name -> {parameter name: header key}
_KEYS: dict[str, dict[str, str]] = {}
# recipe name -> (its version, {preset id: {parameter name: value}})
_PRESETS: dict[str, tuple[int, dict[str, dict]]] = {}
_PRESET_ID = re.compile(r"[0-9a-z]+")


def register_keys(recipe: str, keys: dict[str, str]) -> None:
    if len(set(keys.values())) != len(keys):
        raise ValueError(f"recipe {recipe!r}: two parameters share a header key")
    _KEYS[recipe] = dict(keys)


def keys(recipe: str) -> dict[str, str]:
    return _KEYS.get(recipe, {})


def register_presets(recipe: str, version: int, presets: dict[str, dict]) -> None:
    """The recipe's presets, for specs of that recipe version."""
    for name in presets:
        if not _PRESET_ID.fullmatch(name):
            raise ValueError(f"recipe {recipe!r}: bad preset id {name!r}")
    _PRESETS[recipe] = (version, {name: dict(params) for name, params in presets.items()})


def _lookup(recipe: str, version: int, name: str | None) -> dict | None:
    known_version, presets = _PRESETS.get(recipe, (None, {}))
    return presets.get(name) if version == known_version else None


def preset(recipe: str, version: int, name: str) -> dict:
    """A preset's parameters; UnsupportedModelError if this mixzip has no such preset."""
    base = _lookup(recipe, version, name)
    if base is None:
        raise UnsupportedModelError(
            f"model preset '@{name}' of recipe '{recipe}/{version}' is unknown to this mixzip "
            "(written by a newer version?)")
    return base


def _applies(spec: "ModelSpec") -> bool:
    """Whether the spec's preset can stand for its parameters: a known
    preset of its recipe version, and the spec sets every key the preset
    does (a key left out means its default, which a preset would override)."""
    base = _lookup(spec.recipe, spec.version, spec.preset)
    return base is not None and all(k in spec.params for k in base)


@dataclass(frozen=True)
class ModelSpec:
    recipe: str
    version: int
    params: dict = field(default_factory=dict)
    plugins: tuple = ()          # ((name, version), ...)
    level: int | None = None
    # the preset the header names where it can (its parameters are in ``params`` too); not part of
    # the spec's identity: the same parameters are the same model with or without it
    preset: str | None = field(default=None, compare=False)

    def to_bytes(self) -> bytes:
        """The compact, canonical text form stored in the archive header."""
        short = keys(self.recipe)
        words = [f"{self.recipe}/{self.version}"]
        if self.level is not None:
            words.append(f"L{self.level}")
        base: dict = {}
        if self.preset is not None and _applies(self):
            base = preset(self.recipe, self.version, self.preset)
            words.append(f"@{self.preset}")
        for key in sorted(self.params, key=lambda k: short.get(k, k)):
            if key not in base or base[key] != self.params[key]:
                words.append(f"{short.get(key, key)}={self.params[key]}")
        words += [f"+{n}/{v}" for n, v in self.plugins]
        for w in words:
            if not _TOKEN.fullmatch(w.lstrip("+@")):
                raise ValueError(f"cannot store {w!r} in a model spec")
        return " ".join(words).encode("ascii")

    @classmethod
    def from_bytes(cls, raw: bytes) -> "ModelSpec":
        """Parse a header's spec; FormatError unless it is in canonical form."""
        try:
            words = raw.decode("ascii").split(" ")
            recipe, version = words[0].split("/")
            long = {v: k for k, v in keys(recipe).items()}
            level, params, plugins, pre, given = None, {}, [], None, set()
            for w in words[1:]:
                if w.startswith("+"):
                    name, pver = w[1:].split("/")
                    plugins.append((name, pver))
                elif w.startswith("L") and "=" not in w and level is None and pre is None and not params:
                    level = int(w[1:])
                elif w.startswith("@") and pre is None and not params and not plugins:
                    pre = w[1:]
                    if not _PRESET_ID.fullmatch(pre):
                        raise ValueError
                    params = dict(preset(recipe, int(version), pre))
                else:
                    key, value = w.split("=")
                    key = long.get(key, key)
                    if key in given:
                        raise ValueError
                    given.add(key)
                    params[key] = int(value) if _INT.fullmatch(value) else value
            if not all(_TOKEN.fullmatch(w.lstrip("+@")) for w in words) or not recipe:
                raise ValueError
            spec = cls(recipe, int(version), params, tuple(plugins), level, pre)
        except (ValueError, UnicodeDecodeError):
            raise FormatError("bad model spec in archive header") from None
        if spec.to_bytes() != raw:  # one spelling per spec: canonical or rejected
            raise FormatError("bad model spec in archive header (not canonical)")
        return spec

    def describe(self) -> str:
        s = f"{self.recipe} v{self.version}"
        if self.level is not None:
            s += f" level {self.level}"
        for n, v in self.plugins:
            s += f" +{n} {v}"
        return s
