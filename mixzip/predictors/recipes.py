"""Recipes: named, fixed combinations of components and parameters, chosen by level.

The one recipe, "cm" (version 3; versions 1 and 2 still decode), is a
paq-style context mixer.  Its parameters are the union of its components'
tables (component.Param) and two of its own (``off``, ``runs``); a spec's
parameters choose the components:

    rates            always (rates.py: learning rates; EML heuristics with ``eml``)
    contextmap       always (contextmap.py: the ``contexts``)
    order0           unless ``off`` & 1 (order0.py)
    match            unless ``off`` & 2 (match.py)
    plugins          the spec's plugins (plugins.py): fast-path components,
                     then the Python byte predictors, in the spec's order
    gru              with ``gru_hidden`` > 0 (gru.py)
    attention        with ``attn_dim`` > 0 (attention.py)
    mixer or moe     ``moe_k`` = 0: 1..8 mixers (+ a final mixer); else the
                     MoE router over ``mixers`` experts (mixers.py)
    apm              unless ``off`` & 4 (apmchain.py)
    structure,       with ``structure`` = 1 (levels 8-10), after the match
    column, fields   model: the JSON/CSV tokenizer (structure.py), the column
                     model (column.py), the field contexts (fields.py)

Levels 1..9 choose parameters as a measured Pareto frontier
(scripts/frontier.py: each level smaller output and slower than the one
below); level 10 adds the GRU to level 9 (less the i2 context it makes
redundant).  Like zstd's --ultra levels, level 10 is only reached by
number.  The header names every parameter, so a level's table may change
between releases without a recipe version: any cm/3 decoder reads any
earlier level-8 archive.  docs/RESULTS.md has the measurements behind each
choice.

Ranges: each parameter accepts what some level writes, or a bound the tests
exercise, so a hostile header cannot ask for a model that takes gigabytes
or seconds per kilobyte (the largest: level 9's 24-bit tables, a GRU of
256 cells).

Versions: 1 (mixzip 0.1): the final mixer's weights chosen by c0 alone;
2 (0.2): by (c0, match state, c1 >> 6); 3: adds the MoE router, mixers
5..8, EML, the deterministic inputs, the mixer update skip, the GRU's Adam
rates and per-mixer rates - parameters a version 1 or 2 spec cannot carry
(each Param's ``since``).
"""
from __future__ import annotations

import dataclasses

from mixzip.codec import models
from mixzip.codec.errors import UnsupportedModelError
from mixzip.codec.models import DEFAULT_LEVEL, MAX_LEVEL, MIN_LEVEL
from mixzip.predictors import presets
from mixzip.predictors import spec as spec_mod
from mixzip.predictors.apmchain import ApmChain
from mixzip.predictors.attention import AttentionModel
from mixzip.predictors.component import Param, check_tables
from mixzip.predictors.contextmap import ContextMap
from mixzip.predictors.gru import GruModel
from mixzip.predictors.match import MatchModel
from mixzip.predictors.mixers import MAXMIX, Mixer, MoE
from mixzip.predictors.model import Model, Plan
from mixzip.predictors.order0 import Order0
from mixzip.predictors.rates import Rates
from mixzip.predictors.spec import ModelSpec
from mixzip.predictors.structure import Structure
from mixzip.predictors.column import Column
from mixzip.predictors.fields import Fields
from mixzip.predictors.numdelta import NumDelta

NAME = "cm"
VERSION = 3
SUPPORTED_VERSIONS = (1, 2, 3)

# ``off`` leaves components out, for ablation studies (0 in every level;
# contexts are ablated by leaving them out of ``contexts``).
OFF_ORDER0, OFF_MATCH, OFF_APM = 1, 2, 4
OFF_NAMES = {"order0": OFF_ORDER0, "match": OFF_MATCH, "apm": OFF_APM}


def _check_runs(p: dict) -> None:
    if p["runs"]:
        raise ValueError("the run model (runs=1) was removed: no level ever used it")


RECIPE_PARAMS = (
    Param("off", "of", 0, 1023, 0, 1, "ablation: 1 no order 0, 2 no match model, 4 no APM chain; with "
          "structure=1: 8 no column-model inputs, 16 << k no field context fk (k = 0..3)"),
    Param("runs", "rn", 0, 1, 0, 1, "the run model, removed: 0 only"),
)
COMPONENTS = (Rates, ContextMap, Order0, MatchModel, GruModel, AttentionModel, Mixer, ApmChain, Structure, Fields,
              NumDelta)
PARAMS: dict[str, Param] = check_tables([*COMPONENTS, type("Recipe", (), {"PARAMS": RECIPE_PARAMS})])
spec_mod.register_keys(NAME, {name: q.key for name, q in PARAMS.items()})
spec_mod.register_presets(NAME, VERSION, presets.CM)

