"""Third-party byte predictors through the ``mixzip.predictors`` entry-point group.

A throwaway distribution is written to a temporary directory (a module plus a
``*.dist-info`` with ``entry_points.txt``) and put on ``sys.path``, so the
plugin is found by ``importlib.metadata`` exactly as an installed package
would be.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mixzip
from mixzip.codec.errors import UnsupportedModelError

PLUGIN_SRC = textwrap.dedent('''
    import random
    import numpy as np

    class Oracle:
        """Knows the seeded pseudo-random stream the test compresses: puts most
        of its mass on the byte that stream will produce next."""
        version = "1.2"

        def __init__(self):
            self.rng = random.Random(1234)
            self.next = self.rng.randrange(256)

        def predict(self):
            p = np.ones(256)
            p[self.next] = 5000.0
            return p

        def update(self, byte):
            self.next = self.rng.randrange(256)

    class Order1:
        """A plain adaptive order-1 byte model in NumPy."""
        version = "1"

        def __init__(self):
            self.t = np.ones((256, 256))
            self.c1 = 0

        def predict(self):
            return self.t[self.c1]

        def update(self, byte):
            self.t[self.c1, byte] += 4
            self.c1 = byte

    class Broken:
        version = "1"

        def predict(self):
            return [1.0, 2.0]

        def update(self, byte):
            pass
''')


@pytest.fixture
def plugin_path(tmp_path, monkeypatch):
    (tmp_path / "mixzip_example_plugin.py").write_text(PLUGIN_SRC)
    info = tmp_path / "mixzip_example_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mixzip-example-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[mixzip.predictors]\n"
        "oracle = mixzip_example_plugin:Oracle\n"
        "order1 = mixzip_example_plugin:Order1\n"
        "broken = mixzip_example_plugin:Broken\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def oracle_stream(n):
    import random

    rng = random.Random(1234)
    return bytes(rng.randrange(256) for _ in range(n))


def test_plugin_is_found_and_mixed_in(plugin_path):
    data = oracle_stream(3000)
    plain = mixzip.compress(data, level=1)
    helped = mixzip.compress(data, level=1, plugins=["oracle"])
    assert mixzip.decompress(helped) == data
    # random bytes do not compress on their own; the oracle plugin makes them
    assert len(plain) > len(data)
    assert len(helped) < len(data) // 4


def test_two_plugins_and_info_names_them(plugin_path):
    data = b"abracadabra, abracadabra! " * 40
    arc = mixzip.compress(data, level=1, plugins=["order1", "oracle"], block_size=300)
    assert mixzip.decompress(arc) == data
    names = [n for n, _ in mixzip.info(__import__("io").BytesIO(arc)).spec.plugins]
    assert names == ["order1", "oracle"]


def test_missing_plugin_is_a_one_line_error(plugin_path, tmp_path_factory):
    arc = mixzip.compress(b"hello plugin world" * 10, level=1, plugins=["oracle"])
    path = tmp_path_factory.mktemp("arc") / "x.mxz"
    path.write_bytes(arc)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-m", "mixzip.cli", "-t", str(path)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "oracle" in lines[0] and "Traceback" not in out.stderr


def test_missing_plugin_via_api():
    with pytest.raises(UnsupportedModelError, match="nonexistent"):
        mixzip.compress(b"x", plugins=["nonexistent"])


def test_bad_plugin_output_is_reported(plugin_path):
    with pytest.raises(mixzip.PluginError, match="'broken'.*256"):
        mixzip.compress(b"abc", level=1, plugins=["broken"])


def test_in_process_registration():
    from mixzip.predictors.plugins import register_predictor

    class Uniform:
        version = "7"

        def predict(self):
            return [1.0] * 256

        def update(self, byte):
            pass

    register_predictor("uniform-test", Uniform)
    data = b"registered in process " * 20
    arc = mixzip.compress(data, level=1, plugins=["uniform-test"])
    assert mixzip.decompress(arc) == data
    assert mixzip.info(__import__("io").BytesIO(arc)).spec.plugins == (("uniform-test", "7"),)


# ---------------------------------------------------------------- fast-path components

def order2_installed():
    try:
        import mixzip_order2  # noqa: F401
    except ImportError:
        pytest.fail("the example plugin is not installed: pip install ./examples/mixzip-order2 "
                    "(the README's test command does)")


def test_example_component_round_trips_and_is_named_in_the_header():
    order2_installed()
    data = dict(__import__("mixzip.corpus", fromlist=["sample"]).sample())["source.c"][:20000]
    arc = mixzip.compress(data, level=1, plugins=["order2"], block_size=8192)
    assert mixzip.decompress(arc) == data
    assert mixzip.info(__import__("io").BytesIO(arc)).spec.plugins == (("order2", "1"),)
    assert len(arc) != len(mixzip.compress(data, level=1, block_size=8192))   # it takes part


def test_example_component_stands_in_for_the_built_in_order2():
    """Level 8 with its o2 context taken out and the example component added
    codes within 0.1% of level 8 itself (the same model, a table of its own)."""
    order2_installed()
    from mixzip.codec.engine import Engine
    from mixzip.predictors import recipes

    data = dict(__import__("mixzip.corpus", fromlist=["sample"]).sample())["text.txt"]
    base = recipes.spec_for_level(8)
    plug = recipes.with_params(recipes.spec_for_level(8, plugins=["order2"]),
                               contexts=base.params["contexts"].replace("o2,", ""), struct_contexts=None)
    built_in = len(Engine(base).encode_block(data)[0])
    plugin = len(Engine(plug).encode_block(data)[0])
    assert abs(plugin - built_in) <= built_in / 1000, (built_in, plugin)


def test_plugins_command_lists_checks_and_names_what_archives_need(tmp_path):
    order2_installed()
    from click.testing import CliRunner

    from mixzip import cli

    r = CliRunner().invoke(cli.main, ["plugins"])
    assert r.exit_code == 0 and "order2" in r.output and "component" in r.output
    src = tmp_path / "f.txt"
    src.write_bytes(b"plugins are models too; " * 200)
    arc = tmp_path / "f.txt.mxz"
    arc.write_bytes(mixzip.compress(src.read_bytes(), level=1, plugins=["order2"]))
    r = CliRunner().invoke(cli.main, ["plugins", str(arc)])
    assert r.exit_code == 0 and "needs order2 1 (installed)" in r.output
    r = CliRunner().invoke(cli.main, ["plugins", "check", "order2", str(src)])
    assert r.exit_code == 0 and "order2: deterministic" in r.output, r.output


class Drifting:
    """A plugin that is not deterministic: its predictions depend on how many
    instances were made before it (the encoder's and the decoder's differ)."""
    version = "1"
    made = 0

    def __init__(self):
        Drifting.made += 1
        self.bias = Drifting.made % 7

    def predict(self):
        p = np.ones(256)
        p[(65 + self.bias) % 256] = 50.0
        return p

    def update(self, byte):
        pass


def test_a_plugin_that_is_not_deterministic_is_caught(tmp_path):
    from click.testing import CliRunner

    from mixzip import cli
    from mixzip.predictors.plugins import register_predictor

    register_predictor("drifting-test", Drifting)
    src = tmp_path / "d.txt"
    src.write_bytes(b"ABCDEFGH" * 300)
    r = CliRunner().invoke(cli.main, ["-1", "--verify", "--plugin", "drifting-test", str(src)])
    assert r.exit_code == 1 and "not deterministic" in r.output, r.output
    assert not (tmp_path / "d.txt.mxz").exists()
    from mixzip.predictors import plugins
    r = plugins.check_determinism("drifting-test", str(src), level=1, generic=False)
    assert not r["deterministic"] and r["problem"]


def test_plugin_errors_name_the_plugin_and_are_mixzip_errors():
    from mixzip.predictors.plugins import register_predictor

    class Fails:
        version = "1"

        def __init__(self):
            self.n = 0

        def predict(self):
            return [1.0] * 256

        def update(self, byte):
            self.n += 1
            if self.n == 100:
                raise RuntimeError("boom")

    class Negative:
        version = "1"

        def __init__(self):
            self.n = 0

        def predict(self):
            return np.full(256, -1.0 if self.n > 50 else 1.0)

        def update(self, byte):
            self.n += 1

    register_predictor("fails-test", Fails)
    register_predictor("negative-test", Negative)
    with pytest.raises(mixzip.PluginError, match="'fails-test' failed: boom"):
        mixzip.compress(b"x" * 1000, level=1, plugins=["fails-test"])
    with pytest.raises(mixzip.PluginError, match="'negative-test'.*non-negative"):
        mixzip.compress(b"x" * 1000, level=1, plugins=["negative-test"])
    assert issubclass(mixzip.PluginError, mixzip.MixzipError)


def test_kernel_quantisation_equals_numpy_quantize():
    """The kernel quantises a Python plugin's distribution exactly as the
    reference ``quantize`` (numpy's pairwise sum, floor, +1, cumsum), so
    archives made before the callback path decode the same."""
    from mixzip.predictors.plugins import quantize, quantize_rows

    rng = np.random.default_rng(5)
    rows = [rng.random(256), rng.random(256) * 1e-300, np.exp(rng.normal(0, 30, 256)), np.zeros(256),
            np.where(rng.random(256) < 0.9, 0.0, rng.random(256)), np.full(256, 1e308)]
    raw = np.array(rows, dtype=np.float64)
    cum = np.zeros((len(rows), 257), dtype=np.int64)
    assert quantize_rows(raw, cum) == -1
    for e, row in enumerate(rows):
        if np.isfinite(row.sum()) and row.sum() > 1e-290:      # the reference overflows past these
            assert (cum[e] == quantize(row)).all(), e
        assert cum[e, 0] == 0 and (np.diff(cum[e]) >= 1).all()
    raw[1, 7] = np.nan
    assert quantize_rows(raw, cum) == 1
