"""Recipes: named, fixed combinations of predictors and parameters, chosen by level.

A ``ModelSpec`` is everything a decoder needs to rebuild the encoder's model:
the recipe name and version, every parameter, and each predictor (built-in
and plugin) with its version.  It is stored in the archive header in a
compact canonical text form (``ModelSpec.to_bytes``), so the same spec always
serialises to the same bytes.

Levels 1..9 select parameters of the "cm" recipe (backbone.py): which
contexts, how many mixers and APM stages, and table sizes.  They were chosen
as a measured frontier by scripts/frontier.py.  Level 10 adds the neural byte
models (the GRU, gru.py) to level 9, less one context (i2) they make
redundant: tens of KB/s instead of hundreds, for the last percent on text.  Like zstd's --ultra levels, it is only reached by
number (``--level 10``), never by a one-digit flag.  Changing what a level means
changes the golden archive hashes and the recipe version (backbone.VERSION;
the versions it still decodes are backbone.SUPPORTED_VERSIONS).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from mixzip.codec.errors import FormatError, UnsupportedModelError
from mixzip.predictors import backbone

DEFAULT_LEVEL = 8
MIN_LEVEL, MAX_LEVEL = 1, 10

# level -> parameters of the "cm" recipe that change with the level.  Chosen
# as a Pareto frontier (each level smaller output and slower than the one
# below) by scripts/frontier.py, which measures every level on a corpus.
LEVELS = {
    1: dict(ht_bits=18, match_bits=18, mixers=1, apms=1, contexts="o3,w1"),
    2: dict(ht_bits=20, match_bits=20, mixers=1, apms=1, contexts="o2,o4,w1"),
    3: dict(ht_bits=21, match_bits=21, mixers=1, apms=1, contexts="o1,o2,o3,o4,w1"),
    4: dict(ht_bits=22, match_bits=22, mixers=1, apms=2, contexts="o1,o2,o3,o4,o6,w1,r2"),
    5: dict(ht_bits=22, match_bits=22, mixers=2, apms=3, contexts="o1,o2,o3,o4,o6,w1,w2,r2"),
    6: dict(ht_bits=22, match_bits=22, mixers=2, apms=3, contexts="o1,o2,o3,o4,o6,w1,w2,r2,col"),
    7: dict(ht_bits=22, match_bits=22, mixers=3, apms=3, contexts="o1,o2,o3,o4,o6,w1,w2,r2,col"),
    8: dict(ht_bits=22, match_bits=23, mixers=5, moe_k=3, apms=3,
            contexts="o1,o2,o3,o4,o6,w1,w2,w4,r2,col,r3,k1", mixer_rates="8,16,32,48"),
    9: dict(ht_bits=24, match_bits=24, mixers=8, moe_k=6, apms=3,
            contexts="o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,i2,k1", mixer_rates="8,16,32,48"),
}
# Experts at their own rates (mixer_rates, 1/16 of lr): expert 0 (weight sets
# by match state, contexts seen and c0; 8192 sets) at half the rate, expert 2
# (match length) at 2x and expert 3 (256 sets by c0, or the neural model's
# confidence x c0) at 3x, so the router can choose between slow and fast
# learners per bit (the others keep the common rate, written by omission):
# level 8 -0.22% on Canterbury and -0.84% on the held-out files of the
# README's EML section (payload), level 9 -0.13% / -0.79%, level 10 -0.06%
# on Canterbury.  Lowering or raising one common rate instead trades one
# set for the other (README, "EML").
# Level 9 mixes with the MoE router (moe.py): 6 of 8 expert mixers per bit
# instead of 3 mixers and a final mixer (4 of 7: 0.9863 -> 0.9769 payload bpb
# on Canterbury for ~30% more time; 6 of 7 another -0.17%; the eighth expert,
# keyed by the text shape, -0.2%), and the text-shape context k1 replaces s5
# (-0.19%, alice29 -0.3%).  Level 8 mixes with the router too, 3 of 5
# experts: 0.9949 -> 0.9878 bpb on Canterbury against 3 mixers and a final
# mixer, for 0.73 -> 0.62 MB/s in one process (it kept the final mixer
# until the kernels lost Numba's reference counting and gained prefetches,
# which left room above the default's 500 KB/s line); k1 replaces i2 there
# (-0.28%).  Level tables may change between releases without a recipe
# version: the header names every parameter, so any cm/3 decoder reads
# either level 8 (tests/data/v3_source_L8.mxz is the earlier one).
# The GRU byte model's parameters (gru.py; learning rates in units of 1e-4:
# Adam for the whole network every 16 bytes, SGD for the output layer every
# byte; Adam without momentum, b1 = 0, and b2 = 0.995: -0.18% on Canterbury
# at level 10 against the textbook 0.9 / 0.999, every file smaller), and
# the neural levels: level 9's backbone + the GRU, with a fourth mixer whose
# weight set is chosen by the GRU's confidence, and without level 9's i2
# context: beside the GRU it costs 0.04% on Canterbury (0.95408 -> 0.95368
# payload bpb without it; it is worth 0.01% at level 9).
GRU = dict(gru_hidden=128, gru_embed=32, gru_window=16, gru_lr=30, gru_olr=100, gru_b1=0, gru_b2=9950)
LEVELS[10] = dict(LEVELS[9], contexts=LEVELS[9]["contexts"].replace(",i2", ""), **GRU)
# EML heuristics (eml.py, recipe key ``eml``): no level uses them.  Fitted
# on whole Canterbury files for level 8 (eml_params.json, with the per-set
# mixer rate node) they gain 0.51% there, in-sample, but lose 1.38% on
# held-out files (a shared library +1.8%) and cost 6-13% time, so they stay
# selectable by spec and off.  README: "EML heuristics".
# runs=0: the run model (backbone.py) measured -0.12% at level 6 and +0.17%
# at level 9 on Canterbury for 20-40% more time, so no level uses it yet.
# det_inputs=1: a second input per context, live while its bit history is
# deterministic (backbone.py): -0.33% to -0.65% on Canterbury at every level
# (level 8: 0.9812 -> 0.9776) at 3-15% lower speed (scripts/frontier.py,
# one run before and one after; level 8 0.651 -> 0.555 MB/s).
# mixer_skip=128: the expert mixers skip an update when |y - p| <= 128/65536
# (backbone.py): 2-10% faster and 0.01-0.14% smaller at levels 1, 5, 8, 9.
COMMON = dict(sm_limit=1023, lr=8, apm_rate=6, off=0, runs=0, det_inputs=1, mixer_skip=128)

# Compression speed of each level in MB/s (10^6 bytes/s, one stream), as
# measured by scripts/frontier.py on Canterbury on a 2-core x86-64 VM (Intel Xeon);
# shown by `mixzip --help`.  Decompression runs at about the same speed.
LEVEL_SPEED = {1: 2.61, 2: 1.93, 3: 1.57, 4: 1.16, 5: 0.83, 6: 0.80, 7: 0.75, 8: 0.53, 9: 0.32, 10: 0.029}

RECIPES = {backbone.NAME: backbone}

# Short keys of the parameters in the header's spec text.
SHORT = {"apm_rate": "ar", "apms": "ap", "contexts": "cx", "ht_bits": "hb", "lr": "lr", "match_bits": "mb",
         "mixers": "mx", "off": "of", "runs": "rn", "sm_limit": "sl",
         "gru_hidden": "gh", "gru_embed": "ge", "gru_window": "gk", "gru_lr": "gl", "gru_olr": "go",
         "gru_b1": "g1", "gru_b2": "g2",
         "attn_dim": "ad", "attn_levels": "al", "attn_lr": "az", "attn_src": "as", "moe_k": "ek", "moe_lr": "er", "det_inputs": "di", "mixer_skip": "sk", "mixer_rates": "mr"}
LONG = {v: k for k, v in SHORT.items()}
_TOKEN = re.compile(r"[A-Za-z0-9_.,/=-]+")
_INT = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class ModelSpec:
    recipe: str
    version: int
    params: dict = field(default_factory=dict)
    plugins: tuple = ()          # ((name, version), ...)
    level: int | None = None

    def to_bytes(self) -> bytes:
        """The compact, canonical text form stored in the archive header.

        ``cm/2 L5 ar=6 cx=o1,o2 hb=22 ... +plugin/version``: recipe/version,
        level, then every parameter as short-key=value in key order (ints,
        or tokens of [A-Za-z0-9_.,-]), then each plugin predictor.  Short
        keys are listed in SHORT; ASCII, single spaces, no other bytes.
        """
        words = [f"{self.recipe}/{self.version}"]
        if self.level is not None:
            words.append(f"L{self.level}")
        for key in sorted(self.params, key=lambda k: SHORT.get(k, k)):
            value = self.params[key]
            words.append(f"{SHORT.get(key, key)}={value}")
        words += [f"+{n}/{v}" for n, v in self.plugins]
        for w in words:
            if not _TOKEN.fullmatch(w.lstrip("+")):
                raise ValueError(f"cannot store {w!r} in a model spec")
        return " ".join(words).encode("ascii")

    @classmethod
    def from_bytes(cls, raw: bytes) -> "ModelSpec":
        try:
            words = raw.decode("ascii").split(" ")
            recipe, version = words[0].split("/")
            level, params, plugins = None, {}, []
            for w in words[1:]:
                if w.startswith("+"):
                    name, pver = w[1:].split("/")
                    plugins.append((name, pver))
                elif w.startswith("L") and "=" not in w and level is None and not params:
                    level = int(w[1:])
                else:
                    key, value = w.split("=")
                    key = LONG.get(key, key)
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


def spec_for_level(level: int = DEFAULT_LEVEL, plugins=()) -> ModelSpec:
    """The spec of a level (1..10), with optional plugins given by name."""
    from mixzip.predictors.plugins import load_factory, plugin_version

    if not MIN_LEVEL <= int(level) <= MAX_LEVEL:
        raise ValueError(f"level must be in {MIN_LEVEL}..{MAX_LEVEL}")
    refs = tuple((name, plugin_version(load_factory(name))) for name in plugins)
    params = dict(COMMON, **LEVELS[int(level)])
    return ModelSpec(backbone.NAME, backbone.VERSION, params, refs, int(level))


def level_memory(level: int) -> int:
    """Model memory of a level in bytes (the same to compress and decompress)."""
    return backbone.Backbone.memory_for(**dict(COMMON, **LEVELS[level]))


def spec_memory(spec: ModelSpec) -> int:
    """Bytes of model state a spec asks for (what decoding its stream will
    allocate), computed without allocating; plugins' own state not included."""
    return backbone.Backbone.memory_for(**spec.params, n_ext=len(spec.plugins))


