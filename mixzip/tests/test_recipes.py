"""Recipes and model specs: levels, serialisation, validation, memory accounting."""
import dataclasses

import pytest

from mixzip.codec.errors import FormatError, UnsupportedModelError
from mixzip.predictors import contexts, recipes
from mixzip.predictors.recipes import ModelSpec, build_model, spec_for_level


@pytest.mark.parametrize("level", sorted(recipes.LEVELS))
def test_level_spec_round_trips_and_builds(level):
    spec = spec_for_level(level)
    assert ModelSpec.from_bytes(spec.to_bytes()) == spec
    assert spec.to_bytes() == ModelSpec.from_bytes(spec.to_bytes()).to_bytes()  # canonical


def test_memory_estimate_matches_allocation():
    for level in (1, 5, 10):
        model = build_model(spec_for_level(level))
        assert model.memory() == recipes.level_memory(level)
    for attn in (dict(attn_dim=16), dict(attn_dim=16, attn_src=1)):     # the attention model, both inputs
        base = spec_for_level(10)
        params = dict(base.params, ht_bits=12, match_bits=12, **attn)
        spec = dataclasses.replace(base, params=params)
        assert build_model(spec).memory() == recipes.spec_memory(spec)


def test_levels_grow_in_memory():
    mem = [recipes.level_memory(n) for n in sorted(recipes.LEVELS)]
    assert mem == sorted(mem)
    assert recipes.level_memory(recipes.MAX_LEVEL) < 400 * 2**20


def test_fit_to_size_shrinks_tables_for_small_inputs_only():
    full = spec_for_level(8)
    small = recipes.fit_to_size(full, 3000)
    n = len(full.params["contexts"].split(","))
    assert small.params["ht_bits"] == max(16, (4 * n * 3000 - 1).bit_length()) < full.params["ht_bits"]
    assert small.params["match_bits"] == 16
    assert recipes.spec_memory(small) < recipes.spec_memory(full) // 3     # the APM chain stays (21.6 MB)
    assert ModelSpec.from_bytes(small.to_bytes()) == small          # the header carries the sizes
    assert recipes.fit_to_size(full, 1 << 30) == full                 # never grows a table
    assert recipes.fit_to_size(full, 0).params["ht_bits"] == 16
    big = recipes.fit_to_size(full, 2_000_000)                      # 2^25 slots wanted: the level's 2^22 kept
    assert big.params["ht_bits"] == full.params["ht_bits"] and big.params["match_bits"] == 23
    assert build_model(small).memory() == recipes.spec_memory(small)


def test_bad_level():
    with pytest.raises(ValueError):
        spec_for_level(0)
    with pytest.raises(ValueError):
        spec_for_level(11)


def test_unknown_recipe_and_version():
    spec = spec_for_level(1)
    with pytest.raises(UnsupportedModelError, match="nosuch"):
        build_model(dataclasses.replace(spec, recipe="nosuch"))
    with pytest.raises(UnsupportedModelError, match="version 99"):
        build_model(dataclasses.replace(spec, version=99))


@pytest.mark.parametrize("bad", [{"ht_bits": 40}, {"match_bits": 36}, {"lr": 0}, {"nonsense": 1},
                                 {"ht_bits": "22"}, {"off": -1}, {"det_inputs": 2}, {"mixer_skip": -1},
                                 {"mixer_skip": 4097}, {"gru_b1": 100}, {"gru_b1": -1}, {"gru_b2": 8999},
                                 {"gru_b2": 10000}, {"mixer_rates": "16,16"}, {"mixer_rates": "0"},
                                 {"mixer_rates": "256"}, {"mixer_rates": "a"}, {"mixer_rates": 0}])
def test_bad_params_are_unsupported_not_crashes(bad):
    spec = spec_for_level(1)
    with pytest.raises(UnsupportedModelError):
        build_model(dataclasses.replace(spec, params=dict(spec.params, **bad)))


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"recipe":1}', b"\xff", b"cm", b"cm/x", b"cm/1 L",
                                 b"cm/1 hb=1=2", b"cm/1 +p"])
def test_bad_spec_json(raw):
    with pytest.raises(FormatError):
        ModelSpec.from_bytes(raw)


def test_every_component_can_be_switched_off():
    # contexts are ablated by leaving them out; the rest by the "off" bits, which leave the component out
    assert set(recipes.OFF_NAMES) == {"order0", "match", "apm"}
    for name in contexts.NAMES:
        model = build_model(dataclasses.replace(spec_for_level(1), params=dict(
            spec_for_level(1).params, contexts=name, ht_bits=12, match_bits=12)))
        assert list(model.component("contextmap").ids) == [contexts.ID[name]]
    parts = {"order0": "order0", "match": "match", "apm": None}
    for name, bit in recipes.OFF_NAMES.items():
        spec = recipes.with_params(spec_for_level(1), off=bit, ht_bits=12, match_bits=12)
        model = build_model(spec)
        if parts[name]:
            assert model.component(parts[name]) is None
        else:
            assert model.refine is None
        assert model.memory() == recipes.spec_memory(spec)


def test_spec_text_is_compact_and_canonical():
    spec = spec_for_level(5)
    raw = spec.to_bytes()
    assert raw.startswith(b"cm/3 L5 ") and len(raw) < 120
    with pytest.raises(FormatError):
        ModelSpec.from_bytes(raw.replace(b" ", b"  ", 1))      # not canonical
    with pytest.raises(FormatError):
        ModelSpec.from_bytes(raw + b" hb=22")                  # repeated key
    plug = dataclasses.replace(spec, plugins=(("my-model", "1.2"),))
    assert ModelSpec.from_bytes(plug.to_bytes()) == plug
    with pytest.raises(ValueError):
        dataclasses.replace(spec, plugins=(("bad name", "1"),)).to_bytes()


