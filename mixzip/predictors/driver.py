"""The recipe driver: the per-bit kernel, written out from a recipe's components.

What it is: for a model's list of components (component.py) this module
writes the source of one Numba kernel, ``run``, that reads top-down like
lpaq1's ``Predictor::p()`` and ``update()``:

    for each byte:
        every model's begin                        (contexts, expected byte...)
        for each bit, MSB first:
            every model's predict -> the mixer inputs x
            the mixers mix x -> (dot, pm); the APM chain refines -> p
            the coder codes the bit with p
            every model's update, the mixers' train, the APMs' update
        every model's step at the byte boundary; the shared history moves on

Only the components of the recipe appear, and their compile-time flags are
literals, so an absent model or an unused variant costs nothing: no
feature flags in the per-bit loop, no stand-in models.  The phases are
inlined into ``run`` (``mixzip.jit.inline``), which is one function with
no calls per bit.

The kernel takes (mode, data, dstart, dend, buf, bend, cs, S): the coder
mode and state (codec/coder.py), the bytes to code and the output or input
buffer, and S = (h, tabs, ring, x, state of component 0, 1, ...).  It
returns the index of the first byte not coded: ``dend``, or earlier when
the encoder's buffer is nearly full (fewer than coder.ROOM bytes left) or a
component failed (h[ERR] set: a Python plugin raised).

The source is written to a real file whose name is the hash of its text
and of the sources of every module it calls (``driver_<hash>.py`` in
``driver_dir()``), and imported from there, so Numba's on-disk cache keeps
working: a recipe is compiled once per machine, and any change to any
component recompiles.  Where no directory is writable, the kernel is
compiled in memory on each run.
"""
from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import sys
import tempfile
from pathlib import Path

from mixzip import jit

_loaded: dict[str, object] = {}


def _fn(f):
    """The Python function behind a (possibly jitted) phase."""
    return getattr(f, "py_func", f)


class _Imports:
    def __init__(self):
        self.names: dict[tuple[str, str], str] = {}

    def use(self, f) -> str:
        f = _fn(f)
        key = (f.__module__, f.__name__)
        if key not in self.names:
            self.names[key] = f"{f.__name__}_{len(self.names)}"
        return self.names[key]

    def lines(self) -> list[str]:
        return [f"from {m} import {n} as {alias}" for (m, n), alias in sorted(self.names.items(), key=lambda kv: kv[1])]


def _call(imp: _Imports, f, args: str, static: tuple) -> str:
    extra = "".join(f", {int(v)}" for v in static)
    return f"{imp.use(f)}({args}{extra})"