# Levels 3-10 use the UTF-8 words u1, u2 where they had the ASCII words w1, w2
# (a byte >= 128 is a letter: words in any script; presets 3b-7b, 8f, 9e, 10f).
# Chosen on held-out message catalogues in ten languages
# (scripts/build_heldout_i18n.py): 1.7% to 4.0% smaller there, held-out
# binaries and English text within +0.22%.  Levels 1 and 2 keep w1, their only
# word context: there binaries paid up to 2.3% for u1 (docs/RESULTS.md, "UTF-8
# words"; scripts/word_contexts.py undoes UTF8_WORDS to measure it).
UTF8_WORDS = {"w1": "u1", "w2": "u2"}

# level -> the parameters that change with the level (docs/RESULTS.md: the frontier)
LEVELS = {
    1: dict(ht_bits=18, match_bits=18, mixers=1, apms=1, contexts="o3,w1"),
    2: dict(ht_bits=20, match_bits=20, mixers=1, apms=1, contexts="o2,o4,w1"),
    3: dict(ht_bits=21, match_bits=21, mixers=1, apms=1, contexts="o1,o2,o3,o4,u1"),
    4: dict(ht_bits=22, match_bits=22, mixers=1, apms=2, contexts="o1,o2,o3,o4,o6,u1,r2"),
    5: dict(ht_bits=22, match_bits=22, mixers=2, apms=3, contexts="o1,o2,o3,o4,o6,u1,u2,r2"),
    6: dict(ht_bits=22, match_bits=22, mixers=2, apms=3, contexts="o1,o2,o3,o4,o6,u1,u2,r2,col"),
    7: dict(ht_bits=22, match_bits=22, mixers=3, apms=3, contexts="o1,o2,o3,o4,o6,u1,u2,r2,col"),
    8: dict(ht_bits=22, match_bits=23, mixers=5, moe_k=3, apms=3,
            contexts="o1,o2,o3,o4,o6,u1,u2,w4,r2,col,r3,k1", mixer_rates="8,16,32,48", structure=1,
            struct_contexts="o1,o2,o3,o4,o6,u1,u2,w4,col,k1,i2,o16"),
    9: dict(ht_bits=24, match_bits=24, mixers=8, moe_k=6, apms=3,
            contexts="o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,r1,r2,col,r3,i2,k1", mixer_rates="8,16,32,48", structure=1),
}
# The GRU byte model's parameters at level 10 (learning rates in 1e-4: Adam
# for the whole network every 16 bytes without momentum, SGD for the output
# layer every byte).  The prior stays frozen while the stream is text and
# learns once it looks binary (gru_wake=1): on held-out data, frozen is
# best on text (online learning washes the prior out) and learning on
# binaries (docs/RESULTS.md, "Level 10").
GRU = dict(gru_hidden=128, gru_embed=32, gru_window=16, gru_lr=30, gru_olr=100, gru_b1=0, gru_b2=9950, gru_wake=1)
LEVELS[10] = dict(LEVELS[9], contexts=LEVELS[9]["contexts"].replace(",i2", ""), **GRU)
# On JSON/CSV (structure.py's detection) the context maps drop the record
# contexts r1-r3 for i2 (and o16 at level 8): chosen on held-out files
# (scripts/build_heldout_structured.py; docs/STRUCTURED.md, section 7).
LEVELS[9] = dict(LEVELS[9], struct_contexts="o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,col,i2,k1")
LEVELS[10] = dict(LEVELS[10], struct_contexts="o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,i2,col,k1")
# The field context f3 did not pay on held-out files (field_set=7: f0-f2; presets 8e, 9d, 10e).
# The numeric step model (numdelta.py) paid on held-out numeric files
# (scripts/build_heldout_numeric.py) and changed nothing on the other held-out
# files: with the last step (numdelta=1, presets 8g, 9f, 10g) -2.6% at level 8;
# choosing between the last two steps (numdelta=2, presets 8h, 9g, 10h) -6.8%.
for _level in (8, 9, 10):
    LEVELS[_level] = dict(LEVELS[_level], field_set=7, numdelta=2)