def build_model(spec: ModelSpec):
    """Instantiate the recipe model and plugin predictors of a spec.

    Returns (model, [plugin predictor, ...]).  Raises UnsupportedModelError if
    the recipe, its version or a plugin is unknown here.
    """
    from mixzip.predictors.plugins import load_factory, plugin_version

    mod = RECIPES.get(spec.recipe)
    if mod is None:
        raise UnsupportedModelError(f"unknown recipe '{spec.recipe}'")
    if spec.version not in mod.SUPPORTED_VERSIONS:
        raise UnsupportedModelError(
            f"recipe '{spec.recipe}' version {spec.version} is not supported (this mixzip reads versions "
            f"{', '.join(map(str, mod.SUPPORTED_VERSIONS))})")
    plugins = []
    for name, version in spec.plugins:
        factory = load_factory(name)
        have = plugin_version(factory)
        if have != version:
            raise UnsupportedModelError(
                f"predictor plugin '{name}' version {version} needed, version {have} installed")
        plugins.append(factory())
    try:
        model = mod.Backbone(n_ext=len(plugins), recipe_version=spec.version, **spec.params)
    except (TypeError, ValueError) as exc:
        raise UnsupportedModelError(f"bad parameters for recipe '{spec.recipe}': {exc}") from None
    return model, plugins
