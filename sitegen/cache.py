"""What one run leaves for the next, under `.sitegen-cache/`: the last good build (its files,
content and dependency record: a `State`) and the fragments pages are joined from.

Nothing in it is trusted beyond what it was computed from: files are known again by their
stat and digest (see `sitegen.scan`), outputs by the record (see `sitegen.depends`), and
fragments by their inputs' values; each file holds the digest of the sitegen that wrote it,
whose code may have read or rendered the same files differently. Files are signed with a
key kept outside the site (see `sitegen.signing`), so a cache that came with a site from
elsewhere is ignored, never unpickled.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import pickle
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__
from .depends import Record
from .diagnostics import Diagnostic
from .layout import Layout
from .model import Content
from .quotes import QuoteReport
from .route import Paths
from .scan import Facts, Scanned, Stat, as_stat, digest, file_stat
from .shelf import Deferred, Later
from .signing import load_signed, save_signed
from .validate import Checked
from .vocabulary import DEFAULT, Words

__all__ = ["CACHE_DIR", "Body", "Stat", "State", "as_stat", "file_stat", "load", "save"]

CACHE_DIR = ".sitegen-cache"
FORMAT = 6  # bump when what the cache holds changes shape


@dataclass(frozen=True)
class Body:
    """What a build reads of the last good one only when something changed: the content,
    the dependency record, the layout, the checked documents."""

    content: Content | None = None  # before the command line's options
    paths: Paths = field(default_factory=dict)  # see `assemble.paths`
    record: Record = field(default_factory=Record)
    layout: Layout | None = None  # where the milestones are listed (see `layout.Layout`)
    docs: Mapping[str, Checked] = field(default_factory=dict)  # see `scan.Facts`


@dataclass(frozen=True)
class State:
    """A good build: the files it read, what it made of them and said, and (in `body`,
    loaded when first read) the content they made and what each output read. A build
    that finds nothing changed reads the rest alone: a tenth of the bytes."""

    files: Mapping[str, Scanned] = field(default_factory=dict)  # the fact files as read
    words: Words = DEFAULT  # the words they were read with (see `scan.Facts`)
    theme: Mapping[str, Scanned] = field(default_factory=dict)  # templates and assets
    outputs: Mapping[str, Mapping[str, Stat]] = field(default_factory=dict)  # folder → written
    made: frozenset[str] = frozenset()  # every output, as the record lists them
    quotes: QuoteReport = field(default_factory=QuoteReport)
    drafts: bool = False  # whether it showed drafts: a record holds for such builds alone
    urls: tuple[str | None, str | None] = (None, None)  # the command line's base and site URL
    untagged: tuple[Diagnostic, ...] = ()  # labels of tags nothing carries (drafts count)
    unused: tuple[Diagnostic, ...] = ()  # templates no page uses
    warnings: tuple[Diagnostic, ...] = ()  # all it warned of, these two among them
    body: Deferred[Body] = field(default_factory=lambda: Deferred(Body()))

    @property
    def facts(self) -> Facts:
        return Facts(self.files, DocsOf(self.body), self.words)

    @property
    def content(self) -> Content | None:
        return self.body.value.content

    @property
    def paths(self) -> Paths:
        return self.body.value.paths

    @property
    def record(self) -> Record:
        return self.body.value.record

    @property
    def layout(self) -> Layout | None:
        return self.body.value.layout


class DocsOf(Later[Checked]):
    """The checked documents of a state's body, loaded when first read."""

    def __init__(self, body: Deferred[Body]) -> None:
        self.body = body

    def items_loaded(self) -> Mapping[str, Checked]:
        return self.body.value.docs


@functools.cache
def code_digest() -> bytes:
    """sitegen's own source: a cache made by other code (another version, or an edited
    checkout) may have read or rendered the same files differently."""
    package = Path(__file__).parent
    parts = [f"sitegen {__version__} cache {FORMAT}".encode()]
    for path in sorted(package.glob("*.py")):
        parts += (path.name.encode(), path.read_bytes())
    return digest(*parts)


# On disk: one pickle a name, signed (see `sitegen.signing`), written all or nothing.
# Pickle because the cache holds model objects; the signature is what makes unpickling safe.


def cache_file(site_dir: Path, name: str) -> Path:
    return site_dir / CACHE_DIR / f"{name}-{FORMAT}.pickle"


def load(site_dir: Path, name: str) -> Any:
    """What the last run saved under `name`, or None if it is missing, foreign or broken."""
    try:
        found = load_signed(cache_file(site_dir, name), unpickle)
    except Exception:  # a cache is only ever a shortcut: any damage means start afresh
        return None
    if not isinstance(found, tuple) or len(found) != 2 or found[0] != code_digest():
        return None
    return found[1]


def unpickle(file: BinaryIO) -> object:
    with gc_paused():
        return pickle.load(file)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection while many lasting objects are made: a collection every few
    thousand new objects would walk all of them again and again, for nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def save(site_dir: Path, name: str, value: object) -> None:
    """Save `value` for the next run; a folder we cannot write to just means no cache."""
    dump = partial(pickle.dump, (code_digest(), value), protocol=pickle.HIGHEST_PROTOCOL)
    save_signed(cache_file(site_dir, name), dump)
