"""``mixzip tune`` (EML parameter search) and ``mixzip analyze`` (diagnostics),
through the library and click's runner; the EML tables themselves."""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

import mixzip
from mixzip import analyze, cli, corpus, tune
from mixzip.predictors import eml
from mixzip.codec.errors import UnsupportedModelError
from mixzip.predictors import recipes
from mixzip.predictors.recipes import spec_for_level

TEXT = dict(corpus.sample())["text.txt"][:3000]


def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


# ------------------------------------------------------------------ EML tables

def test_all_zero_parameters_are_the_constants():
    lrt, art, slt, srt, blt = eml.tables([0] * eml.NPARAM, 8, 6, 1023)
    assert (lrt == 16 * 8).all() and (art == 6).all() and (slt == 1023).all() and (srt == 16).all()
    # the blend table holds the fixed blends' share of the mixer output (1/4, 1/4, 1/8)
    assert (blt == 1024).all() and (eml.tables([0] * eml.NPARAM, 8, 6, 1023, apms=3)[4] == 512).all()


def test_tables_follow_the_formula():
    p = [-4, 3, 8, 2, 2, -1, 0, 5, -8, 0, 3, 1, -16, 20, 3, 1, 6, -3, 12, 1]
    lrt, art, slt, srt, blt = eml.tables(p, 8, 6, 1000, apms=2)

    def h(c, u, v):      # float reference of eml_safe(c0 u + c1, |c2 v| + |c3| + 1)
        c0, c1, c2, c3 = (k / 8 for k in c)
        return math.exp(min(max(c0 * u + c1, -8), 8)) - math.log(abs(c2 * v) + abs(c3) + 1)

    for b in (0, 5, 17, 40):
        u = b / 8
        for lb in (0, 3, 7):
            want = min(max(round(128 * h(p[0:4], u, (lb + 0.5) / 8)), 1), 4096)
            assert abs(int(lrt[b * 8 + lb]) - want) <= 1
            want = min(max(round(1024 * h(p[16:20], u, (lb + 0.5) / 8)), 0), 4096)
            assert abs(int(blt[b * 8 + lb]) - want) <= 1
        assert abs(int(art[b]) - min(max(round(6 * h(p[4:8], u, u)), 1), 12)) <= 1
        assert abs(int(slt[b]) - min(max(round(1000 * h(p[8:12], u, u)), 1), 1023)) <= 1
        assert abs(int(srt[b]) - min(max(round(16 * h(p[12:16], u, u)), 1), 1024)) <= 1


def test_parameters_are_checked():
    for bad in ("1,2", "0,0,0,0,0,0,0,0,0,0,0,65", "a,b", ",".join(["0"] * 14), ",".join(["1"] * 17)):
        with pytest.raises(UnsupportedModelError):
            recipes.build_model(recipes.with_params(recipes.spec_for_level(1), ht_bits=12, match_bits=12, eml=bad))
    assert eml.from_text(eml.to_text(range(-8, 12))) == list(range(-8, 12))
    # twelve integers (archives from before the set node): set and blend are
    # zero, and zero set and blend nodes are written as twelve again, so their
    # specs read the same
    twelve = ",".join(str(k) for k in range(-6, 6))
    assert eml.from_text(twelve) == list(range(-6, 6)) + [0] * 8
    assert eml.to_text(eml.from_text(twelve)) == twelve
    assert not eml.uses_set(eml.from_text(twelve)) and eml.uses_set([0] * 15 + [1])
    # sixteen (archives from before the blend node) read and write the same; twenty
    # with a zero blend node is written as sixteen, with zero set and blend as twelve
    sixteen = ",".join(str(k) for k in range(-8, 8))
    assert eml.from_text(sixteen) == list(range(-8, 8)) + [0] * 4
    assert eml.to_text(eml.from_text(sixteen)) == sixteen
    twenty = list(range(-8, 8)) + [1, 0, -2, 0]
    assert eml.from_text(eml.to_text(twenty)) == twenty and len(eml.to_text(twenty).split(",")) == 20
    assert eml.to_text(list(range(-6, 6)) + [0] * 8) == twelve
    assert eml.to_text(list(range(-6, 6)) + [0] * 4 + [0, 0, 0, 3]).count(",") == 19
    assert eml.uses_blend([0] * 19 + [1]) and not eml.uses_blend(list(range(1, 17)) + [0] * 4)
    assert not eml.uses_set([0] * 19 + [1])
    assert eml.node_indices(["blend", "lr"]) == [0, 1, 2, 3, 16, 17, 18, 19]
    with pytest.raises(ValueError):
        eml.node_indices(["speed"])


