"""Pretrained neural priors: versioned weight files and their loader.

A prior is the trained weight vector of one of mixzip's byte models (today
the GRU, predictors/gru.py), shipped in this folder as NAME.mxp, made by the
training pipeline (mixzip/training, docs/TRAINING.md).

File format (all integers little-endian):

    offset  size  field
    0       8     magic b"MXZPRIOR"
    8       4     format version (uint32) = 1
    12      4     header length L (uint32)
    16      L     header: UTF-8 JSON object, keys
                    name     the prior's name, e.g. "gru-e32-h256-v1"
                    model    "gru"
                    params   the model's sizes, e.g. {"embed": 32, "hidden": 256}
                    arrays   [{"name", "dtype" ("<f4" or "<f2"), "shape", "offset", "sha256"}]:
                             offset from the start of the data section; sha256 of the raw bytes
                    (any other keys: training metadata, ignored by the loader)
    16+L    ...   data section: the arrays' raw little-endian bytes

The prior's identity is ``sha256`` of the whole file (``Prior.sha256``), what
an archive header would name.  Loading needs numpy only; float16 arrays
widen to float32 exactly (every float16 is a float32), so loading is exact
and the same on every machine.

    prior = load("gru-e32-h256-v1")          # a name in this folder, or a path
    gru = Gru(hidden=prior.params["hidden"], embed=prior.params["embed"], ...)
    install_gru(prior, gru)                  # weights into gru.w, transposed copy rebuilt

In an archive: the model spec names a prior by *reference*, ``NAME.HASH``
(``ref(name)``: HASH is the first 12 hex digits of the file's sha256, e.g.
``gru-e32-h128-v2.0123456789ab``); ``require(reference)`` finds that exact
file or raises PriorError naming it (predictors/gru.py, key ``gp``).
"""
from __future__ import annotations

import hashlib
import json
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mixzip.codec.errors import UnsupportedModelError

MAGIC = b"MXZPRIOR"
FORMAT_VERSION = 1
FOLDER = Path(__file__).parent
DTYPES = ("<f4", "<f2")
MAX_HEADER = 1 << 20
REF_HASH = 12                     # hex digits of the sha256 in a reference
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_REF = re.compile(r"([A-Za-z0-9_-]{1,64})\.([0-9a-f]{%d})" % REF_HASH)


class PriorError(UnsupportedModelError):
    """A prior file is missing, malformed or does not fit the model (a
    MixzipError: an archive that needs a prior this installation lacks is
    refused with one line naming it)."""


@dataclass
class Prior:
    name: str
    model: str
    params: dict
    arrays: dict                      # name -> float32 ndarray (widened from storage)
    sha256: str                       # of the whole file
    meta: dict = field(default_factory=dict)


def dumps(name: str, model: str, params: dict, arrays: dict, dtype: str = "<f4", meta: dict | None = None) -> bytes:
    """The bytes of a prior file; arrays: name -> ndarray (stored as ``dtype``)."""
    if dtype not in DTYPES:
        raise PriorError(f"dtype must be one of {DTYPES}")
    entries, blobs, off = [], [], 0
    for key, a in arrays.items():
        raw = np.ascontiguousarray(a, dtype=dtype).tobytes()
        entries.append(dict(name=key, dtype=dtype, shape=list(np.shape(a)), offset=off,
                            sha256=hashlib.sha256(raw).hexdigest()))
        blobs.append(raw)
        off += len(raw)
    head = dict(meta or {})
    head.update(name=name, model=model, params=params, arrays=entries)
    hb = json.dumps(head, sort_keys=True, separators=(",", ":")).encode()
    return MAGIC + struct.pack("<II", FORMAT_VERSION, len(hb)) + hb + b"".join(blobs)


