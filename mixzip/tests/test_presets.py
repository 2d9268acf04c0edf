"""Presets (predictors/presets.py): the header names a frozen table instead of listing it.

Archives name presets for as long as archives exist, so their contents are
pinned here: a changed preset fails ``test_presets_are_frozen`` (add a new
id instead).  Archives with a full spec (every earlier mixzip) still decode:
test_golden.py's v1/v2/v3 archives.
"""
import dataclasses
import hashlib
import json

import pytest

import mixzip
from mixzip import FormatError, UnsupportedModelError
from mixzip.codec import models
from mixzip.predictors import presets, recipes
from mixzip.predictors.spec import ModelSpec

# sha256 (first 16 hex digits) of each preset's parameters as sorted JSON
PINNED = {
    "1a": "2117adfea938ef18",
    "2a": "d474a3ccf4230368",
    "3a": "e72e7450fd4e4e7e",
    "4a": "15b768a8af13e354",
    "5a": "d4c4266e59ff6de9",
    "6a": "2d38575e884bd53d",
    "7a": "6ac264e2ea546470",
    "8a": "eca4c37aa7ac7fbb",
    "8b": "51ff90deda9b1cab",
    "8c": "106e5ebe551f7540",
    "8d": "05a372da882f2b58",
    "8e": "539a0d1d4279c36b",
    "9a": "b7d0e7985edd6d37",
    "9b": "4d708c801021eb1d",
    "9c": "17eb87c55d8ab245",
    "9d": "d90f1d3e6ea7fb22",
    "10a": "d0205ec598ba8055",
    "10b": "ac9bfb077a6b8513",
    "10c": "8a436391bb3d3fe6",
    "10d": "d2e53f200546afc1",
    "10e": "f86e603caf134b5b",
    "3b": "81df82255aa20d78",
    "4b": "f3e4bf5e7f5bf83c",
    "5b": "b3902bbc409c4da2",
    "6b": "73d3a980d9df584c",
    "7b": "2bc9453b6884be00",
    "8f": "75ee05f0a9750397",
    "9e": "358686ac0eecf875",
    "10f": "34b1ebd4a0ec3a2d",
    "8g": "9138743c4154f5ab",
    "9f": "8cea777ec9cc90e1",
    "10g": "35cb45fa47aabaf5",
    "8h": "8cb0d4326be43be6",
    "9g": "c5c4afb852bf1096",
    "10h": "177e8657534af425",
}


def digest(params: dict) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]


def test_presets_are_frozen():
    """Editing or removing a preset would change every archive that names it."""
    for name, pinned in PINNED.items():
        assert digest(presets.CM[name]) == pinned, f"preset {name} changed: add a new preset instead"


def test_presets_resolve():
    for name, params in presets.CM.items():
        recipes.resolve(ModelSpec(recipes.NAME, recipes.VERSION, dict(params), (), None, name))


@pytest.mark.parametrize("level", range(1, 11))
def test_a_level_header_names_its_preset_only(level):
    spec = recipes.spec_for_level(level)
    assert spec.to_bytes() == f"cm/3 L{level} @{recipes.LEVEL_PRESET[level]}".encode()
    assert ModelSpec.from_bytes(spec.to_bytes()) == spec
    full = dataclasses.replace(spec, preset=None)
    assert len(full.to_bytes()) > 5 * len(spec.to_bytes())
    assert recipes.resolve(ModelSpec.from_bytes(full.to_bytes())) == recipes.resolve(spec)


def test_a_preset_spec_lists_what_differs():
    spec = models.fit_spec(recipes.spec_for_level(8), 4000)
    raw = spec.to_bytes()
    assert raw.startswith(b"cm/3 L8 @8h ") and b" hb=" in raw and b" cx=" not in raw
    assert ModelSpec.from_bytes(raw) == spec
    other = recipes.with_params(spec, contexts="o1,o2", gru_prior="gru-e32-h128-v2.0123456789ab")
    raw = other.to_bytes()
    assert b" cx=o1,o2 " in raw and b" gp=gru-e32-h128-v2.0123456789ab" in raw
    assert ModelSpec.from_bytes(raw) == other
    dropped = recipes.with_params(spec, mixer_rates=None)             # left out: its default, not 8a's value
    assert b" @" not in dropped.to_bytes() and b" cx=" in dropped.to_bytes()      # so written in full
    assert ModelSpec.from_bytes(dropped.to_bytes()) == dropped
    older = dataclasses.replace(spec, version=2)                       # a preset is for its recipe version
    assert b" @" not in older.to_bytes()
    plug = dataclasses.replace(spec, plugins=(("my-model", "1.2"),))
    assert plug.to_bytes().endswith(b" +my-model/1.2") and ModelSpec.from_bytes(plug.to_bytes()) == plug


@pytest.mark.parametrize("raw", [
    b"cm/3 L8 @8a ap=3",                  # a key at the preset's value: not canonical
    b"cm/3 L8 @8a hb=18 hb=18",           # a repeated key
    b"cm/3 @8a L8",                       # the level after the preset
    b"cm/3 L8 hb=18 @8a",                 # the preset after a parameter
    b"cm/3 L8 @8a @8a",                   # two presets
    b"cm/3 L8 @8A",                       # not a preset id
    b"cm/3 L8 @",
])
def test_bad_preset_specs_are_format_errors(raw):
    with pytest.raises(FormatError):
        ModelSpec.from_bytes(raw)


def test_an_unknown_preset_is_named_in_one_line():
    with pytest.raises(UnsupportedModelError, match=r"preset '@8z' .* newer version") as info:
        ModelSpec.from_bytes(b"cm/3 L8 @8z")
    assert "\n" not in str(info.value)


def test_archives_with_and_without_the_preset_decode_alike():
    data = b"a preset names the table; the payload is the same " * 40
    arc = mixzip.compress(data, level=5)
    assert b"cm/3 L5 @5b" in arc[:40]
    assert mixzip.decompress(arc) == data
    info = mixzip.info(arc)
    assert info.spec.preset == "5b" and info.header_size < 64
