"""The Dask path (mixzip.cluster): a LocalCluster of two worker processes
writes byte for byte the archive of the local -T path, and decodes it;
directory trees; the CLI's --scheduler.  Skipped without dask.distributed."""
import io
import os
import pathlib

import pytest

distributed = pytest.importorskip("distributed")

import mixzip  # noqa: E402
from mixzip import cluster, corpus  # noqa: E402

LEVEL = 1
SEG = 32 << 10
BLOCK = 8 << 10


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as lc:
        with distributed.Client(lc) as c:
            yield c


@pytest.fixture(scope="module")
def real_files() -> dict[str, bytes]:
    """Real text and binaries: the Canterbury corpus when present, else the built-in sample."""
    d = corpus.corpus_dir("canterbury")
    if d is not None:
        return {p.name: p.read_bytes() for p in sorted(d.iterdir())
                if p.is_file() and p.name in ("alice29.txt", "kennedy.xls", "ptt5", "fields.c")}
    return dict(corpus.sample())


def local(data: bytes, threads: int) -> bytes:
    dst = io.BytesIO()
    mixzip.compress_stream(io.BytesIO(data), dst, LEVEL, size=len(data), block_size=BLOCK,
                           segment_size=SEG, threads=threads)
    return dst.getvalue()


def test_cluster_archive_is_the_local_archive(client, real_files, tmp_path):
    data = b"".join(real_files.values())
    (tmp_path / "big").write_bytes(data)
    n_in, n_out = cluster.compress_file(client, tmp_path / "big", tmp_path / "big.mxz", LEVEL,
                                        block_size=BLOCK, segment_size=SEG)
    arc = (tmp_path / "big.mxz").read_bytes()
    assert (n_in, n_out) == (len(data), len(arc))
    assert mixzip.info(io.BytesIO(arc)).segments == -(-len(data) // SEG) > 4
    assert arc == local(data, 1) == local(data, 2)
    assert cluster.decompress_file(client, tmp_path / "big.mxz", tmp_path / "back") == (len(arc), len(data))
    assert (tmp_path / "back").read_bytes() == data
    with pytest.raises(mixzip.MixzipError, match="exists"):     # never over a file unless force
        cluster.decompress_file(client, tmp_path / "big.mxz", tmp_path / "back")
    # small and empty files: one task, the plain stream
    for name, payload in (("small", data[:1000]), ("empty", b"")):
        (tmp_path / name).write_bytes(payload)
        out = io.BytesIO()
        cluster.compress_file(client, tmp_path / name, out, LEVEL, block_size=BLOCK, segment_size=SEG)
        assert out.getvalue() == local(payload, 1)


def test_cluster_tree_and_fsspec_url(client, real_files, tmp_path):
    root = tmp_path / "tree"
    for i, (name, payload) in enumerate(real_files.items()):
        sub = root / f"d{i % 2}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / name).write_bytes(payload)
    results = cluster.compress_tree(client, root, tmp_path / "packed", LEVEL, block_size=BLOCK,
                                    segment_size=SEG)
    assert len(results) == len(real_files)
    for src, dst, n_in, _n_out in results:
        assert pathlib.Path(dst).read_bytes() == local(pathlib.Path(src).read_bytes(), 1)
        assert os.path.relpath(dst, tmp_path / "packed") == os.path.relpath(src, root) + ".mxz"
    cluster.decompress_tree(client, tmp_path / "packed", tmp_path / "unpacked")
    for src, *_ in results:
        rel = os.path.relpath(src, root)
        assert (tmp_path / "unpacked" / rel).read_bytes() == pathlib.Path(src).read_bytes()
    # an fsspec URL for the source (workers read their byte ranges through fsspec)
    name, payload = max(real_files.items(), key=lambda kv: len(kv[1]))
    out = io.BytesIO()
    cluster.compress_file(client, f"file://{root}/d0/{name}" if (root / "d0" / name).exists()
                          else f"file://{root}/d1/{name}", out, LEVEL, block_size=BLOCK, segment_size=SEG)
    assert out.getvalue() == local(payload, 2)


def test_cli_scheduler(client, real_files, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mixzip import cli

    monkeypatch.chdir(tmp_path)
    data = b"".join(real_files.values())
    pathlib.Path("f").write_bytes(data)
    address = client.scheduler.address
    opts = ["-1", "--block-size", str(BLOCK), "--segment-size", str(SEG), "--scheduler", address]
    r = CliRunner().invoke(cli.main, [*opts, "f"])
    assert r.exit_code == 0, r.stderr
    assert pathlib.Path("f.mxz").read_bytes() == local(data, 2)
    r = CliRunner().invoke(cli.main, ["-d", "--scheduler", address, "-o", "g", "f.mxz"])
    assert r.exit_code == 0, r.stderr
    assert pathlib.Path("g").read_bytes() == data
    r = CliRunner().invoke(cli.main, [*opts, "-c"], input=b"abc")
    assert r.exit_code == 1 and "standard input" in r.stderr
