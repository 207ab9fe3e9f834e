"""Quotes proved by their sources: a source may name `archive:`, a copy of its text (plain
text or HTML) kept in `content/archive/`, and every quote cited from that source must then appear
in it, compared after normalising whitespace, quotation marks and dashes.

The archives are read on every build, straight from disk (see `check_quotes`): they are not
fact files, so the caches that skip unchanged fact files know nothing of them.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .diagnostics import Diagnostic
from .model import Source

if TYPE_CHECKING:
    from .validate import Checked

ARCHIVE_FOLDER = ("content", "archive")  # where copies of sources live, beside the fact files
ARCHIVE_SUFFIXES = (".txt", ".html", ".htm")
MAX_ARCHIVE_BYTES = 16 * 1024 * 1024
HINT_CHARS = 240  # the longest passage a hint shows

# Typographic variants of the same character, as copies of a text differ in them.
QUOTE_MARKS = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),  # invisible
    }
)
DASHES = re.compile(r"-{2,}")  # `--` typed for a dash reads as one


@dataclass(frozen=True)
class Quote:
    """A quote cited from a source, and where its text starts in the fact file."""

    source: str
    text: str
    where: Diagnostic  # the position, with an empty message


@dataclass(frozen=True)
class QuoteReport:
    """What checking the quotes found: the problems, the quotes proved, the sources with no
    archive, and the archive files read (the build's inputs besides the fact files)."""

    problems: tuple[Diagnostic, ...] = ()
    verified: int = 0
    unarchived: int = 0
    archives: tuple[str, ...] = ()
    read: bytes = b""  # what the archives held just before they were read: `archives_now`

    def holds(self, site_dir: Path) -> bool:
        """Whether the archives still hold what they held: for the same fact files, the
        report holds again, and a build need not load every file's quotes to check them."""
        return self.read == archives_now(site_dir, self.archives)


def normalise(text: str) -> str:
    """`text` as compared: compatibility forms folded (NFKC), straight quotation marks and
    hyphens for their typographic variants, one space for every run of whitespace."""
    folded = DASHES.sub("-", unicodedata.normalize("NFKC", text).translate(QUOTE_MARKS))
    return " ".join(folded.split())


def check_quotes(site_dir: Path, checked: Iterable[Checked]) -> QuoteReport:
    """Every quote of a source that names an archive, looked up in that archive (read from
    `site_dir` now, whatever any cache holds). Quotes of unknown sources are left to the
    cross-file checks, which report the unknown id."""
    checked = list(checked)
    sources = [c for c in checked if c.kind == "sources"]
    archives = {
        source.id: (source.archive, c.archive_at)
        for c in sources
        if (source := cast(Source, c.value)).archive
    }
    unarchived = len(sources) - len(archives)
    paths = tuple(sorted({path for path, _ in archives.values()}))  # missing ones too
    read = archives_now(site_dir, paths)  # before reading: a change meanwhile shows next time
    if not archives:
        return QuoteReport(unarchived=unarchived, read=read)
    problems: list[Diagnostic] = []
    texts = {
        source_id: text
        for source_id, (path, where) in archives.items()
        if (text := read_archive(site_dir, path, where, problems)) is not None
    }
    verified = 0
    indexes: dict[str, Words] = {}  # made only for archives that some quote is missing from
    for quote in (q for c in checked for q in c.quotes):
        text = texts.get(quote.source)
        if text is None:
            continue  # no archive, or one that could not be read (reported once, above)
        if normalise(quote.text) in text:
            verified += 1
            continue
        words = indexes.get(quote.source) or indexes.setdefault(quote.source, Words(text))
        problems.append(not_found(quote, archives[quote.source][0], words))
    return QuoteReport(tuple(problems), verified, unarchived, paths, read)


def archives_now(site_dir: Path, archives: Iterable[str]) -> bytes:
    """A digest of what these archives hold: where each leads and its bytes, or why they
    cannot be read. For the same fact files, a report whose archives still give its digest
    holds again, and the build need not load every file's quotes to check them."""
    found = hashlib.blake2b(digest_size=16)
    for relative in archives:
        file = site_dir / relative
        try:
            parts = [str(file.resolve()).encode(), read_file(file)]
        except (OSError, ValueError, RuntimeError) as error:  # RuntimeError: a link loop
            parts = [repr(error).encode()]
        for part in (relative.encode(), *parts):
            found.update(len(part).to_bytes(8, "little") + part)
    return found.digest()


def not_found(quote: Quote, path: str, words: Words) -> Diagnostic:
    w = quote.where
    message = f"quote not found in the archive of source '{quote.source}'"
    passage = words.closest_passage(normalise(quote.text))
    hint = f'closest passage in {path}: "{passage}"' if passage else f"{path} has no word of it"
    return Diagnostic(w.path, w.line, w.col, message, hint)


def read_archive(
    site_dir: Path, relative: str, where: Diagnostic | None, problems: list[Diagnostic]
) -> str | None:
    """An archive's text, normalised (HTML as the words a reader sees); None, with a
    diagnostic at the source's `archive:` value, when it cannot be read."""
    w = where or Diagnostic(relative, 0, 0, "")

    def problem(message: str, hint: str) -> None:
        problems.append(Diagnostic(w.path, w.line, w.col, message, hint))

    file = site_dir / relative
    if site_dir.joinpath(*ARCHIVE_FOLDER).resolve() not in file.resolve().parents:
        hint = "keep the copy itself in content/archive/, not a link to a file elsewhere"
        problem(f"archive {relative} leads outside content/archive/", hint)
        return None
    try:
        data = read_file(file)
    except FileNotFoundError:
        hint = "save a copy of the source's text there (plain text or HTML), or remove 'archive'"
        problem(f"archive file not found: {relative}", hint)
        return None
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        problem(f"cannot read archive {relative}: {reason}", "make it a readable text file")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problem(f"archive {relative} is not UTF-8 text", "save it as UTF-8")
        return None
    is_html = relative.lower().endswith((".html", ".htm"))
    return normalise(html_text(text) if is_html else text)


def read_file(file: Path) -> bytes:
    """A regular file's bytes, up to the size limit (a named pipe must not block the build)."""
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > MAX_ARCHIVE_BYTES:
            raise ValueError(f"larger than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MiB")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(MAX_ARCHIVE_BYTES + 1)
    finally:
        os.close(fd)


# Elements that break a line: their text never runs into the next element's.
# fmt: off
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th",
    "tr", "ul",
})
# fmt: on
HIDDEN = frozenset({"script", "style", "template", "head"})


