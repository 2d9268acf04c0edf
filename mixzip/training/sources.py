"""The training corpus's sources: public packages pinned by name and version.

Each source is one package from a registry reachable with the ordinary clients
(Debian's archive through ``apt-get download``, PyPI through ``pip download
--no-binary :all:``), and a list of selectors ``(glob, kind, cap)``: the files
of the unpacked package whose path (compression suffix .gz removed) matches
``glob`` (fnmatch; ``*`` also matches ``/``) are taken under ``kind``, in a
fixed pseudo-random order (sha256 of the path), until ``cap`` bytes.  A file
goes to the first selector it matches.

What is kept out (never add these): any file of the Canterbury, Calgary,
Silesia or enwik corpora, and the packages they came from or share text with:
findutils (xargs.1 is a Canterbury file), Project Gutenberg texts (alice29,
lcet10, plrabn12, Silesia's dickens), Shakespeare collections (asyoulik),
bible-kjv (Canterbury large set), dict-gcide / Webster 1913 (Silesia's
webster), samba (Silesia's samba); and the packages of other benchmark
inputs listed in /work/COORD.md: python3.11-doc, postgresql-doc-15, git-doc
and perl-modules-5.36 (issue 17's debian-docs), bokeh-sampledata,
license-expression, emoji, botocore (issue 19's structured corpus).  ``EXCLUDE`` names files found to share a
64-byte window with a Canterbury file (mixzip/tests/test_training_corpus.py).
"""
from __future__ import annotations

from typing import NamedTuple

MB = 1 << 20


class Source(NamedTuple):
    origin: str          # "deb" or "pypi"
    package: str
    version: str
    select: tuple        # ((glob, kind, cap_bytes), ...)


def S(origin, package, version, *select):
    return Source(origin, package, version, tuple(select))


