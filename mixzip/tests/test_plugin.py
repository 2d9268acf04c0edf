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