def loads(blob: bytes, source: str = "<bytes>") -> Prior:
    """Parse and check a prior file's bytes."""
    if len(blob) < 16 or blob[:8] != MAGIC:
        raise PriorError(f"{source}: not a mixzip prior file")
    ver, hl = struct.unpack_from("<II", blob, 8)
    if ver != FORMAT_VERSION:
        raise PriorError(f"{source}: prior format version {ver} is not supported (this mixzip reads {FORMAT_VERSION})")
    if hl > MAX_HEADER or 16 + hl > len(blob):
        raise PriorError(f"{source}: truncated prior header")
    try:
        head = json.loads(blob[16:16 + hl].decode("utf-8"))
        name, model, params, entries = head["name"], head["model"], head["params"], head["arrays"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise PriorError(f"{source}: malformed prior header ({exc})") from None
    data = memoryview(blob)[16 + hl:]
    arrays = {}
    for e in entries:
        try:
            dt, shape, off = e["dtype"], tuple(int(x) for x in e["shape"]), int(e["offset"])
        except (KeyError, TypeError, ValueError):
            raise PriorError(f"{source}: malformed array entry") from None
        if dt not in DTYPES or off < 0 or any(x < 0 for x in shape):
            raise PriorError(f"{source}: array {e.get('name')!r}: bad dtype or shape")
        n = int(np.prod(shape, dtype=np.int64)) * np.dtype(dt).itemsize
        raw = bytes(data[off:off + n])
        if len(raw) != n:
            raise PriorError(f"{source}: array {e['name']!r} is truncated")
        if hashlib.sha256(raw).hexdigest() != e.get("sha256"):
            raise PriorError(f"{source}: array {e['name']!r} fails its sha256 check")
        arrays[e["name"]] = np.frombuffer(raw, dtype=dt).reshape(shape).astype(np.float32)
    meta = {k: v for k, v in head.items() if k not in ("name", "model", "params", "arrays")}
    return Prior(name, model, params, arrays, hashlib.sha256(blob).hexdigest(), meta)


def path_of(name: str) -> Path:
    return FOLDER / f"{name}.mxp"


def available() -> list:
    """Names of the priors shipped in this folder."""
    return sorted(p.stem for p in FOLDER.glob("*.mxp"))


def load(name_or_path) -> Prior:
    """A shipped prior by name, or a prior file by path."""
    p = Path(name_or_path)
    if p.suffix != ".mxp":
        p = path_of(str(name_or_path))
    try:
        blob = p.read_bytes()
    except OSError:
        raise PriorError(f"prior {name_or_path!s} not found (shipped: {', '.join(available()) or 'none'})") from None
    return loads(blob, str(p))


def install_gru(prior: Prior, gru) -> None:
    """Copy a GRU prior's weights into ``gru`` (a predictors.gru.Gru) and
    rebuild its transposed copy.  Raises PriorError when the sizes differ.
    Adam's moments and the gradient stay as the constructor made them (zero)."""
    from mixzip.predictors.gru import G_E, G_H, gru_transpose, layout

    if prior.model != "gru":
        raise PriorError(f"prior {prior.name} is a {prior.model!r} model, not a GRU")
    e, h = int(gru.gc[G_E]), int(gru.gc[G_H])
    pe, ph = int(prior.params.get("embed", -1)), int(prior.params.get("hidden", -1))
    if (pe, ph) != (e, h):
        raise PriorError(f"prior {prior.name} is for a GRU with embed={pe}, hidden={ph}; this one has {e}, {h}")
    w = prior.arrays.get("w")
    if w is None or w.shape != (layout(e, h)["total"],):
        raise PriorError(f"prior {prior.name}: weight vector missing or of the wrong length")
    gru.w[:] = w
    gru_transpose(gru.gc, gru.w, gru.wt)


def gru_from_prior(prior: Prior, **kw):
    """A new Gru sized for the prior (kw: window, lr, olr, b1, b2, ...) holding its weights."""
    from mixzip.predictors.gru import Gru

    g = Gru(hidden=int(prior.params["hidden"]), embed=int(prior.params["embed"]), **kw)
    install_gru(prior, g)
    return g


# ---- references: how an archive names a prior

_LOADED: dict = {}                # path -> (mtime_ns, size, Prior)


def _cached(path: Path) -> Prior:
    st = path.stat()
    hit = _LOADED.get(path)
    if hit is None or hit[:2] != (st.st_mtime_ns, st.st_size):
        hit = (st.st_mtime_ns, st.st_size, loads(path.read_bytes(), str(path)))
        _LOADED[path] = hit
    return hit[2]


def check_ref(text: str) -> None:
    """ValueError unless ``text`` is a well-formed reference NAME.HASH."""
    if not _REF.fullmatch(text):
        raise ValueError(f"a prior reference is NAME.HASH ({REF_HASH} hex digits), not {text!r}")


def ref(name: str) -> str:
    """The reference of a shipped prior: ``NAME.`` + the first 12 hex digits of its sha256."""
    if not _NAME.fullmatch(name):
        raise PriorError(f"bad prior name {name!r}")
    try:
        prior = _cached(path_of(name))
    except OSError:
        raise PriorError(f"prior {name} not found (shipped: {', '.join(available()) or 'none'})") from None
    return f"{name}.{prior.sha256[:REF_HASH]}"


def require(reference: str) -> Prior:
    """The prior an archive names (``NAME.HASH``), checked against its hash;
    PriorError (one line, naming it) when it is not installed or differs."""
    m = _REF.fullmatch(reference)
    if not m:
        raise PriorError(f"bad prior reference {reference!r}")
    name, want = m.groups()
    try:
        prior = _cached(path_of(name))
    except OSError:
        raise PriorError(f"this archive needs the prior {name} (sha256 {want}...), which is not installed "
                         f"(installed: {', '.join(available()) or 'none'})") from None
    if prior.sha256[:REF_HASH] != want:
        raise PriorError(f"this archive needs the prior {name} with sha256 {want}..., the installed one has "
                         f"{prior.sha256[:REF_HASH]}...")
    return prior