class TextOfHTML(HTMLParser):
    """The text a reader sees: character references resolved, scripts and styles skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = TextOfHTML()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


class Words:
    """An archive's words, indexed, to find the passage closest to a quote that is not there."""

    VOTES = 2000  # how many word positions one search may weigh

    def __init__(self, text: str) -> None:
        self.words = text.split()
        self.keys = [word_key(w) for w in self.words]
        self.at: dict[str, list[int]] = {}
        for i, key in enumerate(self.keys):
            self.at.setdefault(key, []).append(i)

    def closest_passage(self, quote: str) -> str:
        """The run of words, as many as the quote's, most like it (words compare without
        case or surrounding punctuation): each word the quote shares votes for where the
        quote would start, rarest words first, and the likeliest starts are compared. ''
        when they share no word."""
        wanted = [word_key(w) for w in quote.split()]
        n, votes, budget = len(wanted), Counter[int](), self.VOTES
        for i, key in sorted(enumerate(wanted), key=lambda iw: len(self.at.get(iw[1], ()))):
            positions = self.at.get(key, [])
            if votes and len(positions) > budget:
                break  # a word this common says little about where the passage is
            budget -= len(positions)
            votes.update(p - i for p in positions[: self.VOTES])
        if not votes:
            return ""

        def likeness(first: int) -> tuple[float, int]:
            ratio = difflib.SequenceMatcher(None, self.keys[first : first + n], wanted).ratio()
            return ratio, votes[first]

        starts = {max(0, s + d) for s, _ in votes.most_common(3) for d in (-1, 0, 1)}
        first = max(sorted(starts), key=likeness)
        passage = " ".join(self.words[first : first + n])
        return passage if len(passage) <= HINT_CHARS else passage[: HINT_CHARS - 1] + "\u2026"


def closest_passage(archive: str, quote: str) -> str:
    """The passage of `archive` (normalised text) closest to `quote` (see `Words`)."""
    return Words(archive).closest_passage(quote)


def word_key(word: str) -> str:
    return word.strip(string.punctuation).lower()
