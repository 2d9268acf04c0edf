"""Bit-exactness: the JIT kernels against their own source run as plain Python,
and (with the public API) golden archive hashes, also under a generic CPU."""
import os
import subprocess
import sys


# Exercises every model: text (words, orders), binary, a long repeat (match
# model), all byte values, two blocks (state carried across blocks).
SNIPPET = r"""
import dataclasses, hashlib, random, sys
LEVEL, TINY = int(sys.argv[1]), sys.argv[2] == "tiny"
from mixzip.codec.engine import Engine
from mixzip.predictors.recipes import spec_for_level
rng = random.Random(7)
words = [b"alpha", b"beta", b"gamma", b"Delta", b"epsilon", b"zeta", b"eta"]
text = b" ".join(rng.choice(words) for _ in range(300))
data = text + bytes(range(256)) + bytes(rng.randrange(256) for _ in range(300)) + text[:700]
spec = spec_for_level(LEVEL)
EML = "-8,8,8,8,8,-8,0,0,-8,0,0,8,-16,20,3,0,8,-8,16,0"   # every node, the table blend included
if LEVEL == 1:             # with the (optional) EML heuristics, so their per-bit path is covered too
    spec = dataclasses.replace(spec, params=dict(spec.params, eml=EML))
if LEVEL == 10:            # the neural level, learning from the first byte (gru_wake=0: the backward pass all
    # along), with the (optional) attention model and EML (MoE path) on too
    spec = dataclasses.replace(spec, params=dict(spec.params, gru_wake=0, attn_dim=16, attn_levels=12, attn_lr=200,
                                                 attn_src=1, eml=EML))
if LEVEL == 10 and TINY:   # pure Python runs the networks ~10^4x slower: small ones
    spec = dataclasses.replace(spec, params=dict(spec.params, gru_hidden=8, gru_embed=8, gru_window=4, gru_prior="",
                                                 attn_dim=8, attn_levels=4))
e = Engine(spec)
h = hashlib.sha256()
for blk in (data[:1000], data[1000:]):
    payload, stored = e.encode_block(blk)
    h.update(bytes([stored]) + payload)
print(h.hexdigest())
"""


def run_snippet(env_extra, level=1, tiny=False):
    env = dict(os.environ, **env_extra)
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", SNIPPET, str(level), "tiny" if tiny else "full"],
                         env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_jit_kernel_equals_pure_python_reference():
    """The whole recipe kernel compiled by Numba codes exactly like its source
    interpreted by CPython (arbitrary-precision ints, no LLVM)."""
    jit = run_snippet({})
    ref = run_snippet({"NUMBA_DISABLE_JIT": "1"})
    assert len(jit) == 64
    assert jit == ref


def test_jit_kernel_equals_generic_cpu_build(tmp_path):
    """Compiled for a generic x86-64/aarch64 CPU (no host features) the kernel
    gives the same bits as the host build."""
    host = run_snippet({})
    generic = run_snippet({"NUMBA_CPU_NAME": "generic", "NUMBA_CACHE_DIR": str(tmp_path)})
    assert host == generic


def test_neural_level_jit_equals_pure_python_reference():
    """The same with the GRU and attention byte models in the loop (small
    ones: the interpreted float32 networks are slow)."""
    jit = run_snippet({}, level=10, tiny=True)
    assert jit == run_snippet({"NUMBA_DISABLE_JIT": "1"}, level=10, tiny=True)


def test_neural_level_equals_generic_cpu_build(tmp_path):
    """The full-size GRU level (+ attention): vectorised float32 loops must
    give the same bits with and without the host's vector units (AVX2/AVX-512,
    FMA)."""
    host = run_snippet({}, level=10)
    generic = run_snippet({"NUMBA_CPU_NAME": "generic", "NUMBA_CACHE_DIR": str(tmp_path)}, level=10)
    assert host == generic