# The GRU starts from a pretrained prior (mixzip/priors; docs/TRAINING.md): at
# level 10 for the whole stream, at level 8 as a warm start for the first
# gru_budget bytes.  The level table names the prior; the spec carries its
# reference NAME.HASH (spec_for_level).  At level 8 the prior is frozen
# (gru_lr = gru_olr = 0: forward passes only, the cheapest), for the first
# 16 KiB, ended early by binary data (gru_nul=2: control bytes over 1/64 of
# the stream or NULs over half, from its 1024th byte on; a tar's NUL-padded
# ASCII headers are neither); parameters equal to their defaults are left out
# of the table.
PRIOR = "gru-e32-h128-v2"
LEVELS[10].update(gru_prior=PRIOR)
LEVELS[8] = dict(LEVELS[8], gru_hidden=128, gru_lr=0, gru_prior=PRIOR, gru_budget=16, gru_nul=2)
# Every level: constant rates (EML off), the deterministic inputs, the mixer update skip.
COMMON = dict(sm_limit=1023, lr=8, apm_rate=6, off=0, runs=0, det_inputs=1, mixer_skip=128)

# The preset each level's header names (presets.py): the header then lists
# only the parameters that differ from it.  A changed level table needs a
# new preset to stay compact, never an edited one.
LEVEL_PRESET = {level: f"{level}a" for level in LEVELS}
# 8c, 9b, 10c: struct_contexts chosen on the benchmark corpus (and gru_nul=3
# at level 8), replaced the same day: worse on held-out files (STRUCTURED.md, section 7)
# "Nb" (levels 3-7): the UTF-8 words u1, u2 (UTF8_WORDS).  Levels 8-10, newest
# first: 8h, 9g, 10h numdelta=2; 8g, 9f, 10g numdelta=1; 8f, 9e, 10f the UTF-8
# words; 8e, 9d, 10e field_set=7; 8d, 9c, 10d struct_contexts; 8b gru_nul=2;
# 10b gru_wake=1.
LEVEL_PRESET.update({level: f"{level}b" for level in range(3, 8)})
LEVEL_PRESET.update({8: "8h", 9: "9g", 10: "10h"})

# Compression speed of each level in MB/s (10^6 bytes/s, one stream), as
# measured by scripts/frontier.py on Canterbury on a 2-core x86-64 VM (Intel
# Xeon); shown by `mixzip --help`.  Decompression runs at about the same speed.
LEVEL_SPEED = {1: 2.61, 2: 1.93, 3: 1.57, 4: 1.16, 5: 0.83, 6: 0.80, 7: 0.75, 8: 0.53, 9: 0.32, 10: 0.054}


def resolve(spec: ModelSpec) -> dict:
    """The spec's parameters, checked against the recipe's tables and its
    version, with the defaults of those it leaves out (and ``version``).
    Raises UnsupportedModelError."""
    if spec.recipe != NAME:
        raise UnsupportedModelError(f"unknown recipe '{spec.recipe}'")
    if spec.version not in SUPPORTED_VERSIONS:
        raise UnsupportedModelError(
            f"recipe '{spec.recipe}' version {spec.version} is not supported (this mixzip reads versions "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))})")
    try:
        unknown = [k for k in spec.params if k not in PARAMS]
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(map(str, unknown))}")
        p = {name: q.default for name, q in PARAMS.items()}
        p.update(spec.params)
        for name, q in PARAMS.items():
            q.validate(p[name])
            if q.since > spec.version and p[name] != q.default:
                raise ValueError(f"{name} needs recipe version {q.since}, not {spec.version}")
        if spec.version < 3 and p["mixers"] > 4:
            raise ValueError(f"mixers > 4 need recipe version 3, not {spec.version}")
        _check_runs(p)
        for c in COMPONENTS:
            c.validate(p)
    except ValueError as exc:
        raise UnsupportedModelError(f"bad parameters for recipe '{spec.recipe}': {exc}") from None
    p["version"] = spec.version
    return p


def plan_for(p: dict, plugins=()) -> Plan:
    """The components of a model with parameters ``p`` and plugins
    ((name, factory), ...), in driver order."""
    from mixzip.predictors.plugins import BytePlugins, is_component

    off = p["off"]
    models: list = [Rates, ContextMap]
    if not off & OFF_ORDER0:
        models.append(Order0)
    if not off & OFF_MATCH:
        models.append(MatchModel)
    if p["structure"]:
        models += [Structure, Column, Fields]
        if p["numdelta"]:
            models.append(NumDelta)
    models += [f for _, f in plugins if is_component(f)]
    python = tuple((n, f) for n, f in plugins if not is_component(f))
    if python:
        models.append((BytePlugins, {"named": python}))
    if p["gru_hidden"]:
        models.append(GruModel)
    if p["attn_dim"]:
        models.append(AttentionModel)
    return Plan(models, MoE if p["moe_k"] else Mixer, None if off & OFF_APM else ApmChain)


def _plugins(spec: ModelSpec) -> list:
    from mixzip.predictors.plugins import load_factory, plugin_version

    out = []
    for name, version in spec.plugins:
        factory = load_factory(name)
        have = plugin_version(factory)
        if have != version:
            raise UnsupportedModelError(f"predictor plugin '{name}' version {version} needed, version {have} installed")
        out.append((name, factory))
    return out


