"""mixzip.bench: result structure, round-trip checking, baselines, table, JSON."""
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
    return bench.run_bench(tiny, LEVEL, isolate=False)


def test_result_structure(result, tiny):
    assert result["ok"] is True
    assert result["level"] == LEVEL and f"level {LEVEL}" in result["model"]
    assert result["isolate"] is False
    assert result["baselines"] == ["zstd19", "xz9e", "bzip2"]
    assert {"platform", "machine", "processor", "cpu_count", "python", "numba", "numpy"} \
        <= set(result["machine"])
    assert [r["name"] for r in result["files"]] == [n for n, _ in tiny]
    for row, (_, data) in zip(result["files"], tiny):
        m = row["mixzip"]
        assert row["ok"] and row["error"] is None and row["bytes"] == len(data)
        assert m["bytes"] > 0 and m["peak_mb"] is None
        if data:
            assert m["bpb"] == pytest.approx(8 * m["bytes"] / len(data))
            assert m["comp_mbps"] == pytest.approx(len(data) / 1e6 / m["comp_s"])
            assert m["decomp_mbps"] > 0
        else:
            assert m["bpb"] is None and m["comp_mbps"] is None


def test_total_row(result, tiny):
    total, rows = result["total"], result["files"]
    size = sum(len(d) for _, d in tiny)
    assert total["name"] == "TOTAL" and total["bytes"] == size and total["ok"]
    packed = sum(r["mixzip"]["bytes"] for r in rows)
    assert total["mixzip"]["bytes"] == packed
    assert total["mixzip"]["bpb"] == pytest.approx(8 * packed / size)
    comp_s = sum(r["mixzip"]["comp_s"] for r in rows)
    assert total["mixzip"]["comp_mbps"] == pytest.approx(size / 1e6 / comp_s)
    for key in result["baselines"]:
        assert total[key]["bytes"] == sum(r[key]["bytes"] for r in rows)


def test_baselines_match_the_libraries(result, tiny):
    name, data = tiny[0]
    row = result["files"][0]
    assert row["zstd19"]["bytes"] == len(zstandard.ZstdCompressor(level=19).compress(data))
    assert row["xz9e"]["bytes"] == len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))
    assert row["bzip2"]["bytes"] == len(bz2.compress(data, 9))
    assert row["bzip2"]["bpb"] == pytest.approx(8 * row["bzip2"]["bytes"] / len(data))


def test_json_serialisable(result):
    again = json.loads(json.dumps(result, allow_nan=False))
    assert again == result


def test_table(result, tiny):
    table = bench.format_table(result)
    lines = table.splitlines()
    assert lines[0].split() == ["file", "size", "mixzip", "zstd19", "xz9e", "bzip2",
                                "comp", "MB/s", "decomp", "MB/s", "peak", "MB"]
    for name, _ in tiny:
        assert any(line.startswith(name + " ") for line in lines)
    assert any(line.startswith("TOTAL ") for line in lines)
    assert "FAIL" not in table
    widths = {len(line) for line in lines if not line.startswith("bits per byte")}
    assert len(widths) == 1                                    # fixed width


def test_no_baselines(tiny):
    r = bench.run_bench(tiny[:1], LEVEL, baselines=False, isolate=False)
    assert r["baselines"] == [] and "zstd19" not in r["files"][0] and "zstd19" not in r["total"]
    assert "zstd19" not in bench.format_table(r)


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
        assert row["mixzip"]["bytes"] is None and row["mixzip"]["bpb"] is None
    assert r["total"]["mixzip"]["bpb"] is None
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


def test_progress_callback(tiny):
    seen = []
    bench.run_bench(tiny[:2], LEVEL, baselines=False, isolate=False, progress=seen.append)
    assert seen == [tiny[0][0], tiny[1][0]]


def test_isolated_child(result, tiny):
    """One fresh 'spawn' child per file: peak RSS reported, same archive as in-process."""
    r = bench.run_bench(tiny[:1], LEVEL, baselines=False, isolate=True)
    row = r["files"][0]
    assert r["ok"] and r["isolate"] is True
    assert row["mixzip"]["peak_mb"] > 1
    assert r["total"]["mixzip"]["peak_mb"] == row["mixzip"]["peak_mb"]
    assert row["mixzip"]["archive_sha256"] == result["files"][0]["mixzip"]["archive_sha256"]
    json.dumps(r, allow_nan=False)
