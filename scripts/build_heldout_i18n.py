#!/usr/bin/env python3
"""A held-out set of text in many scripts, from this machine's message catalogues (gettext .mo files).

    python scripts/build_heldout_i18n.py --out /work/heldi18n

For choosing models of non-English text (the UTF-8 word contexts u1/u2 of
contexts.py) on data that is neither a benchmark file nor from a benchmark's
source.  Each file is cut to at most 600 KB at a line end.  Sources: the
Debian packages' compiled catalogues under /usr/share/locale (a missing
catalogue or language is skipped; another machine image gives files of the
same kinds):

    gtk_i18n.json       libgtk2.0-common's gtk20.mo and gtk20-properties.mo: each English
                        message with its translations in ten languages (a JSON i18n table)
    glib_i18n.ndjson    libglib2.0-data's glib20.mo: one message per line with its translations
    coreutils_ru.po     coreutils.mo, Russian, written back as a .po file (msgid / msgstr)
    coreutils_ja.po     the same, Japanese
    iso_names.txt       iso-codes' iso_3166.mo and iso_639.mo: "code<TAB>name" lines in
                        Greek, Ukrainian, Korean, Hindi, Hebrew and Chinese
"""
from __future__ import annotations

import argparse
import gettext
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from heldout_files import write_all  # noqa: E402

LOCALE = "/usr/share/locale"
CAP = 600_000
LANGS = ("ru", "ja", "zh_CN", "ar", "de", "el", "ko", "uk", "he", "hi")


def catalog(domain: str, lang: str) -> dict:
    path = f"{LOCALE}/{lang}/LC_MESSAGES/{domain}.mo"
    if not os.path.exists(path):
        return {}
    with open(path, "rb") as f:
        cat = gettext.GNUTranslations(f)._catalog
    # plural forms are keyed (msgid, n): keep the first form; drop the header (msgid "")
    return {(k[0] if isinstance(k, tuple) else k): v for k, v in sorted(cat.items(), key=lambda kv: str(kv[0]))
            if (k[0] if isinstance(k, tuple) else k) and (not isinstance(k, tuple) or k[1] == 0)}



def table(domains: tuple[str, ...]) -> dict:
    cats = {lang: {} for lang in LANGS}
    for d in domains:
        for lang in LANGS:
            cats[lang].update(catalog(d, lang))
    keys = sorted({k for c in cats.values() for k in c})
    return {k: {lang: cats[lang][k] for lang in LANGS if k in cats[lang]} for k in keys}


def po(domain: str, lang: str) -> bytes:
    out = []
    for k, v in catalog(domain, lang).items():
        out.append(f"msgid {json.dumps(k, ensure_ascii=False)}\nmsgstr {json.dumps(v, ensure_ascii=False)}\n\n")
    return "".join(out).encode()


def names() -> bytes:
    out = []
    for lang in ("el", "uk", "ko", "hi", "he", "zh_CN"):
        for d in ("iso_3166", "iso_639"):
            for k, v in catalog(d, lang).items():
                out.append(f"{lang}\t{k}\t{v}\n")
    return "".join(out).encode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    files = {
        "gtk_i18n.json": lambda: json.dumps(table(("gtk20", "gtk20-properties")), ensure_ascii=False,
                                            indent=2).encode() + b"\n",
        "glib_i18n.ndjson": lambda: "".join(json.dumps({"msgid": k, **v}, ensure_ascii=False) + "\n"
                                            for k, v in table(("glib20",)).items()).encode(),
        "coreutils_ru.po": lambda: po("coreutils", "ru"),
        "coreutils_ja.po": lambda: po("coreutils", "ja"),
        "iso_names.txt": names,
    }
    write_all(args.out, files, CAP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