def spec_for_level(level: int = DEFAULT_LEVEL, plugins=()) -> ModelSpec:
    """The spec of a level (1..10), with optional plugins given by name."""
    from mixzip.predictors.plugins import load_factory, plugin_version

    if isinstance(level, bool) or not isinstance(level, int) or not MIN_LEVEL <= level <= MAX_LEVEL:
        raise ValueError(f"level must be an integer in {MIN_LEVEL}..{MAX_LEVEL}, not {level!r}")
    refs = tuple((name, plugin_version(load_factory(name))) for name in plugins)
    params = dict(COMMON, **LEVELS[level])
    if params.get("gru_prior"):
        from mixzip import priors
        params["gru_prior"] = priors.ref(params["gru_prior"])
    return ModelSpec(NAME, VERSION, params, refs, level, LEVEL_PRESET[level])


def spec_memory(spec: ModelSpec) -> int:
    """Bytes of model state a spec asks for (what decoding its stream will
    allocate), computed without allocating anything; plugins' own state
    beyond their inputs is not included."""
    p = resolve(spec)
    named = [(n, None) for n, _ in spec.plugins]
    plan = plan_for(p, [])
    if named:
        plan.models.append((_PluginsStandIn, {"named": named}))
    return Model.memory_for(plan, p)


class _PluginsStandIn:
    """Counts plugin inputs in ``spec_memory`` without loading the plugins."""

    @staticmethod
    def inputs(p, named=()):
        from mixzip.predictors.plugins import BytePlugins
        return BytePlugins.inputs(p, named=named)

    @staticmethod
    def memory_for(p, named=()):
        from mixzip.predictors.plugins import BytePlugins
        return BytePlugins.memory_for(p, named=named)


def level_memory(level: int) -> int:
    """Model memory of a level in bytes (the same to compress and decompress)."""
    return spec_memory(spec_for_level(level))


def build_model(spec: ModelSpec, stats: bool = False) -> Model:
    """The model of a spec: its components built, its driver loaded.
    ``stats``: also keep the router's statistics (mixzip analyze; the
    archive is the same).  Raises UnsupportedModelError if the recipe, its
    version, a parameter or a plugin is not supported here."""
    plugins = _plugins(spec)            # a missing plugin is named first
    p = resolve(spec)
    model = Model(plan_for(p, plugins), p, stats=stats)
    if models.compile_notice is not None and model.needs_compile():
        what = f"level-{spec.level} model" if spec.level is not None else "model"
        models.compile_notice(f"compiling the {what} for this machine, first run only (up to half a minute)...")
    return model


def fit_to_size(spec: ModelSpec, size: int) -> ModelSpec:
    """The spec with its tables sized for an input of ``size`` bytes (each
    component's ``fit``; sizes only ever go down), as zstd sizes its window
    to a known source size.  The header records the result, so the decoder
    allocates the same tables."""
    p = resolve(spec)
    changes: dict = {}
    for c in COMPONENTS:
        changes.update(c.fit(p, size))
    return with_params(spec, **changes) if changes else spec


def with_params(spec: ModelSpec, **changes) -> ModelSpec:
    """The spec with some parameters changed (None: left out)."""
    params = dict(spec.params, **changes)
    return dataclasses.replace(spec, params={k: v for k, v in params.items() if v is not None})


class Provider:
    """The recipes as the container sees them (codec/models.py)."""

    @staticmethod
    def parse(raw: bytes) -> ModelSpec:
        return ModelSpec.from_bytes(raw)

    @staticmethod
    def spec_for_level(level: int, plugins=()) -> ModelSpec:
        return spec_for_level(level, plugins)

    @staticmethod
    def build(spec: ModelSpec) -> Model:
        return build_model(spec)

    @staticmethod
    def fit(spec: ModelSpec, size: int) -> ModelSpec:
        return fit_to_size(spec, size)

    @staticmethod
    def memory(spec: ModelSpec) -> int:
        return spec_memory(spec)


models.register(Provider())


def key_table() -> str:
    """The spec keys of the recipe as a Markdown table (docs/FORMAT.md holds
    this very text; a test compares)."""
    rows = ["| key | parameter | range | default | since | meaning |", "|---|---|---|---|---|---|"]
    for name, q in sorted(PARAMS.items(), key=lambda kv: kv[1].key):
        default = f'"{q.default}"' if q.is_text else str(q.default)
        rows.append(f"| `{q.key}` | {name} | {q.range_text()} | {default} | {q.since} | {q.doc} |")
    return "\n".join(rows)