F = "usr/share/games/fortunes/"
SOURCES = (
    # ---- prose: English
    S("deb", "fortunes", "1:1.99.1-7.3", (F + "*", "prose", 3 * MB)),
    S("deb", "jargon-text", "4.4.7-4.1", ("*/jargon.txt", "prose", 2 * MB)),
    S("deb", "debian-reference-en", "2.100", ("*.txt", "docs", 2 * MB)),
    S("deb", "gnu-standards", "2022.03.23-0.1", ("*.text", "docs", 1 * MB)),
    # ---- prose: other languages
    S("deb", "fortunes-de", "0.35-1", (F + "de/*", "prose-intl", 1 * MB)),
    S("deb", "fortunes-es", "1.36", (F + "es/*", "prose-intl", 1 * MB)),
    S("deb", "fortunes-it", "1.99-4.1", (F + "it/*", "prose-intl", 1 * MB)),
    S("deb", "fortunes-ru", "1.52-3.1", (F + "ru/*", "prose-intl", 1 * MB)),
    S("deb", "fortunes-pl", "0.0.20130525-3", (F + "pl/*", "prose-intl", 1 * MB)),
    S("deb", "debian-reference-de", "2.100", ("*.txt", "prose-intl", 2 * MB)),
    S("deb", "debian-reference-fr", "2.100", ("*.txt", "prose-intl", 2 * MB)),
    S("deb", "debian-reference-es", "2.100", ("*.txt", "prose-intl", 2 * MB)),
    S("deb", "debian-reference-ja", "2.100", ("*.txt", "prose-intl", 2 * MB)),
    # ---- technical documentation (text, reST, asciidoc, vim help)
    S("deb", "debian-policy", "4.6.2.0", ("*.txt", "docs", 1536 * 1024), ("*.html", "html", 1 * MB)),
    S("deb", "developers-reference", "12.18", ("*.txt", "docs", 1 * MB)),
    S("deb", "sphinx-doc", "5.3.0-4", ("*/_sources/*.txt", "docs", 2 * MB), ("*.html", "html", 1 * MB)),
    S("deb", "nodejs-doc", "18.20.4+dfsg-1~deb12u3", ("*.md", "markdown", 3 * MB), ("*.json", "json", 2 * MB),
      ("*.html", "html", 1 * MB)),
    S("deb", "vim-runtime", "2:9.0.1378-2+deb12u2", ("*/doc/*.txt", "docs", 2 * MB), ("*.vim", "code-vim", 1 * MB)),
    # ---- man pages (roff)
    S("deb", "manpages", "6.03-2", ("usr/share/man/*", "roff", 3 * MB)),
    S("deb", "manpages-dev", "6.03-2", ("usr/share/man/*", "roff", 3 * MB)),
    S("deb", "manpages-de", "4.18.1-1", ("usr/share/man/*", "roff-intl", 1 * MB)),
    S("deb", "manpages-fr", "4.18.1-1", ("usr/share/man/*", "roff-intl", 1 * MB)),
    S("deb", "manpages-es", "4.18.1-1", ("usr/share/man/*", "roff-intl", 1 * MB)),
    S("deb", "manpages-ja", "0.5.0.0.20221215+dfsg-1", ("usr/share/man/*", "roff-intl", 1 * MB)),
    S("deb", "manpages-ru", "4.18.1-1", ("usr/share/man/*", "roff-intl", 1 * MB)),
    # ---- TeX, Markdown
    S("deb", "texlive-latex-base", "2022.20230122-3", ("*.sty", "tex", 2 * MB), ("*.cls", "tex", 1 * MB),
      ("*.tex", "tex", 1 * MB), ("*.ltx", "tex", 1 * MB)),
    # ---- HTML, XML
    S("deb", "debian-handbook", "11.20220922", ("*/html/en-US/*.html", "html", 2 * MB),
      ("*/html/de-DE/*.html", "html-intl", 1 * MB), ("*/html/fr-FR/*.html", "html-intl", 1 * MB),
      ("*.svg", "xml", 1 * MB)),
    S("deb", "r-doc-html", "4.2.2.20221110-2", ("*.html", "html", 1 * MB)),
    S("deb", "shared-mime-info", "2.2-1", ("*/freedesktop.org.xml", "xml", 3 * MB)),
    # ---- data: JSON, CSV, tables
    S("deb", "iso-codes", "4.15.0-1", ("*.json", "json", 4 * MB), ("*.xml", "xml", 1 * MB)),
    S("deb", "ieee-data", "20220827.1", ("*.csv", "csv", 3 * MB), ("*.txt", "data", 1 * MB)),
    S("deb", "distro-info-data", "0.58+deb12u7", ("*.csv", "csv", 1 * MB)),
    S("deb", "unicode-data", "15.0.0-1", ("*/UnicodeData.txt", "csv", 2 * MB), ("*.txt", "data", 2 * MB)),
    S("deb", "hwdata", "0.368-1", ("*.ids", "data", 1 * MB)),
    # ---- logs
    S("deb", "fail2ban", "1.0.2-2", ("*/tests/files/logs/*", "log", 2 * MB), ("*/tests/files/*.log", "log", 1 * MB),
      ("*.py", "python", 1 * MB), ("etc/*", "config", 1 * MB)),
    # ---- source code
    S("deb", "libc6-dev", "2.36-9+deb12u14", ("*.h", "c", 2 * MB)),
    S("deb", "linux-libc-dev", "6.1.192-3", ("*.h", "c", 2 * MB)),
    S("deb", "libstdc++-12-dev", "12.2.0-14+deb12u1", ("usr/include/*", "cpp", 3 * MB)),
    S("deb", "libeigen3-dev", "3.4.0-4", ("usr/include/*", "cpp", 2 * MB)),
    S("deb", "libpython3.11-stdlib", "3.11.2-6+deb12u9", ("*.py", "python", 3 * MB)),
    S("deb", "libjs-jquery", "3.6.1+dfsg+~3.5.14-1", ("*/jquery.js", "javascript", 1 * MB)),
    S("deb", "libjs-d3", "3.5.17-4", ("*/d3.js", "javascript", 1 * MB)),
    S("deb", "node-lodash", "4.17.21+dfsg+~cs8.31.198.20210220-9+deb12u1", ("*.js", "javascript", 2 * MB),
      ("*.ts", "typescript", 1 * MB), ("*.json", "json", 256 * 1024)),
    S("deb", "node-acorn", "8.8.1+ds+~cs25.17.7-2", ("*.js", "javascript", 1 * MB), ("*.md", "markdown", 1 * MB),
      ("*.json", "json", 256 * 1024)),
    S("deb", "node-typescript", "4.8.4+ds1-2", ("*.d.ts", "typescript", 2 * MB)),
    S("deb", "emacs-el", "1:28.2+1-15+deb12u4", ("*.el", "lisp", 4 * MB)),
    S("deb", "elpa-magit", "3.3.0-2", ("*.el", "lisp", 1 * MB), ("*.org", "markdown", 1 * MB)),
    S("deb", "cl-alexandria", "20211025.gita67c3a6-1", ("*.lisp", "lisp", 1 * MB)),
    S("deb", "cl-ppcre", "20220126.gitb4056c5-1", ("*.lisp", "lisp", 1 * MB)),
    S("deb", "guile-3.0-libs", "3.0.8-2", ("*.scm", "scheme", 2 * MB)),
    S("deb", "scheme9", "2018.12.05-2", ("*.scm", "scheme", 1 * MB)),
    S("deb", "bash-completion", "1:2.11-6", ("usr/share/bash-completion/*", "shell", 2 * MB)),
    S("deb", "libmojolicious-perl", "9.31+dfsg-1", ("*.pm", "perl", 2 * MB), ("*.pod", "docs", 512 * 1024)),
    S("deb", "bash-doc", "5.2.15-2", ("usr/share/doc/bash/examples/*", "shell", 1 * MB)),
    S("deb", "libruby3.1", "3.1.7+really3.1.2-0+deb12u1", ("*.rb", "ruby", 2 * MB)),
    S("deb", "golang-1.19-src", "1.19.8-2", ("*.go", "go", 3 * MB), ("*.c", "c", 512 * 1024),
      ("*.s", "asm", 512 * 1024)),
    S("deb", "rust-src", "1.63.0+dfsg1-2", ("*.rs", "rust", 2 * MB), ("*.md", "markdown", 2 * MB),
      ("*.toml", "config", 256 * 1024)),
    S("deb", "tcllib", "1.21+dfsg-1", ("*.tcl", "tcl", 2 * MB), ("*.md", "markdown", 512 * 1024)),
    S("deb", "tzdata", "2026f-0+deb12u1", ("*.tab", "data", 256 * 1024)),
    # ---- PyPI source distributions
    S("pypi", "Django", "4.2.16", ("*.po", "po", 3 * MB), ("*.py", "python", 2 * MB),
      ("docs/*.txt", "docs", 2 * MB), ("*/templates/*.html", "html", 512 * 1024),
      ("*/static/*.js", "javascript", 1 * MB), ("*/static/*.css", "css", 512 * 1024)),
    S("pypi", "zstandard", "0.23.0", ("*.c", "c", 3 * MB), ("*.h", "c", 1 * MB), ("*.py", "python", 512 * 1024)),
    S("pypi", "Pygments", "2.18.0", ("tests/examplefiles/*", "code-mixed", 4 * MB),
      ("pygments/*.py", "python", 512 * 1024)),
)

# Licences of packages whose doc folder is a symlink to another binary package
# of the same source (so the .deb carries no copyright file), or whose copyright
# file names no licence: read from that copyright file by hand.
LICENCES = {
    "libpython3.11-stdlib": "PSF-2.0",
    "libstdc++-12-dev": "GPL-3+ with GCC Runtime Library Exception",
    "manpages-dev": "per page (Verbatim, GPL-2+, BSD, ...: man-pages project)",
    "manpages-ja": "per page, as the original man pages (JM Project)",
}

# Files kept out (fnmatch globs on origin/package/path) because a 64-byte window
# of theirs is in a Canterbury file, found by the contamination test
# (mixzip/tests/test_training_corpus.py): a run of 64+ asterisks, as in
# lcet10.txt.  docbook-xsl was dropped for the same reason (its stylesheets'
# comment banners are such runs).
EXCLUDE: tuple = (
    "deb/sphinx-doc/*/_sources/tutorial/describing-code.rst.txt",
)