def test_set_rate_counts_updates_and_indexes_by_bit_length():
    from mixzip.predictors.mixer import set_rate
    srt = np.arange(100, 100 + eml.NPOS, dtype=np.int64)
    cnt = np.array([0, 1, 2, 3, 255, 256, 65534, 65535], dtype=np.int32)
    want = [100 + int(c).bit_length() for c in cnt]
    got = [int(set_rate(cnt, i, srt)) for i in range(len(cnt))]
    assert got == want
    assert cnt.tolist() == [1, 2, 3, 4, 256, 257, 65535, 65535]     # counted, capped at 2^16 - 1


def test_packaged_parameters_load():
    for level, p in eml.packaged().items():
        assert 1 <= level <= 10 and len(p) == eml.NPARAM


def test_eml_parameters_change_the_coding_and_round_trip():
    """An archive whose spec carries EML parameters (all five nodes, the
    per-set counts and the table blend included) decodes (the decoder
    rebuilds the tables from the spec) and differs from the constants'."""
    import dataclasses
    from mixzip.codec.engine import Engine
    from mixzip.predictors.recipes import spec_for_level

    spec = spec_for_level(1)
    tuned = dataclasses.replace(spec, params=dict(spec.params, eml="-8,8,8,8,8,-8,0,0,-8,0,0,8,-16,20,3,0"))
    a, _ = Engine(spec).encode_block(TEXT)
    b, stored = Engine(tuned).encode_block(TEXT)
    assert a != b and not stored
    assert Engine(tuned).decode_block(b, len(TEXT), False) == TEXT
    blend = dataclasses.replace(spec, params=dict(spec.params, eml="0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,8,-8,16,0"))
    c, stored = Engine(blend).encode_block(TEXT)
    assert c not in (a, b) and not stored
    assert Engine(blend).decode_block(c, len(TEXT), False) == TEXT


def test_table_blend_arithmetic_stays_in_range_and_rounds():
    """The kernel's table blend (apmchain.py: the APMs' divisor as a multiply
    by floor(2^24 / D)) against the exact rational blend: within 0.53 of it
    and never outside [min, max] of the blended probabilities."""
    import random
    from fractions import Fraction
    from mixzip.predictors import apmchain as bb

    rng = random.Random(11)
    ratios = {1: ((1,), bb.BLEND_R1), 2: ((1, 2), bb.BLEND_R3), 3: ((1, 3, 3), bb.BLEND_R7)}
    for _ in range(3000):
        napm = rng.randrange(1, 4)
        r, ra = ratios[napm]
        edge = rng.random() < 0.3
        ps = [rng.choice((1, 65535)) if edge else rng.randrange(1, 65536) for _ in range(napm + 1)]
        wm = rng.choice((0, 1, 4095, 4096)) if edge else rng.randrange(0, 4097)
        pm, apm = ps[0], ps[1:]
        sa = sum(k * q for k, q in zip(r, apm))
        got = (pm * wm + ((sa * (4096 - wm) * ra) >> 24) + 2048) >> 12
        exact = (Fraction(pm * wm) + Fraction(sa * (4096 - wm), sum(r))) / 4096
        assert min(ps) <= got <= max(ps) and abs(got - exact) <= Fraction(53, 100)


def test_blend_node_at_the_fixed_share_codes_like_the_fixed_blend():
    """A blend node close to the constant (the mixer output's share 1040/4096
    everywhere instead of 1/4) codes differently but within 0.5% of the
    fixed blend: the table path is the same blend, not another formula."""
    import dataclasses
    from mixzip.codec.engine import Engine
    from mixzip.predictors.recipes import spec_for_level

    spec = spec_for_level(1)
    # H = exp(c1) - ln(1 + |c3|) with c1 = c3 = 1/8: 1.1331 - 0.1178 = 1.0153; 1024 x 1.0153 = 1040
    near = dataclasses.replace(spec, params=dict(spec.params, eml="0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,1"))
    assert int(eml.tables(eml.from_text("0," * 17 + "1,0,1"), 8, 6, 1023)[4][0]) == 1040
    a, _ = Engine(spec).encode_block(TEXT)
    b, _ = Engine(near).encode_block(TEXT)
    assert a != b and abs(len(a) - len(b)) <= len(a) // 200