def test_unknown_context_name():
    spec = spec_for_level(1)
    with pytest.raises(UnsupportedModelError, match="o99"):
        build_model(dataclasses.replace(spec, params=dict(spec.params, contexts="o1,o99")))


def test_the_removed_run_model_is_refused_in_one_line():
    """No level ever wrote runs=1 (every archive says rn=0); the model is gone."""
    spec = recipes.with_params(spec_for_level(1), runs=1)
    with pytest.raises(UnsupportedModelError, match="run model"):
        build_model(spec)


@pytest.mark.parametrize("key", ["det_inputs", "mixer_skip"])
def test_cm3_training_options_round_trip_change_the_code_and_are_accounted(key):
    """det_inputs and mixer_skip (on in every level): 0 gives the archives of
    mixzip before them (fixtures in test_golden.py); cm/2 may not name them."""
    from mixzip.codec.engine import Engine

    base = spec_for_level(2)
    assert base.params[key] > 0
    data = (b"the cat sat on the mat; the dog sat on the log. " * 30) + bytes(range(256))
    payloads = []
    for value in (0, base.params[key]):
        spec = dataclasses.replace(base, params=dict(base.params, ht_bits=14, match_bits=14, **{key: value}))
        enc, dec = Engine(spec), Engine(spec)
        payload, stored = enc.encode_block(data)
        assert not stored and dec.decode_block(payload, len(data), stored) == data
        assert enc.model.memory() == recipes.spec_memory(spec)
        payloads.append(payload)
    assert payloads[0] != payloads[1]
    old = {k: v for k, v in base.params.items() if k not in ("det_inputs", "mixer_skip")}
    with pytest.raises(UnsupportedModelError, match="version 3"):
        build_model(dataclasses.replace(base, version=2, params=dict(old, **{key: base.params[key]})))
    build_model(dataclasses.replace(base, version=2, params=old))       # without them cm/2 is fine


def test_gru_adam_rates_round_trip_change_the_code_and_need_cm3():
    """gru_b1 / gru_b2 (level 10: 0 and 9950): absent means the rates of the
    archives written before they were parameters (90, 9990; the fixture in
    test_golden.py); cm/2 may not name them."""
    from mixzip.codec.engine import Engine

    assert {k: spec_for_level(10).params[k] for k in ("gru_b1", "gru_b2")} == {"gru_b1": 0, "gru_b2": 9950}
    base = spec_for_level(2)
    small = dict(base.params, ht_bits=14, match_bits=14, gru_hidden=16, gru_embed=8, gru_window=8, gru_lr=30)
    data = (b"the cat sat on the mat; the dog sat on the log. " * 30) + bytes(range(256))

    def code(params):
        spec = dataclasses.replace(base, params=params)
        enc, dec = Engine(spec), Engine(spec)
        payload, stored = enc.encode_block(data)
        assert not stored and dec.decode_block(payload, len(data), stored) == data
        assert enc.model.memory() == recipes.spec_memory(spec)
        return payload

    textbook = code(dict(small, gru_b1=90, gru_b2=9990))
    assert code(small) == textbook                                  # absent: 90 / 9990
    assert code(dict(small, gru_b1=0, gru_b2=9950)) != textbook
    assert code(dict(small, gru_b1=0)) != textbook
    old = {k: v for k, v in small.items() if k not in ("det_inputs", "mixer_skip")}
    with pytest.raises(UnsupportedModelError, match="version 3"):
        build_model(dataclasses.replace(base, version=2, params=dict(old, gru_b1=0)))
    build_model(dataclasses.replace(base, version=2, params=dict(old, gru_b1=90, gru_b2=9990)))


def test_mixer_rates_round_trip_change_the_code_and_need_cm3():
    """mixer_rates (levels 8-10): each expert mixer's own rate in 1/16 of lr,
    the last ones 16 when left out; absent or all 16 is the common rate of the archives written before it
    (the level-8 and level-10 fixtures in test_golden.py); one mixer's rate
    is a bare integer in the spec; cm/2 may not name it."""
    from mixzip.codec.engine import Engine

    assert spec_for_level(8).params["mixer_rates"] == "8,16,32,48"
    base = spec_for_level(8)
    small = {k: v for k, v in base.params.items() if k != "mixer_rates"}
    small.update(ht_bits=14, match_bits=14)
    data = (b"the cat sat on the mat; the dog sat on the log. " * 30) + bytes(range(256))

    def code(params):
        spec = dataclasses.replace(base, params=params)
        back = ModelSpec.from_bytes(spec.to_bytes())
        assert back == spec
        enc, dec = Engine(back), Engine(back)
        payload, stored = enc.encode_block(data)
        assert not stored and dec.decode_block(payload, len(data), stored) == data
        assert enc.model.memory() == recipes.spec_memory(spec)
        return payload

    common = code(small)
    assert code(dict(small, mixer_rates="16,16,16,16,16")) == common == code(dict(small, mixer_rates=16))
    tuned = code(dict(small, mixer_rates="8,16,32,48,16"))
    assert tuned != common and code(dict(small, mixer_rates="8,16,32,48")) == tuned     # omitted: 16
    one = dict(spec_for_level(2).params, ht_bits=14, match_bits=14)
    assert code(dict(one, mixer_rates=24)) != code(one)            # one mixer: "mr=24", read back as an int
    old = {k: v for k, v in spec_for_level(2).params.items() if k not in ("det_inputs", "mixer_skip")}
    with pytest.raises(UnsupportedModelError, match="version 3"):
        build_model(dataclasses.replace(base, version=2, params=dict(old, mixer_rates=16)))
