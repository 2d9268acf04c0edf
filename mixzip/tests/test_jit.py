"""JIT hygiene: options in one place, nothing non-deterministic on the coding path."""
import ast
import pathlib
import re

import pytest

import mixzip

PKG = pathlib.Path(mixzip.__file__).parent
KERNEL_DIRS = [PKG / "predictors", PKG / "codec"]

# Calls that would make a kernel depend on libm, BLAS or the CPU's float
# reassociation: forbidden in every module that defines kernels.  sqrt is
# allowed: IEEE 754 requires it correctly rounded, like + - * /, and LLVM
# emits the sqrt instruction, not a libm call.
FORBIDDEN = re.compile(
    r"\bnp\.(dot|matmul|exp|log|tanh|expm1|log1p|power|einsum)\b|\bmath\.(exp|log|tanh|pow)\b"
    r"|fastmath\s*=\s*True|parallel\s*=\s*True|\bprange\b")


def kernel_modules():
    for d in KERNEL_DIRS:
        for p in sorted(d.rglob("*.py")):
            src = p.read_text()
            if "@kernel" in src or "@inline" in src or "@phase" in src:
                yield p, src


def test_there_are_kernel_modules():
    names = {p.name for p, _ in kernel_modules()}
    assert {"coder.py", "contextmap.py", "mixers.py", "mixer.py", "statemap.py", "apm.py"} <= names


def test_no_module_sets_its_own_jit_options():
    for p in PKG.rglob("*.py"):
        if p.name == "jit.py":
            continue
        tree = ast.parse(p.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"njit", "jit", "vectorize", "guvectorize"}:
                raise AssertionError(f"{p.name} uses numba.{node.attr}; use mixzip.jit.kernel/inline")
            if isinstance(node, ast.ImportFrom) and node.module == "numba":
                bad = {a.name for a in node.names} & {"njit", "jit", "vectorize", "guvectorize"}
                assert not bad, f"{p.name} imports {bad} from numba"


def test_no_libm_blas_or_fastmath_in_kernels():
    for p, src in kernel_modules():
        code = "\n".join(line.split("#")[0] for line in src.splitlines())
        m = FORBIDDEN.search(code)
        assert m is None, f"{p.name}: forbidden on the coding path: {m.group(0)}"
        assert " @ " not in code, f"{p.name}: matrix product on the coding path"


def test_options_are_deterministic():
    from mixzip import jit

    assert jit.OPTIONS["fastmath"] is False
    assert "parallel" not in jit.OPTIONS


def test_kernels_compile_without_reference_counting():
    """Kernels never allocate, so they are compiled with Numba's reference
    counting off (jit.NO_REFCOUNT): the recipe kernel passes arrays to dozens
    of inlined helpers per byte, and each would otherwise cost an atomic
    incref/decref pair.  Fails if the option stops reaching the kernels."""
    from mixzip import jit
    from mixzip.predictors import mixer
    from mixzip.predictors.recipes import build_model, spec_for_level

    assert jit.NO_REFCOUNT == {"_nrt": False}, "this Numba has no _nrt option: kernels run with refcounts"
    for fn in (build_model(spec_for_level(1)).kernel, mixer.mixer_dot):
        assert fn.targetoptions.get("_nrt") is False


def test_cached_kernels_carry_the_package_stamp():
    """Numba's cache checks only a kernel's own source file; ours inline
    helpers from other modules, so each kernel's cache stamp also carries a
    hash of every kernel module (jit.PACKAGE_STAMP)."""
    from mixzip import jit
    from mixzip.predictors import mixer
    from mixzip.predictors.recipes import build_model, spec_for_level

    assert len(jit.PACKAGE_STAMP) == 32
    for fn in (build_model(spec_for_level(1)).kernel, mixer.mixer_dot):
        stamp = fn._cache._cache_file._source_stamp
        assert isinstance(stamp, tuple) and stamp[-1] == jit.PACKAGE_STAMP
    # and the stamp covers the helper modules, not only the kernel's own file
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "mixzip"
        shutil.copytree(PKG, copy, ignore=shutil.ignore_patterns("__pycache__"))
        assert jit._package_stamp(copy) == jit.PACKAGE_STAMP
        with open(copy / "predictors" / "mixer.py", "a") as f:
            f.write("\n# edited\n")
        assert jit._package_stamp(copy) != jit.PACKAGE_STAMP


@pytest.mark.slow
def test_editing_an_inlined_helper_recompiles_the_cached_kernel(tmp_path):
    """A copy of the package compresses once (its kernels are cached), then
    the mixer's update rule is edited in mixer.py, a file whose kernels are
    all inlined into the recipe driver: the next run must use the new rule
    (a different archive), not the stale cached kernel."""
    import os
    import shutil
    import subprocess
    import sys

    dst = tmp_path / "mixzip"
    shutil.copytree(PKG, dst, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = str(tmp_path)
    env["MIXZIP_DRIVER_DIR"] = str(tmp_path / "drivers")
    code = "import sys, mixzip; sys.stdout.write(mixzip.compress(b'hello world ' * 50, level=1).hex())"

    def run():
        return subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                              capture_output=True, text=True, check=True).stdout

    first = run()
    assert run() == first                                   # deterministic, from the cache
    mixer = dst / "predictors" / "mixer.py"
    text = mixer.read_text()
    rule = "* e32) >> 18)"
    assert rule in text
    mixer.write_text(text.replace(rule, "* e32) >> 17)"))
    assert run() != first