# ------------------------------------------------------------------ tune

def test_tune_is_deterministic_and_its_json_round_trips(tmp_path):
    datas = [TEXT[:1500], bytes(range(256)) * 4]
    r1 = tune.tune(datas, 1, seed=3, restarts=1, step=4)
    r2 = tune.tune(datas, 1, seed=3, restarts=1, step=4)
    assert r1 == r2
    assert r1["bpb"] <= r1["baseline_bpb"]
    path = tmp_path / "eml.json"
    path.write_text(json.dumps(r1))
    params = tune.load(path)[1]
    assert params == r1["levels"]["1"]
    assert tune.payload_bits(1, params, datas) == r1["bits"]


def test_tune_in_processes_finds_the_same_result():
    datas = [TEXT[:1500], bytes(range(256)) * 4, TEXT[-700:]]
    one = tune.tune(datas, 1, seed=5, restarts=0, step=2)
    two = tune.tune(datas, 1, seed=5, restarts=0, step=2, jobs=2)
    assert one == two


def test_tune_from_a_warm_start_never_ends_worse_than_it():
    datas = [TEXT[:1200]]
    start = [0] * 12 + [-16, 20, 0, 0]
    r = tune.tune(datas, 1, seed=2, restarts=0, step=1, start=start)
    assert r["start"] == eml.to_text(start) and r["step"] == 1
    assert r["bits"] <= tune.payload_bits(1, start, datas)
    assert r["bits"] == tune.payload_bits(1, r["levels"]["1"], datas)


def test_tune_searches_only_the_named_nodes():
    datas = [TEXT[:1200]]
    start = [3] * 16 + [0] * 4
    r = tune.tune(datas, 1, seed=4, restarts=1, step=8, start=start, nodes=["blend"])
    got = r["levels"]["1"]
    assert got[:16] == start[:16] and r["nodes"] == ["blend"]
    assert r["bits"] == tune.payload_bits(1, got, datas) and r["bits"] <= tune.payload_bits(1, start, datas)
    with pytest.raises(ValueError):
        tune.tune(datas, 1, restarts=0, nodes=["speed"])


