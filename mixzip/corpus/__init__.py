"""Test corpora: where they are, what they must contain, and a built-in sample.

The corpus files themselves never live in this repository.  ``manifest.tsv``
(package data, beside this file) lists each standard corpus file by name,
size and - where known - sha256:

    corpus      files  sha256   total bytes
    canterbury  11     yes        2 810 784
    calgary     14     no         3 141 622   (the 14-file standard set)
    silesia     12     no       211 938 580
    structured   8     yes        (built by scripts/build_structured_corpus.py
                                   from pinned PyPI wheels; JSON, NDJSON,
                                   CSV, TSV, GeoJSON)

Locating a corpus ``NAME`` (``corpus_dir``): the first of these directories
that holds every manifest file of ``NAME`` with the manifest size wins:

    1. $MIXZIP_CORPUS_DIR/NAME
    2. ./../shared/corpus/NAME         (relative to the current directory)
    3. ./../../shared/corpus/NAME
    4. <ancestor>/shared/corpus/NAME   for the first few ancestors of this
                                       package (the ``shared`` folder beside
                                       the repository)
    5. <user cache>/NAME               ``user_cache_dir()``:
                                       $XDG_CACHE_HOME/mixzip/corpus, default
                                       ~/.cache/mixzip/corpus; where
                                       scripts/build_structured_corpus.py
                                       writes the generated ``structured``
                                       corpus by default

Finding a corpus only looks at sizes (one ``stat`` per file).  ``load``
reads the files and checks each sha256 the manifest gives; a mismatch raises
``CorpusError`` naming the file.

``sample()`` is a small corpus (~260 KB) the project generates itself, so
benchmarks and tests run anywhere: English-like text, an NDJSON log, C-like
source, a table of fixed-width binary records and random bytes.  It uses only
``random.Random(seed)`` integer draws (``randrange``, ``getrandbits``) and
integer arithmetic, so it is byte-identical on every machine and Python
version; the test suite pins its sha256.

``resolve`` picks what ``mixzip bench`` measures: explicit files (or
directories, or corpus names) first, else ``--corpus NAME``, else canterbury
if present, else the sample.

Every function returns files as ``(name, data)`` pairs, ``name`` being the
file name inside its corpus (or the path as given, for explicit files).
"""
from __future__ import annotations

import bisect
import hashlib
import os
import random
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

from mixzip.codec.errors import MixzipError

ENV_VAR = "MIXZIP_CORPUS_DIR"
SAMPLE = "sample"
DEFAULT_CORPUS = "canterbury"
SAMPLE_SEED = 20240229

__all__ = [
    "CorpusError", "Entry", "manifest", "names", "search_dirs", "user_cache_dir", "corpus_dir", "files",
    "load", "sample", "default_name", "resolve",
]


class CorpusError(MixzipError):
    """A corpus is unknown, missing, or its files do not match the manifest."""


@dataclass(frozen=True)
class Entry:
    """One manifest line: a file of a standard corpus."""
    corpus: str
    name: str
    size: int
    sha256: str      # lowercase hex, or "" when the manifest does not know it
    origin: str


# --------------------------------------------------------------------------
# manifest

