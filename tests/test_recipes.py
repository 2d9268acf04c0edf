"""Recipes and model specs: levels, serialisation, validation, memory accounting."""
import dataclasses

import pytest

from mixzip.codec.errors import FormatError, UnsupportedModelError
from mixzip.predictors import backbone, recipes
from mixzip.predictors.recipes import ModelSpec, build_model, spec_for_level


@pytest.mark.parametrize("level", sorted(recipes.LEVELS))
def test_level_spec_round_trips_and_builds(level):
    spec = spec_for_level(level)
    assert ModelSpec.from_json(spec.to_json()) == spec
    assert spec.to_json() == ModelSpec.from_json(spec.to_json()).to_json()  # canonical


def test_memory_estimate_matches_allocation():
    for level in (1, 5):
        model, _ = build_model(spec_for_level(level))
        assert model.memory() == recipes.level_memory(level)


def test_levels_grow_in_memory():
    mem = [recipes.level_memory(n) for n in sorted(recipes.LEVELS)]
    assert mem == sorted(mem)
    assert recipes.level_memory(recipes.MAX_LEVEL) < 400 * 2**20


def test_bad_level():
    with pytest.raises(ValueError):
        spec_for_level(0)
    with pytest.raises(ValueError):
        spec_for_level(10)


def test_unknown_recipe_and_version():
    spec = spec_for_level(1)
    with pytest.raises(UnsupportedModelError, match="nosuch"):
        build_model(dataclasses.replace(spec, recipe="nosuch"))
    with pytest.raises(UnsupportedModelError, match="version 99"):
        build_model(dataclasses.replace(spec, version=99))


@pytest.mark.parametrize("bad", [{"ht_bits": 40}, {"match_bits": 36}, {"lr": 0}, {"nonsense": 1},
                                 {"ht_bits": "22"}, {"off": -1}])
def test_bad_params_are_unsupported_not_crashes(bad):
    spec = spec_for_level(1)
    with pytest.raises(UnsupportedModelError):
        build_model(dataclasses.replace(spec, params=dict(spec.params, **bad)))


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"recipe":1}', b"\xff"])
def test_bad_spec_json(raw):
    with pytest.raises(FormatError):
        ModelSpec.from_json(raw)


def test_every_component_can_be_switched_off():
    assert set(backbone.OFF_NAMES) >= {"order1", "order2", "order3", "order4", "order6",
                                       "word", "order0", "match", "apm"}
