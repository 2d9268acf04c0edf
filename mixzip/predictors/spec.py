"""The model spec: everything a decoder needs to rebuild the encoder's model, as text.

A ``ModelSpec`` names the recipe and its version, the level it came from,
every parameter, and each plugin with its version.  The archive header
stores it in one canonical text form, so the same spec always serialises
to the same bytes and any other spelling is refused:

    cm/3 L8 ap=3 ar=6 cx=o1,o2,... di=1 ... sl=1023 +plugin/version

recipe/version, then ``L<level>`` (optional), then every parameter as
key=value sorted by key (integers in decimal, or text of
[A-Za-z0-9_.,/-]), then each plugin; ASCII, single spaces, no other bytes.
The keys are the header keys of the recipe's parameter tables
(component.Param; each recipe registers its table here with
``register_keys``); a name without a key is written as itself.

This module is the spec's grammar and nothing else: which parameters a
recipe accepts, and their ranges, are the recipe's (recipes.py).  The
container (codec/) stores the spec's bytes without reading them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from mixzip.codec.errors import FormatError

_TOKEN = re.compile(r"[A-Za-z0-9_.,/=-]+")
_INT = re.compile(r"-?[0-9]+")

# recipe name -> {parameter name: header key}
_KEYS: dict[str, dict[str, str]] = {}


def register_keys(recipe: str, keys: dict[str, str]) -> None:
    if len(set(keys.values())) != len(keys):
        raise ValueError(f"recipe {recipe!r}: two parameters share a header key")
    _KEYS[recipe] = dict(keys)


def keys(recipe: str) -> dict[str, str]:
    return _KEYS.get(recipe, {})


@dataclass(frozen=True)
class ModelSpec:
    recipe: str
    version: int
    params: dict = field(default_factory=dict)
    plugins: tuple = ()          # ((name, version), ...)
    level: int | None = None

    def to_bytes(self) -> bytes:
        """The compact, canonical text form stored in the archive header."""
        short = keys(self.recipe)
        words = [f"{self.recipe}/{self.version}"]
        if self.level is not None:
            words.append(f"L{self.level}")
        for key in sorted(self.params, key=lambda k: short.get(k, k)):
            words.append(f"{short.get(key, key)}={self.params[key]}")
        words += [f"+{n}/{v}" for n, v in self.plugins]
        for w in words:
            if not _TOKEN.fullmatch(w.lstrip("+")):
                raise ValueError(f"cannot store {w!r} in a model spec")
        return " ".join(words).encode("ascii")

    @classmethod
    def from_bytes(cls, raw: bytes) -> "ModelSpec":
        """Parse a header's spec; FormatError unless it is in canonical form."""
        try:
            words = raw.decode("ascii").split(" ")
            recipe, version = words[0].split("/")
            long = {v: k for k, v in keys(recipe).items()}
            level, params, plugins = None, {}, []
            for w in words[1:]:
                if w.startswith("+"):
                    name, pver = w[1:].split("/")
                    plugins.append((name, pver))
                elif w.startswith("L") and "=" not in w and level is None and not params:
                    level = int(w[1:])
                else:
                    key, value = w.split("=")
                    key = long.get(key, key)
                    if key in params:
                        raise ValueError
                    params[key] = int(value) if _INT.fullmatch(value) else value
            if not all(_TOKEN.fullmatch(w.lstrip("+")) for w in words) or not recipe:
                raise ValueError
            spec = cls(recipe, int(version), params, tuple(plugins), level)
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