@lru_cache(maxsize=None)
def _manifest() -> dict[str, tuple[Entry, ...]]:
    text = resources.files(__name__).joinpath("manifest.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].split("\t") != ["corpus", "name", "bytes", "sha256", "origin"]:
        raise CorpusError("corpus manifest.tsv has an unexpected header")
    out: dict[str, list[Entry]] = {}
    for line in lines[1:]:
        if not line.strip():
            continue
        corpus, name, size, sha, origin = line.split("\t")
        out.setdefault(corpus, []).append(Entry(corpus, name, int(size), sha.lower(), origin))
    return {k: tuple(v) for k, v in out.items()}


def manifest(name: str) -> list[Entry]:
    """The manifest entries of corpus ``name``, in manifest order."""
    try:
        return list(_manifest()[name])
    except KeyError:
        raise CorpusError(f"unknown corpus '{name}' (known: {', '.join(names())})") from None


def names() -> list[str]:
    """Names of all known corpora: the manifest's, then 'sample'."""
    return list(_manifest()) + [SAMPLE]


# --------------------------------------------------------------------------
# locating

def user_cache_dir() -> Path:
    """The per-user folder for generated corpora: $XDG_CACHE_HOME/mixzip/corpus
    (default ~/.cache/mixzip/corpus)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mixzip" / "corpus"


def search_dirs(name: str) -> list[Path]:
    """The candidate directories for corpus ``name``, in search order."""
    dirs = []
    env = os.environ.get(ENV_VAR)
    if env:
        dirs.append(Path(env) / name)
    cwd = Path.cwd()
    dirs.append(cwd / ".." / "shared" / "corpus" / name)
    dirs.append(cwd / ".." / ".." / "shared" / "corpus" / name)
    for ancestor in Path(__file__).resolve().parents[2:6]:
        dirs.append(ancestor / "shared" / "corpus" / name)
    dirs.append(user_cache_dir() / name)
    unique: list[Path] = []
    for d in dirs:
        d = Path(os.path.normpath(os.path.abspath(d)))
        if d not in unique:
            unique.append(d)
    return unique


def _complete(directory: Path, entries: Iterable[Entry]) -> bool:
    try:
        return all((directory / e.name).stat().st_size == e.size for e in entries)
    except OSError:
        return False


def corpus_dir(name: str) -> Path | None:
    """The directory holding corpus ``name`` (all files, right sizes), or None.

    Raises CorpusError for a name not in the manifest.  The sample corpus has
    no directory (it is generated): None.
    """
    if name == SAMPLE:
        return None
    entries = manifest(name)
    for d in search_dirs(name):
        if _complete(d, entries):
            return d
    return None


def files(name: str) -> list[Path]:
    """Paths of the files of corpus ``name``, in manifest order.

    Raises CorpusError if the corpus is unknown or not present.
    """
    if name == SAMPLE:
        raise CorpusError("the sample corpus is generated in memory and has no files; use load('sample')")
    d = corpus_dir(name)
    if d is None:
        where = ", ".join(str(p) for p in search_dirs(name))
        raise CorpusError(f"corpus '{name}' not found with the manifest's file sizes "
                          f"(looked in {where}); set {ENV_VAR} to the folder that contains '{name}/'")
    return [d / e.name for e in manifest(name)]


def load(name: str) -> list[tuple[str, bytes]]:
    """Read corpus ``name`` as [(file name, data)], checking each sha256.

    ``load('sample')`` returns ``sample()``.  Raises CorpusError if the corpus
    is missing or a file's size or sha256 does not match the manifest.
    """
    if name == SAMPLE:
        return sample()
    out = []
    for path, entry in zip(files(name), manifest(name)):
        data = path.read_bytes()
        if len(data) != entry.size:
            raise CorpusError(f"{path}: {len(data)} bytes, the {name} manifest says {entry.size}")
        if entry.sha256:
            digest = hashlib.sha256(data).hexdigest()
            if digest != entry.sha256:
                raise CorpusError(f"{path}: sha256 {digest} does not match the {name} manifest "
                                  f"({entry.sha256}); the file is damaged or a different version")
        out.append((entry.name, data))
    return out


# --------------------------------------------------------------------------
# the generated sample corpus

WORDS = (
    "the of and to a in is it you that he was for on are with as his they be at one have this from "
    "or had by hot word but what some we can out other were all there when up use your how said an "
    "each she which do their time if will way about many then them write would like so these her "
    "long make thing see him two has look more day could go come did number sound no most people my "
    "over know water than call first who may down side been now find any new work part take get "
    "place made live where after back little only round man year came show every good me give our "
    "under name very through just form sentence great think say help low line differ turn cause much "
    "mean before move right boy old too same tell does set three want air well also play small end "
    "put home read hand port large spell add even land here must big high such follow act why ask "
    "men change went light kind off need house picture try us again animal point mother world near "
    "build self earth father head stand own page should country found answer school grow study still "
    "learn plant cover food sun four between state keep eye never last let thought city tree cross "
    "farm hard start might story saw far sea draw left late run while press close night real life "
    "few north open seem together next white children begin got walk example ease paper group always "
    "music those both mark often letter until mile river car feet care second book carry took science"
).split()


class _Rng:
    """Integer-only draws from random.Random: identical on every machine and version."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def below(self, n: int) -> int:
        return self.r.randrange(n)

    def between(self, lo: int, hi: int) -> int:
        """Uniform in lo..hi inclusive."""
        return lo + self.r.randrange(hi - lo + 1)

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def weighted(self, cumulative: list[int]) -> int:
        """Index drawn with integer cumulative weights."""
        return bisect.bisect_right(cumulative, self.r.randrange(cumulative[-1]))

    def chance(self, num: int, den: int) -> bool:
        return self.r.randrange(den) < num

    def bytes(self, n: int) -> bytes:
        return self.r.getrandbits(8 * n).to_bytes(n, "little") if n else b""


def _zipf(n: int) -> list[int]:
    cum, total = [], 0
    for rank in range(n):
        total += 1_000_000 // (rank + 1)
        cum.append(total)
    return cum


def _text(rng: _Rng, target: int) -> bytes:
    """Paragraphs of English-like sentences, Zipf word frequencies, wrapped at 72."""
    zipf = _zipf(len(WORDS))
    lines: list[str] = []
    size = 0
    while size < target:
        words = []
        for _ in range(rng.between(3, 8)):                      # sentences per paragraph
            sentence = []
            for _ in range(rng.between(4, 18)):
                word = WORDS[rng.weighted(zipf)]
                while sentence and word == sentence[-1]:
                    word = WORDS[rng.weighted(zipf)]
                sentence.append(word)
            sentence[0] = sentence[0].capitalize()
            for i in range(1, len(sentence) - 1):
                if rng.chance(1, 12):
                    sentence[i] += ","
            sentence[-1] += rng.pick(".....?!")
            words += sentence
        paragraph, line = [], ""
        for w in words:
            if line and len(line) + 1 + len(w) > 72:
                paragraph.append(line)
                line = w
            else:
                line = f"{line} {w}" if line else w
        paragraph += [line, ""]
        lines += paragraph
        size += sum(len(x) + 1 for x in paragraph)
    return "\n".join(lines).encode("ascii")


def _log(rng: _Rng, target: int) -> bytes:
    """NDJSON request log: increasing timestamps, a few services, ids, statuses."""
    services = ("api", "auth", "billing", "search", "worker")
    methods = ("GET", "GET", "GET", "POST", "PUT", "DELETE")
    paths = ("/v1/items", "/v1/users", "/v1/orders", "/v1/search", "/healthz", "/v1/login")
    statuses = (200, 200, 200, 200, 201, 204, 304, 400, 401, 404, 500)
    msgs = ("request done", "request done", "cache miss", "slow query", "retrying upstream")
    t = 1_709_251_200_000                                        # 2024-03-01T00:00:00Z, in ms
    out, size = [], 0
    while size < target:
        t += rng.between(1, 2500)
        sec, ms = divmod(t, 1000)
        day, rem = divmod(sec - 1_709_251_200, 86400)
        stamp = f"2024-03-{1 + day:02d}T{rem // 3600:02d}:{rem // 60 % 60:02d}:{rem % 60:02d}.{ms:03d}Z"
        status = rng.pick(statuses)
        level = "ERROR" if status >= 500 else "WARN" if status >= 400 else "INFO"
        path = rng.pick(paths)
        if path not in ("/healthz", "/v1/login", "/v1/search"):
            path += f"/{rng.between(1, 99999)}"
        line = (f'{{"ts":"{stamp}","level":"{level}","service":"{rng.pick(services)}",'
                f'"msg":"{rng.pick(msgs)}","method":"{rng.pick(methods)}","path":"{path}",'
                f'"status":{status},"ms":{rng.between(0, 40) ** 2 // 7},'
                f'"req":"{rng.bytes(6).hex()}","user":{rng.between(1, 500)}}}')
        out.append(line)
        size += len(line) + 1
    return ("\n".join(out) + "\n").encode("ascii")


def _source(rng: _Rng, target: int) -> bytes:
    """C-like source: commented functions built from a few statement templates."""
    types = ("int", "long", "unsigned", "size_t", "uint32_t", "double")
    ops = ("+=", "-=", "^=", "|=", "*=")
    zipf = _zipf(len(WORDS))

    def ident() -> str:
        return "_".join(WORDS[rng.weighted(zipf)] for _ in range(rng.between(1, 3)))

    out = ['#include <stdint.h>', '#include <stddef.h>', '', '#define FLAG_FAST 0x01',
           '#define FLAG_SAFE 0x02', '', 'struct ctx { uint32_t flags; int depth; const uint8_t *buf; };', '']
    size = sum(len(x) + 1 for x in out)
    while size < target:
        name, a, b = ident(), ident(), ident()
        body = [f"/* {name}: {' '.join(WORDS[rng.weighted(zipf)] for _ in range(rng.between(3, 9)))} */",
                f"static {rng.pick(types)} {name}(const struct ctx *c, {rng.pick(types)} {a}, int {b})",
                "{", f"    {rng.pick(types)} acc = {rng.below(17)};", "    int i;", ""]
        for _ in range(rng.between(1, 4)):
            kind = rng.below(4)
            if kind == 0:
                body += [f"    for (i = 0; i < {b}; i++) {{",
                         f"        if (c->flags & FLAG_{rng.pick(('FAST', 'SAFE'))})",
                         f"            acc {rng.pick(ops)} {a} * i + {rng.below(256)};",
                         "        else",
                         f"            acc {rng.pick(ops)} c->buf[i & {rng.pick((15, 31, 63, 255))}];",
                         "    }"]
            elif kind == 1:
                body += [f"    if ({a} > {rng.below(1000)} && c->depth < {rng.below(64)})",
                         f"        return {ident()}(c, {a} - 1, {b});"]
            elif kind == 2:
                body += [f"    acc = (acc << {rng.between(1, 7)}) ^ (acc >> {rng.between(1, 7)});"]
            else:
                body += ["    switch (c->depth) {"]
                for k in range(rng.between(2, 4)):
                    body += [f"    case {k}:", f"        acc {rng.pick(ops)} {rng.below(100)};", "        break;"]
                body += ["    default:", "        break;", "    }"]
        body += ["    return acc;", "}", ""]
        out += body
        size += sum(len(x) + 1 for x in body)
    return ("\n".join(out) + "\n").encode("ascii")


def _table(rng: _Rng, records: int) -> bytes:
    """Fixed-width little-endian records of 24 bytes:
    u32 id, u32 time, i16 temperature, u16 flags, i32 value, 8-byte tag."""
    tags = (b"sensor\0\0", b"valve\0\0\0", b"pump\0\0\0\0", b"meter\0\0\0")
    t, temp, value = 1_700_000_000, 200, 0
    out = bytearray()
    for rid in range(records):
        t += rng.between(1, 60)
        temp = max(-400, min(400, temp + rng.between(-3, 3)))
        value += rng.between(-1000, 1000)
        flags = rng.pick((0, 0, 0, 1, 2, 3, 0x100))
        out += rid.to_bytes(4, "little") + t.to_bytes(4, "little")
        out += temp.to_bytes(2, "little", signed=True) + flags.to_bytes(2, "little")
        out += value.to_bytes(4, "little", signed=True) + rng.pick(tags)
    return bytes(out)


@lru_cache(maxsize=4)
def _sample(seed: int) -> tuple[tuple[str, bytes], ...]:
    rng = _Rng(seed)
    return (
        ("text.txt", _text(rng, 100_000)),
        ("log.ndjson", _log(rng, 60_000)),
        ("source.c", _source(rng, 40_000)),
        ("table.bin", _table(rng, 1700)),
        ("random.bin", rng.bytes(16384)),
    )


def sample(seed: int = SAMPLE_SEED) -> list[tuple[str, bytes]]:
    """The generated sample corpus: [(file name, data)], ~260 KB, deterministic."""
    return list(_sample(seed))


# --------------------------------------------------------------------------
# what to benchmark

def default_name() -> str:
    """The corpus used when none is named: canterbury if present, else sample."""
    return DEFAULT_CORPUS if corpus_dir(DEFAULT_CORPUS) is not None else SAMPLE


def resolve(names_or_paths: Iterable[str | os.PathLike] = (), corpus: str | None = None
            ) -> list[tuple[str, bytes]]:
    """The files to benchmark, as [(name, data)].

    Each item of ``names_or_paths`` is a file (read as is, named by the path
    as given), a directory (its regular files, sorted, non-recursive) or, if
    no such path exists, a corpus name (loaded and verified).  Explicit items
    win; with none, ``corpus`` is loaded; with neither, canterbury if present,
    else the sample.  Raises CorpusError for an item that is neither a path
    nor a known corpus, an empty directory, or a named corpus that is absent.
    """
    items = list(names_or_paths)
    if not items:
        return load(corpus if corpus is not None else default_name())
    out: list[tuple[str, bytes]] = []
    for item in items:
        path = Path(item)
        if path.is_file():
            out.append((str(item), path.read_bytes()))
        elif path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file())
            if not found:
                raise CorpusError(f"{path}: directory has no files")
            out += [(str(p), p.read_bytes()) for p in found]
        elif str(item) in names():
            out += load(str(item))
        else:
            raise CorpusError(f"{item}: no such file, directory or corpus (corpora: {', '.join(names())})")
    return out