def source(models: list, mixer, refine) -> str:
    """The kernel's source for these components: ``models`` (in recipe order:
    they give inputs and learn), ``mixer`` (role "mix") and ``refine`` (role
    "refine", or None: the mixers' probability is coded)."""
    imp = _Imports()
    title = " -> ".join([*(c.describe() for c in models), mixer.describe()] + ([refine.describe()] if refine else []))
    parts = [*models, mixer] + ([refine] if refine else [])
    var = {id(c): f"s{k}" for k, c in enumerate(parts)}
    st = {id(c): tuple(c.static()) for c in parts}

    def phase(c, name, args):
        f = getattr(c, name, None)
        return [] if f is None else [_call(imp, f, args.format(s=var[id(c)]), st[id(c)])]

    begins = [line for c in parts for line in phase(c, "begin", "{s}, h")]
    predicts = [line for c in models for line in phase(c, "predict", "{s}, h, x, c0, j")]
    updates = [line for c in models for line in phase(c, "update", "{s}, h, y, c0, j")]
    steps = [line for c in [*models, mixer] for line in phase(c, "step", "{s}, h, c")]
    mix = _call(imp, mixer.mix, f"{var[id(mixer)]}, h, x, c0, j", st[id(mixer)])
    train = _call(imp, mixer.train, f"{var[id(mixer)]}, h, x, y, c0, j", st[id(mixer)])
    if refine is not None:
        refine_p = _call(imp, refine.refine, f"{var[id(refine)]}, h, dot, pm, c0, j", st[id(refine)])
        updates_r = phase(refine, "update", "{s}, h, y, c0, j")
    else:
        refine_p, updates_r = "pm", []
    can_fail = any(getattr(c, "can_fail", False) for c in parts)

    def block(lines, indent):
        return [" " * indent + line for line in lines] or [" " * indent + "pass"]

    body = [
        "@kernel",
        "def run(mode, data, dstart, dend, buf, bend, cs, S):",
        f'    """{title}"""',
        "    h, tabs, ring, x = S[0], S[1], S[2], S[3]",
        *[f"    {var[id(c)]} = S[{4 + k}]" for k, c in enumerate(parts)],
        "    x1, x2, xc = cs[X1], cs[X2], cs[X]",
        "    cpos = cs[OPOS] if mode == ENCODE else cs[IPOS]",
        "    for i in range(dstart, dend):",
        "        if mode == ENCODE and cpos + ROOM > bend:",
        "            save_coder(cs, mode, x1, x2, xc, cpos)",
        "            return i",
        "        c = np.int64(0)",
        "        if mode != DECODE:",
        "            c = np.int64(data[i])",
        "        byte_begin(h)",
        "        # ---- begin the byte",
        *block(begins, 8),
        "        c0 = np.int64(1)",
        "        for j in range(8):",
        "            # ---- p(): the models' inputs, mixed, refined",
        *block(predicts, 12),
        f"            dot, pm = {mix}",
        f"            p = {refine_p}",
        "            # ---- code the bit",
        "            y = (c >> (7 - j)) & 1",
        "            y, x1, x2, xc, cpos = code_bit(mode, y, p, x1, x2, xc, cpos, buf, bend)",
        "            h[P] = p",
        "            # ---- update(y): every model learns the bit",
        *block(updates, 12),
        f"            {train}",
        *["            " + line for line in updates_r],
        "            c0 = c0 * 2 + y",
        "        c = c0 & 255",
        "        if mode == DECODE:",
        "            data[i] = c",
        "        # ---- the byte boundary: the models step, the history moves on",
        "        ring_put(h, ring, c)",
        *["        " + line for line in steps],
        "        history_update(h, tabs, c)",
    ]
    if can_fail:
        body += ["        if h[ERR] != 0:",
                 "            save_coder(cs, mode, x1, x2, xc, cpos)",
                 "            return i + 1"]
    body += ["    save_coder(cs, mode, x1, x2, xc, cpos)",
             "    return dend"]
    head = [
        f'"""Generated by mixzip.predictors.driver: {title}.',
        "",
        "Do not edit: the file is written from the recipe's component list and",
        'named by the hash of its text and of the sources it calls."""',
        "import numpy as np",
        "",
        "from mixzip.codec.coder import DECODE, ENCODE, IPOS, OPOS, ROOM, X, X1, X2, code_bit, save_coder",
        "from mixzip.jit import kernel",
        "from mixzip.predictors.history import ERR, P, byte_begin, history_update, ring_put",
        *imp.lines(),
        "",
        "",
    ]
    return "\n".join(head + body) + "\n"


def _stamp(text: str) -> str:
    """Hash of the driver's text, of every module it imports from, and of
    the kernel package (PACKAGE_STAMP): any change renames the file."""
    h = hashlib.sha256(text.encode())
    h.update(jit.PACKAGE_STAMP.encode())
    for line in text.splitlines():
        if line.startswith("from ") and " import " in line:
            mod = sys.modules.get(line.split()[1])
            try:
                h.update(Path(inspect.getfile(mod)).read_bytes())
            except (TypeError, OSError):
                pass
    return h.hexdigest()[:20]


def driver_dir() -> Path | None:
    """Where generated drivers are written: $MIXZIP_DRIVER_DIR, else a
    per-user cache directory, else the temporary directory; None if none of
    them is writable."""
    tag = f"py{sys.version_info[0]}{sys.version_info[1]}"
    candidates = []
    if os.environ.get("MIXZIP_DRIVER_DIR"):
        candidates.append(Path(os.environ["MIXZIP_DRIVER_DIR"]))
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates.append(Path(xdg) / "mixzip" / f"drivers-{tag}")
    candidates.append(Path(tempfile.gettempdir()) / f"mixzip-drivers-{os.getuid() if hasattr(os, 'getuid') else 0}-{tag}")
    for d in candidates:
        try:
            d.mkdir(parents=True, exist_ok=True)
            if os.access(d, os.W_OK):
                return d
        except OSError:
            continue
    return None


def load(models: list, mixer, refine):
    """The compiled ``run`` kernel for these components (see ``source``).

    Returns (kernel, module name, new): ``new`` is True when the driver's
    file had to be written now (a recipe this machine has not run before:
    its first call compiles)."""
    text = source(models, mixer, refine)
    stamp = _stamp(text)
    name = f"mixzip_driver_{stamp}"
    if name in _loaded:
        return _loaded[name], name, False
    d = driver_dir()
    new = False
    if d is None:                       # nowhere to write: compile in memory, every run
        mod = type(sys)(name)
        mod.__file__ = f"<{name}>"
        exec(compile(text, mod.__file__, "exec"), mod.__dict__)
        new = True
    else:
        path = d / f"driver_{stamp}.py"
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=d, prefix=".driver-", suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, path)
            new = True
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    _loaded[name] = mod.run
    return mod.run, name, new