def test_tune_cli_writes_json(tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(TEXT[:1200])
    out = tmp_path / "out.json"
    res = run("tune", src, "--level", 1, "--restarts", 0, "--seed", 2, "-o", out)
    assert res.exit_code == 0, res.stderr
    doc = json.loads(out.read_text())
    assert doc["format"] == tune.FORMAT and len(doc["levels"]["1"]) == eml.NPARAM
    res = run("tune", src, "--level", 1, "--restarts", 0, "--start", "1,2", "-o", tmp_path / "s.json")
    assert res.exit_code != 0 and "EML parameters" in res.output and not (tmp_path / "s.json").exists()
    res = run("tune", src, "--level", 1, "--restarts", 0, "--nodes", "lr,speed", "-o", tmp_path / "n.json")
    assert res.exit_code != 0 and "unknown EML node" in res.output and not (tmp_path / "n.json").exists()
    assert res.stderr.count("\n") == 1
    res = run("tune", src, "--level", 1, "--restarts", 0, "-o", out)      # exists: refused
    assert res.exit_code == 1 and res.stderr.count("\n") == 1


# ------------------------------------------------------------------ analyze

def test_analyze_reports_trace_components_and_router():
    r = analyze.analyze(TEXT, level=1, window=1024)
    assert [t["offset"] for t in r["trace"]] == [0, 1024, 2048]
    total = sum(t["bpb"] * t["bytes"] for t in r["trace"]) / len(TEXT)
    assert abs(total - r["bpb"]) < 1e-3
    names = {c["component"] for c in r["components"]}
    assert {"context o3", "context w1", "match", "apm", "order0", "deterministic inputs"} <= names
    assert next(c for c in r["components"] if c["component"] == "context o3")["gain_bpb"] > 0
    # the router's statistics (level 9; its ablation would compile five more drivers)
    r = analyze.analyze(TEXT, level=9, window=1024, ablate=False)
    ro = r["router"]                          # level 9 mixes with the MoE router
    assert (ro["experts"], ro["k"]) == (8, 6)
    assert abs(sum(ro["gate_share"]) - 1) < 0.01
    assert abs(sum(ro["selected"]) - ro["k"]) < 0.01
    assert 0 < ro["entropy"] <= ro["max_entropy"] + 1e-3
    assert "moe router (-> final mixer)" in {name for name, _ in analyze.variants(spec_for_level(9).params)}


def test_analyze_cli_json_and_errors(tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(TEXT)
    res = run("analyze", src, "--level", 1, "--window", "1K", "--json", "--no-ablation")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["bytes"] == len(TEXT) and len(doc["trace"]) == 3 and "components" not in doc
    res = run("analyze", tmp_path / "missing", "--level", 1)
    assert res.exit_code == 1 and res.stderr.startswith("mixzip: ") and res.stderr.count("\n") == 1
    assert "Traceback" not in res.output


def test_analyze_component_traces_add_up():
    """Each component's per-window gain, weighted by window size, is its total gain."""
    r = analyze.analyze(TEXT, level=1, window=1024)
    for c in r["components"]:
        assert len(c["trace"]) == len(r["trace"])
        total = sum(g * t["bytes"] for g, t in zip(c["trace"], r["trace"])) / len(TEXT)
        assert abs(total - c["gain_bpb"]) < 1e-3, c["component"]


def test_analyze_plot_png(tmp_path):
    pytest.importorskip("matplotlib")
    r = analyze.analyze(TEXT, level=1, window=1024)
    analyze.plot("text", r, str(tmp_path / "t.png"))
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    analyze.plot("text", dict(r, components=[]), str(tmp_path / "t2.png"))   # --no-ablation: the trace


def test_analyze_plot_without_matplotlib_is_one_error_before_any_work(tmp_path, monkeypatch):
    import builtins
    real = builtins.__import__

    def no_mpl(name, *a, **k):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *a, **k)

    def no_work(*a, **k):
        raise AssertionError("analyze ran before the plot was checked")

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    monkeypatch.setattr(analyze, "analyze", no_work)
    src = tmp_path / "in.txt"
    src.write_bytes(TEXT[:500])
    res = run("analyze", src, "--level", 1, "--no-ablation", "--plot", tmp_path / "t.png")
    assert res.exit_code == 1 and "matplotlib" in res.stderr and res.stderr.count("\n") == 1


def test_analyze_keeps_the_text_results_when_the_plot_fails(tmp_path):
    pytest.importorskip("matplotlib")
    src = tmp_path / "in.txt"
    src.write_bytes(TEXT[:2000])
    res = run("analyze", src, "--level", 1, "--window", "1K", "--plot", tmp_path / "no" / "dir" / "t.png")
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "t.png" in res.stderr
    assert "level 1" in res.stdout and "component" in res.stdout          # the results are out


def test_loss_rate_script_replaces_the_tables_with_the_same_shape():
    """scripts/eml_loss_rate.py patches eml.tables; its stand-in must keep the
    signature and the five tables Backbone unpacks, or the README's command breaks."""
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "eml_loss_rate.py"
    if not path.exists():
        pytest.skip("scripts/ not beside the tests")
    spec = importlib.util.spec_from_file_location("eml_loss_rate", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    want = eml.tables([0] * eml.NPARAM, 8, 6, 1023, 3)
    got = mod.loss_rate_tables(2.0)([0] * eml.NPARAM, 8, 6, 1023, 3)
    assert len(got) == len(want)
    assert all(a.shape == b.shape and a.dtype == b.dtype for a, b in zip(got, want))
    assert all((a == b).all() for a, b in zip(got[1:], want[1:])) and (got[0] > want[0]).any()


@pytest.mark.parametrize("level", [8, 9, 10])
def test_analyze_variants_leave_a_context_out_of_both_lists(level):
    """`mixzip analyze` leaves each context out in turn: out of the structured
    list (struct_contexts) too, and every variant is a model the recipe builds."""
    spec = spec_for_level(level)
    assert spec.params["struct_contexts"]
    for name, p in analyze.variants(spec.params):
        recipes.resolve(dataclasses.replace(spec, params=p))        # as analyze() builds it
        if name.startswith("context "):
            c = name.split()[1]
            assert c not in p["contexts"].split(",") and c not in p["struct_contexts"].split(",")
