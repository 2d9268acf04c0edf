"""The GRU prior in the codec: the header names it, a decoder without it
refuses the archive with one line naming it, and the warm start stops the
network after its budget.  Uses level 8's own spec (its driver is compiled
once for the golden tests too)."""
from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest

import mixzip
from mixzip import corpus, priors
from mixzip.codec.engine import Engine
from mixzip.predictors import gru as gru_mod
from mixzip.predictors import recipes
from mixzip.predictors.gru import G_S
from mixzip.predictors.recipes import spec_for_level

TEXT = dict(corpus.sample())["source.c"][:3000]


def test_levels_name_the_shipped_prior_by_reference():
    for level in (8, 10):
        spec = spec_for_level(level)
        ref = spec.params["gru_prior"]
        name, digest = ref.rsplit(".", 1)
        assert name == recipes.PRIOR and digest == priors.load(name).sha256[:priors.REF_HASH]
        assert b" gp=" + ref.encode() + b" " in dataclasses.replace(spec, preset=None).to_bytes()
        assert spec.preset and recipes.presets.CM[spec.preset]["gru_prior"] == ref      # the preset names it
    assert spec_for_level(8).params["gru_budget"] > 0 and "gru_budget" not in spec_for_level(10).params


def test_prior_reference_is_checked_in_the_spec():
    spec = spec_for_level(8)
    for bad in ("gru", "gru.12", "gru.0123456789AB", "a/b.0123456789ab"):
        with pytest.raises(mixzip.UnsupportedModelError):
            recipes.resolve(dataclasses.replace(spec, params=dict(spec.params, gru_prior=bad)))
    with pytest.raises(mixzip.UnsupportedModelError, match="needs the GRU"):
        recipes.resolve(dataclasses.replace(spec, params=dict(spec.params, gru_hidden=0)))


@pytest.fixture
def uninstall(tmp_path, monkeypatch):
    """Call it to make this mixzip one installed without its priors (an empty
    priors folder, returned)."""
    folder = tmp_path / "priors"
    folder.mkdir()

    def go():
        monkeypatch.setattr(priors, "FOLDER", folder)
        monkeypatch.setattr(priors, "_LOADED", {})
        return folder
    return go


def test_archive_whose_prior_is_missing_fails_naming_it(uninstall):
    ref = spec_for_level(8).params["gru_prior"]
    arc = mixzip.compress(TEXT, level=8)
    uninstall()
    with pytest.raises(priors.PriorError) as exc:
        mixzip.decompress(arc)
    msg = str(exc.value)
    assert isinstance(exc.value, mixzip.MixzipError) and "\n" not in msg
    assert recipes.PRIOR in msg and ref.rsplit(".", 1)[1] in msg and "not installed" in msg


def test_archive_whose_prior_differs_fails_naming_it(uninstall):
    arc = mixzip.compress(TEXT, level=8)
    real = priors.load(recipes.PRIOR)
    (uninstall() / f"{recipes.PRIOR}.mxp").write_bytes(
        priors.dumps(recipes.PRIOR, "gru", real.params, {"w": real.arrays["w"] * np.float32(0.5)}))
    with pytest.raises(priors.PriorError, match=f"needs the prior {recipes.PRIOR} with sha256"):
        mixzip.decompress(arc)


