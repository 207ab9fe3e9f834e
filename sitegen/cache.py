"""What one run leaves for the next, under `.sitegen-cache/`: the last good build (its files,
content and dependency record: a `State`, whose body is a file of its own that a build
which finds nothing changed never reads) and the fragments pages are joined from.

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
import secrets
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
from .shelf import Later, Shelved
from .signing import load_signed, save_signed
from .validate import Checked
from .vocabulary import DEFAULT, Words

__all__ = [
    "CACHE_DIR",
    "Body",
    "Kept",
    "StaleCache",
    "Stat",
    "State",
    "as_stat",
    "file_stat",
    "load",
    "load_state",
    "save",
    "save_state",
]

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
    listed: frozenset[str] = frozenset()  # those of them the listings make
    quotes: QuoteReport = field(default_factory=QuoteReport)
    drafts: bool = False  # whether it showed drafts: a record holds for such builds alone
    urls: tuple[str | None, str | None] = (None, None)  # the command line's base and site URL
    untagged: tuple[Diagnostic, ...] = ()  # labels of tags nothing carries (drafts count)
    unused: tuple[Diagnostic, ...] = ()  # templates no page uses
    warnings: tuple[Diagnostic, ...] = ()  # all it warned of, these two among them
    body: Kept = field(default_factory=lambda: Kept(Body()))

    def held(self, out_dir: Path | None, rendered: bool) -> Mapping[str, Mapping[str, Stat]]:
        """What the output folders hold, as far as a new record made from this one can vouch
        for it: once a build renders anything, another folder holds what an older record made."""
        if not rendered:
            return self.outputs
        keep = None if out_dir is None else str(out_dir.resolve())
        return {folder: held for folder, held in self.outputs.items() if folder == keep}

    def left_whole(
        self, out_dir: Path, still: Mapping[str, Stat], listed: frozenset[str] | None
    ) -> bool:
        """Whether `out_dir` holds this build's site and nothing else: what its manifest
        lists (`listed`, which `outdir.claimed` found to be all the folder holds) is what
        the build wrote there, each file still as written (`still`: see `write.OnDisk`)."""
        written = self.outputs.get(str(out_dir.resolve()), {})
        whole = listed is not None and listed == written.keys() == still.keys()
        return whole and written.keys() >= self.made

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


class Kept:
    """A state's body: in memory, or in a cache file of its own until first read (see
    `save_state`); `token` names the body saved with the state, so that a body another run
    saved in between is never taken for it."""

    __slots__ = ("_body", "site_dir", "token")

    def __init__(self, body: Body | None, token: str = "", site_dir: Path | None = None) -> None:
        self._body, self.token, self.site_dir = body, token, site_dir

    @property
    def loaded(self) -> bool:
        return self._body is not None

    @property
    def value(self) -> Body:
        if self._body is None:
            found = load(self.site_dir, "body") if self.site_dir else None
            if not (isinstance(found, tuple) and found[0] == self.token):
                raise StaleCache(self.site_dir)
            self._body = found[1]
        return self._body

    def __reduce__(self) -> tuple[type, tuple[None, str]]:
        return (type(self), (None, self.token))  # the body goes to a file of its own


class StaleCache(Exception):
    """The cache's body is not the one its state was saved with: another run saved its
    own in between. The build starts afresh (see `build.SiteBuilder.build`)."""


class DocsOf(Later[Checked]):
    """The checked documents of a state's body, loaded when first read."""

    def __init__(self, body: Kept) -> None:
        self.body = body

    def items_loaded(self) -> Mapping[str, Checked]:
        return self.body.value.docs


def shelved(docs: Mapping[str, Checked], content: Content) -> Shelved[Checked]:
    """The checked documents, to be kept pickled apart from the state (see `shelf`) with the
    values they share with the content as places in it."""
    if isinstance(docs, DocsOf):  # the last state's, unchanged
        docs = docs.items_loaded()
    if isinstance(docs, Shelved):
        return docs
    return Shelved(
        docs, (*content.milestones, *content.sources, *content.frameworks, *content.pages)
    )


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


def save(site_dir: Path, name: str, value: object) -> bool:
    """Save `value` for the next run; a folder we cannot write to just means no cache."""
    dump = partial(pickle.dump, (code_digest(), value), protocol=pickle.HIGHEST_PROTOCOL)
    return save_signed(cache_file(site_dir, name), dump)


# The state in two files: its body (`body`, with a new token) and then the rest (`build`),
# each streamed to its file and from it. A run that stops between the two leaves a body
# whose token the state left does not name: the next run starts afresh (`StaleCache`).


def save_state(site_dir: Path, state: State) -> None:
    kept = state.body
    if kept.loaded:  # else the body file holds it already
        token = secrets.token_hex(16)
        if not save(site_dir, "body", (token, kept.value)):
            return
        kept.token, kept.site_dir = token, site_dir
    if save(site_dir, "build", state):
        forget_other_formats(site_dir)


NAMES = ("body", "build", "fragments", "markdown")  # what runs keep, as `{name}-{FORMAT}`


def forget_other_formats(site_dir: Path) -> None:
    """Remove the files a sitegen with another cache format left: no run of this one reads
    them, and at 10,000 milestones they take tens of megabytes each."""
    for path in (site_dir / CACHE_DIR).glob("*-*.pickle"):
        name, _, number = path.stem.rpartition("-")
        if name in NAMES and number.isdigit() and int(number) != FORMAT:
            with contextlib.suppress(OSError):
                path.unlink()


def load_state(site_dir: Path) -> State | None:
    state = load(site_dir, "build")
    if not isinstance(state, State):
        return None
    state.body.site_dir = site_dir  # its body is read from there when first needed
    return state
