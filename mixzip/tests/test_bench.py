"""mixzip.bench: result structure, levels, round-trip checking, baselines with speeds,
repeats, corpus, table, JSON, plot."""
from __future__ import annotations

import bz2
import json
import lzma

import pytest
import zstandard

from mixzip import bench, corpus

LEVEL = 1          # the smallest model: fast to build, same kernels as every level


@pytest.fixture(scope="module")
def tiny():
    """Small slices of each sample file, plus an empty file."""
    return [(name, data[:2000]) for name, data in corpus.sample()] + [("empty", b"")]


@pytest.fixture(scope="module")
def result(tiny):
    return bench.run_bench(tiny, LEVEL, isolate=False, corpus={"name": "sample", "path": "generated"})


def test_result_structure(result, tiny):
    assert result["ok"] is True
    assert result["levels"] == [LEVEL] and f"level {LEVEL}" in result["models"]["1"]
    assert result["isolate"] is False and result["repeat"] == 1 and result["plugins"] == []
    assert result["baselines"] == ["zstd19", "xz9e", "bzip2"]
    assert list(result["codecs"]) == ["mixzip -1", "zstd -19", "xz -9e", "bzip2 -9"]
    assert result["corpus"] == {"name": "sample", "path": "generated", "files": len(tiny),
                                "bytes": sum(len(d) for _, d in tiny)}
    assert {"platform", "machine", "processor", "cpu_count", "python", "numba", "numpy"} \
        <= set(result["machine"])
    assert [r["name"] for r in result["files"]] == [n for n, _ in tiny]
    for row, (_, data) in zip(result["files"], tiny):
        m = row["mixzip"]["1"]
        assert row["ok"] and row["error"] is None and row["bytes"] == len(data)
        assert m["bytes"] > 0 and m["peak_mb"] is None
        if data:
            assert m["bpb"] == pytest.approx(8 * m["bytes"] / len(data))
            assert m["ratio"] == pytest.approx(len(data) / m["bytes"])
            assert m["comp_mbps"] == pytest.approx(len(data) / 1e6 / m["comp_s"])
            assert m["decomp_mbps"] > 0
        else:
            assert m["bpb"] is None and m["comp_mbps"] is None and m["ratio"] is None


def test_total_row(result, tiny):
    total, rows = result["total"], result["files"]
    size = sum(len(d) for _, d in tiny)
    assert total["name"] == "TOTAL" and total["bytes"] == size and total["ok"]
    packed = sum(r["mixzip"]["1"]["bytes"] for r in rows)
    assert total["mixzip"]["1"]["bytes"] == packed
    assert total["mixzip"]["1"]["bpb"] == pytest.approx(8 * packed / size)
    comp_s = sum(r["mixzip"]["1"]["comp_s"] for r in rows)
    assert total["mixzip"]["1"]["comp_mbps"] == pytest.approx(size / 1e6 / comp_s)
    for key in result["baselines"]:
        assert total[key]["bytes"] == sum(r[key]["bytes"] for r in rows)
        assert total[key]["decomp_mbps"] == pytest.approx(size / 1e6 / sum(r[key]["decomp_s"] for r in rows))


def test_baselines_match_the_libraries_and_have_speeds(result, tiny):
    name, data = tiny[0]
    row = result["files"][0]
    assert row["zstd19"]["bytes"] == len(zstandard.ZstdCompressor(level=19).compress(data))
    assert row["xz9e"]["bytes"] == len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    assert row["bzip2"]["bytes"] == len(bz2.compress(data, 9))
    assert row["bzip2"]["bpb"] == pytest.approx(8 * row["bzip2"]["bytes"] / len(data))
    for key in result["baselines"]:
        assert row[key]["comp_mbps"] > 0 and row[key]["decomp_mbps"] > 0 and row[key]["ratio"] > 1


def test_json_serialisable(result):
    again = json.loads(json.dumps(result, allow_nan=False))
    assert again == result


def test_table(result, tiny):
    table = bench.format_table(result)
    lines = table.splitlines()
    assert lines[0] == f"corpus: sample (generated), {len(tiny)} files, {result['corpus']['bytes']:,} bytes"
    assert lines[1].split() == ["codec", "compressed", "ratio", "bpb", "comp", "MB/s", "decomp", "MB/s",
                                "peak", "MB"]
    for label in ("mixzip -1", "zstd -19", "xz -9e", "bzip2 -9"):
        line = next(x for x in lines if x.startswith(label + " "))
        assert len(line.split()) == len(label.split()) + 6          # size, ratio, bpb, 2 speeds, peak
    per_file = lines[lines.index("bits per byte by file:") + 1:]
    assert per_file[0].split() == ["file", "size", "mixzip", "-1", "zstd", "-19", "xz", "-9e", "bzip2", "-9"]
    for name, _ in tiny:
        assert any(line.startswith(name + " ") for line in per_file)
    assert any(line.startswith("TOTAL ") for line in per_file)
    assert "FAIL" not in table and "fastest of 1 run;" in table