def test_cli_reports_a_missing_prior_in_one_line(uninstall, tmp_path):
    from click.testing import CliRunner
    from mixzip.cli import main

    src = tmp_path / "in.mxz"
    src.write_bytes(mixzip.compress(TEXT, level=8))
    uninstall()
    out = CliRunner().invoke(main, ["-t", str(src)])
    assert out.exit_code == 1
    lines = [ln for ln in out.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and recipes.PRIOR in lines[0] and "Traceback" not in out.output


def test_prior_and_warm_start_round_trip():
    data = TEXT + bytes(range(256)) + TEXT[::-1]
    for level in (8,):
        arc = mixzip.compress(data, level=level, block_size=1 << 12)
        assert mixzip.decompress(arc) == data
        assert mixzip.info(io.BytesIO(arc)).spec.params["gru_prior"].startswith(recipes.PRIOR + ".")


def test_the_prior_changes_the_prediction():
    """The same spec with and without the prior codes differently (the weights are used)."""
    spec = spec_for_level(8)
    a = Engine(spec).encode_block(TEXT)[0]
    b = Engine(dataclasses.replace(spec, params=dict(spec.params, gru_prior=""))).encode_block(TEXT)[0]
    assert a != b and len(a) < len(b)


def test_warm_start_stops_the_network_after_its_budget():
    """With gb = 1 KiB the GRU steps after bytes 0..1022 (predicting bytes
    1..1023) and never again: its state after 1024, 1100 and 3000 bytes is
    the same."""
    spec = spec_for_level(8)
    spec = dataclasses.replace(spec, params=dict(spec.params, gru_budget=1))
    states = []
    for n in (1024, 1100, 3000):
        e = Engine(spec)
        e.encode_block(TEXT[:n])
        gru = e.model.component("gru")
        states.append((gru.net.hs.copy(), int(gru.net.gc[G_S]), gru.cum.copy()))
    for a, b in zip(states[1], states[2]):
        assert np.array_equal(a, b)
    for a, b in zip(states[0], states[1]):
        assert np.array_equal(a, b)
    # and it ran before: a budget of 0 KiB is the whole stream, so the state moves on
    e = Engine(dataclasses.replace(spec, params=dict(spec.params, gru_budget=0)))
    e.encode_block(TEXT[:3000])
    assert not np.array_equal(e.model.component("gru").cum, states[2][2])


def warm_start_end(spec, data: bytes) -> tuple[int, np.ndarray, np.ndarray]:
    """(where the warm start ended, the GRU's hidden states, its last distribution) after coding data."""
    e = Engine(spec)
    e.encode_block(data)
    gru = e.model.component("gru")
    return int(gru.cfg[1]), gru.net.hs.copy(), gru.cum.copy()


def test_warm_start_ends_at_the_first_nul_byte_with_gn1():
    """gru_nul = 1 (the default, archives of 3ccdd30 and later without gn):
    after a NUL at byte 100 the GRU never steps again (its state after 200
    and 600 bytes is the one after byte 100), the budget left as it was when
    there is no NUL, and the archive round-trips."""
    spec = recipes.with_params(spec_for_level(8), gru_nul=None)     # the default: 1
    data = TEXT[:100] + b"\0" + TEXT[101:600]
    ends = [warm_start_end(spec, data[:n]) for n in (101, 200, 600)]
    assert ends[0][0] == ends[1][0] == ends[2][0] == 101
    for a, b in zip(ends[0][1:], ends[2][1:]):
        assert np.array_equal(a, b)
    assert warm_start_end(spec, TEXT[:600])[0] == 16 << 10          # no NUL: the whole budget
    assert mixzip.decompress(mixzip.compress(data, 8)) == data


def test_level_8_warm_start_ends_on_control_bytes_or_mostly_nuls():
    """Level 8 (gru_nul = 2): judged from byte 1024 on, control bytes (0-31
    but NUL and white space and ESC) over 1/64 of the stream, or NULs over
    half, end the warm start at once; a tar-like stream (ASCII headers padded
    with NULs between text), ANSI colours and a rare stray control byte keep
    the whole budget; gn = 0 never ends it.  JSON/CSV ends it at the
    structure detection (byte 4096) with gn = 3 only."""
    spec = spec_for_level(8)
    assert spec.params["gru_nul"] == 2
    nd = dict(corpus.sample())["log.ndjson"][:12000]
    assert warm_start_end(spec, nd)[0] == 16 << 10
    assert warm_start_end(recipes.with_params(spec, gru_nul=3), nd)[0] == 4096
    full = 16 << 10
    text = (TEXT * 8)[:12000]
    tar_like = b"".join(b"name.txt" + b"\0" * 500 + text[i:i + 3000] for i in range(0, 12000, 3000))
    assert warm_start_end(spec, tar_like)[0] == full
    colours = b"".join(b"\x1b[31m" + text[i:i + 40] + b"\x1b[0m\n" for i in range(0, 8000, 40))
    assert warm_start_end(spec, colours)[0] == full
    rare = b"".join(text[i:i + 99] + b"\x01" for i in range(0, 8000, 99))     # 1/100 control bytes
    assert warm_start_end(spec, rare)[0] == full
    half = (TEXT[:4] + b"\0" * 4) * 800                           # NULs never over half
    assert warm_start_end(spec, half)[0] == full
    binary = bytes(range(256)) * 24                                # 26/256 control bytes
    assert warm_start_end(spec, binary)[0] == 1024
    often = b"".join(text[i:i + 49] + b"\x02" for i in range(0, 8000, 49))    # 1/50: ends, at byte 1024
    assert warm_start_end(spec, often)[0] == 1024
    late = text[:3000] + b"\x03" * 100 + text[3000:6000]           # judged at each byte: ends at 3000 + 48
    assert warm_start_end(spec, late)[0] == 3048
    nuls = b"\0" * 3000 + TEXT[:2000]
    assert warm_start_end(spec, nuls)[0] == 1024
    never = recipes.with_params(spec, gru_nul=0)
    assert warm_start_end(never, binary)[0] == full
    for data in (tar_like, binary, late):
        assert mixzip.decompress(mixzip.compress(data, 8)) == data


def test_level_10_prior_stays_frozen_on_text_and_learns_on_binary_data():
    """gru_wake = 1 (level 10): the network does not learn while the stream
    is text (its weights are the prior's after 6 KB of it); once control
    bytes pass 1/64 (judged from byte 1024 on) it learns at the spec's
    rates; gw = 0 learns from the first byte."""
    spec = recipes.with_params(spec_for_level(10), ht_bits=12, match_bits=12)
    assert spec.params["gru_wake"] == 1
    text = (TEXT * 3)[:6000]
    prior = Engine(spec).model.component("gru").net.w.copy()

    def after(spec, data):
        e = Engine(spec)
        e.encode_block(data)
        net = e.model.component("gru").net
        return net.w, net.hp, e

    w, hp, _ = after(spec, text)
    assert np.array_equal(w, prior) and hp[gru_mod.HP_LR] == 0 and hp[gru_mod.HP_OLR] == 0
    w, hp, _ = after(spec, text[:2000] + bytes(range(256)) * 4)
    assert not np.array_equal(w, prior)
    assert hp[gru_mod.HP_LR] == np.float32(30e-4) and hp[gru_mod.HP_OLR] == np.float32(100e-4)
    w, hp, _ = after(recipes.with_params(spec, gru_wake=0), text)
    assert not np.array_equal(w, prior)
    data = text[:2000] + bytes(range(256)) * 4
    assert mixzip.decompress(mixzip.compress(data, 10)) == data
