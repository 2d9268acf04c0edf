"""Recipes: named, fixed combinations of predictors and parameters, chosen by level.

A ``ModelSpec`` is everything a decoder needs to rebuild the encoder's model:
the recipe name and version, every parameter, and each predictor (built-in
and plugin) with its version.  It is stored in the archive header as
canonical JSON (sorted keys, no spaces), so the same spec always serialises
to the same bytes.

Levels 1..9 select parameters of the "cm" recipe (backbone.py); today they
scale the memory of the hash table and of the match history.  Changing what
a level means changes the recipe version and the golden archive hashes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from mixzip.codec.errors import FormatError, UnsupportedModelError
from mixzip.predictors import backbone

DEFAULT_LEVEL = 5
MIN_LEVEL, MAX_LEVEL = 1, 9

# level -> (ht_bits, match_bits); memory ~ 16 B * 2^ht_bits + 2 * 2^match_bits
LEVELS = {
    1: (18, 20),
    2: (19, 20),
    3: (20, 21),
    4: (21, 21),
    5: (22, 22),
    6: (22, 23),
    7: (23, 23),
    8: (23, 24),
    9: (24, 24),
}

RECIPES = {backbone.NAME: backbone}


@dataclass(frozen=True)
class ModelSpec:
    recipe: str
    version: int
    params: dict = field(default_factory=dict)
    plugins: tuple = ()          # ((name, version), ...)
    level: int | None = None

    def predictors(self) -> list[dict]:
        out = [{"name": self.recipe, "version": self.version}]
        out += [{"name": n, "version": v, "plugin": True} for n, v in self.plugins]
        return out

    def to_json(self) -> bytes:
        doc = {"recipe": self.recipe, "version": self.version, "params": self.params,
               "predictors": self.predictors(), "level": self.level}
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "ModelSpec":
        try:
            doc = json.loads(raw.decode("utf-8"))
            recipe = doc["recipe"]
            version = doc["version"]
            params = doc["params"]
            preds = doc["predictors"]
            level = doc.get("level")
            if not (isinstance(recipe, str) and isinstance(version, int) and isinstance(params, dict)
                    and isinstance(preds, list)):
                raise TypeError
            plugins = tuple((str(p["name"]), str(p["version"])) for p in preds if p.get("plugin"))
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            raise FormatError("bad model spec in archive header") from None
        return cls(recipe, version, params, plugins, level)

    def describe(self) -> str:
        s = f"{self.recipe} v{self.version}"
        if self.level is not None:
            s += f" level {self.level}"
        for n, v in self.plugins:
            s += f" +{n} {v}"
        return s


def spec_for_level(level: int = DEFAULT_LEVEL, plugins=()) -> ModelSpec:
    """The spec of a level (1..9), with optional plugins given by name."""
    from mixzip.predictors.plugins import load_factory, plugin_version

    if not MIN_LEVEL <= int(level) <= MAX_LEVEL:
        raise ValueError(f"level must be in {MIN_LEVEL}..{MAX_LEVEL}")
    ht_bits, match_bits = LEVELS[int(level)]
    refs = tuple((name, plugin_version(load_factory(name))) for name in plugins)
    params = dict(ht_bits=ht_bits, match_bits=match_bits, sm_limit=1023, lr=8, apm_rate=6, off=0,
                  contexts=backbone.DEFAULT_CONTEXTS)
    return ModelSpec(backbone.NAME, backbone.VERSION, params, refs, int(level))


def level_memory(level: int) -> int:
    """Model memory of a level in bytes (the same to compress and decompress)."""
    ht_bits, match_bits = LEVELS[level]
    return backbone.Backbone.memory_for(ht_bits, match_bits, backbone.DEFAULT_CONTEXTS)


def build_model(spec: ModelSpec):
    """Instantiate the recipe model and plugin predictors of a spec.

    Returns (model, [plugin predictor, ...]).  Raises UnsupportedModelError if
    the recipe, its version or a plugin is unknown here.
    """
    from mixzip.predictors.plugins import load_factory, plugin_version

    mod = RECIPES.get(spec.recipe)
    if mod is None:
        raise UnsupportedModelError(f"unknown recipe '{spec.recipe}'")
    if spec.version != mod.VERSION:
        raise UnsupportedModelError(
            f"recipe '{spec.recipe}' version {spec.version} is not supported (this mixzip has {mod.VERSION})")
    plugins = []
    for name, version in spec.plugins:
        factory = load_factory(name)
        have = plugin_version(factory)
        if have != version:
            raise UnsupportedModelError(
                f"predictor plugin '{name}' version {version} needed, version {have} installed")
        plugins.append(factory())
    try:
        model = mod.Backbone(n_ext=len(plugins), **spec.params)
    except (TypeError, ValueError) as exc:
        raise UnsupportedModelError(f"bad parameters for recipe '{spec.recipe}': {exc}") from None
    return model, plugins