def test_several_levels_in_one_run(tiny):
    r = bench.run_bench(tiny[:2], [1, 2, 1], baselines=False, isolate=False)
    assert r["levels"] == [1, 2] and set(r["models"]) == {"1", "2"}
    for row in r["files"]:
        assert set(row["mixzip"]) == {"1", "2"}
        assert row["mixzip"]["1"]["archive_sha256"] != row["mixzip"]["2"]["archive_sha256"]
    assert set(r["total"]["mixzip"]) == {"1", "2"}
    assert list(r["codecs"]) == ["mixzip -1", "mixzip -2"]
    table = bench.format_table(r)
    assert "mixzip -1" in table and "mixzip -2" in table


def test_repeat_keeps_the_fastest(monkeypatch):
    times = iter([0.0, 5.0, 10.0, 11.0, 20.0, 23.0])         # calls of 5, 1 and 3 seconds
    monkeypatch.setattr(bench.time, "perf_counter", lambda: next(times))
    out, best = bench._fastest(lambda x: x * 2, 21, 3)
    assert (out, best) == (42, 1.0)


def test_repeat_runs_each_measurement(monkeypatch, tiny):
    from mixzip.codec import compress, decompress
    calls = []

    def counting(data, level, **kw):
        calls.append(len(data))
        return compress(data, level, **kw)

    monkeypatch.setattr(bench, "_codec", lambda: (counting, decompress))
    r = bench.run_bench(tiny[:1], LEVEL, baselines=False, isolate=False, repeat=3)
    assert r["repeat"] == 3 and calls.count(len(tiny[0][1])) == 3
    with pytest.raises(ValueError):
        bench.run_bench(tiny[:1], LEVEL, isolate=False, repeat=0)


def test_plugin(tiny):
    import numpy as np
    from mixzip.predictors import plugins

    class Flat:
        version = "1"

        def predict(self):
            return np.ones(256)

        def update(self, byte):
            pass

    plugins.register_predictor("benchflat", Flat)
    r = bench.run_bench([("x", tiny[0][1][:300])], LEVEL, baselines=False, isolate=False,
                        plugins=["benchflat"])
    assert r["ok"] and r["plugins"] == ["benchflat"] and "+benchflat 1" in r["models"]["1"]
    with pytest.raises(Exception, match="no-such-plugin"):
        bench.run_bench(tiny[:1], LEVEL, isolate=False, plugins=["no-such-plugin"])


def test_no_baselines(tiny):
    r = bench.run_bench(tiny[:1], LEVEL, baselines=False, isolate=False)
    assert r["baselines"] == [] and "zstd19" not in r["files"][0] and "zstd19" not in r["total"]
    assert "zstd" not in bench.format_table(r)


def test_round_trip_failure_is_marked(monkeypatch, tiny):
    from mixzip.codec import compress, decompress

    def bad_decompress(archive):
        out = decompress(archive)
        return out[:-1] + bytes([out[-1] ^ 1]) if len(out) == 2000 else out   # not the warm-up

    monkeypatch.setattr(bench, "_codec", lambda: (compress, bad_decompress))
    r = bench.run_bench(tiny[:2], LEVEL, baselines=False, isolate=False)
    assert r["ok"] is False and r["total"]["ok"] is False
    for row in r["files"]:
        assert row["ok"] is False and "not bit-exact" in row["error"]
        assert row["mixzip"]["1"]["bytes"] is None and row["mixzip"]["1"]["bpb"] is None
    assert r["total"]["mixzip"]["1"]["bpb"] is None
    table = bench.format_table(r)
    assert "FAIL" in table and f"FAILED {tiny[0][0]}: round trip not bit-exact" in table
    json.dumps(r, allow_nan=False)


def test_codec_error_is_marked(monkeypatch, tiny):
    def boom(data, level):
        raise RuntimeError("kaput")

    monkeypatch.setattr(bench, "_codec", lambda: (boom, boom))
    r = bench.run_bench(tiny[:1], LEVEL, baselines=False, isolate=False)
    assert not r["ok"] and r["files"][0]["error"] == "RuntimeError: kaput"


def test_bad_level_fails_fast():
    with pytest.raises(ValueError):
        bench.run_bench([("x", b"abc")], 0, isolate=False)
    with pytest.raises(ValueError):
        bench.run_bench([("x", b"abc")], [1, 11], isolate=False)


def test_progress_callback(tiny):
    seen = []
    bench.run_bench(tiny[:2], LEVEL, baselines=False, isolate=False, progress=seen.append)
    assert seen == [tiny[0][0], tiny[1][0]]


def test_isolated_child(result, tiny):
    """One fresh 'spawn' child per file: peak RSS reported, same archive as in-process."""
    r = bench.run_bench(tiny[:1], LEVEL, baselines=False, isolate=True)
    row = r["files"][0]
    assert r["ok"] and r["isolate"] is True
    assert row["mixzip"]["1"]["peak_mb"] > 1
    assert r["total"]["mixzip"]["1"]["peak_mb"] == row["mixzip"]["1"]["peak_mb"]
    assert row["mixzip"]["1"]["archive_sha256"] == result["files"][0]["mixzip"]["1"]["archive_sha256"]
    json.dumps(r, allow_nan=False)


def test_plot_png(result, tmp_path):
    pytest.importorskip("matplotlib")
    bench.plot(result, str(tmp_path / "b.png"))
    assert (tmp_path / "b.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
