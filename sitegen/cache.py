"""What a build may reuse: fact files checked before and pages rendered before.

A `BuildCache` lives in a `SiteBuilder` between rebuilds and, unless disabled, on disk under
`.sitegen-cache/` between runs. Nothing in it is trusted beyond what it was computed from:

- a fact file is reused only while its stat (mtime, ctime, size, inode) is unchanged *and*
  its ctime is older than the last time its bytes were read, by more than a clock tick; a
  file changed in the same tick as a read is read again and compared by content hash;
- a page is reused only while everything it is rendered from is equal to what the last
  build rendered it from: its route (URL, template and context: immutable model values,
  which stay the same objects while their file is unchanged, so comparing them is cheap),
  the templates folder (by digest), the site-wide values and sitegen's own code.

Digests are blake2b, so they agree across processes (`hash()` would not). The cache file
is signed with a key kept outside the site (see `sitegen.signing`), so a cache file that
came with a site from elsewhere is ignored, never unpickled.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import os
import pickle
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO

from . import __version__, markup
from .load import (
    FACT_SUFFIXES,
    document_kind,
    find_fact_files,
    load_content,
    parse_document,
    read_fact_file,
    read_words,
)
from .model import Content, Site
from .parallel import PARALLEL_MIN, can_fork, even_batches, in_workers
from .routes import Route
from .signing import load_signed, save_signed
from .theme import read_plain, scan
from .validate import Checked, check_document
from .vocabulary import DEFAULT, SITE_FILES, Words

CACHE_DIR = ".sitegen-cache"
FORMAT = 2  # bump when what the cache holds changes shape
SLOP_NS = 1_000_000_000  # file timestamps may trail the clock by a tick; a second is plenty
Stat = tuple[int, int, int, int]


@dataclass(frozen=True)
class FactFile:
    """One fact file as last read: its stat, its bytes' digest and what checking it gave."""

    stat: Stat
    digest: bytes
    checked: Checked
    verified_ns: int  # when its bytes were last read


@dataclass
class BuildCache:
    """What the last build read and planned, and what each output folder received.

    Page bytes are not kept here: a page whose route is unchanged is already in the output
    folder (or, in the dev server, in the builder's memory).
    """

    files: dict[str, FactFile] = field(default_factory=dict)
    content: Content | None = None  # what they assemble into (before command-line options)
    templates: bytes = b""  # the templates folder's digest (see `templates_digest`)
    shared: tuple = ()  # the site-wide values templates read (see `build.site_wide`)
    routes: dict[str, Route] = field(default_factory=dict)  # by output path
    outputs: dict[str, dict[str, Stat]] = field(default_factory=dict)  # folder → file → stat
    markdown: dict[tuple[str, str, bool], str] = field(default_factory=dict)
    code: bytes = b""  # the sitegen that computed all this: see `code_digest`


def digest(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


def file_stat(path: str | Path) -> Stat:
    return as_stat(os.stat(path))


def as_stat(s: os.stat_result) -> Stat:
    return (s.st_mtime_ns, s.st_ctime_ns, s.st_size, s.st_ino)


def read_files(
    site_dir: Path,
    known: Mapping[str, FactFile],
    changed: Collection[str] | None = None,
    jobs: int = 1,
) -> dict[str, FactFile]:
    """Every fact file by path, read and checked (over `jobs` processes where it pays), or
    reused from `known` where provably unchanged.

    `changed`, when given, lists every path (relative to the site) changed since `known`
    was read, as a file watcher reports them: the other files are not even looked at.

    Raises SiteError exactly as `load_content` would when any file cannot be read or parsed.
    """
    content = site_dir / "content"
    if not content.is_dir():
        load_content(site_dir)  # raises the usual "no content/ folder" error
    words = read_words(site_dir)
    if known and words != known_words(known):  # every file is read by them: read all anew
        known, changed = {}, None
    now = time.time_ns()
    listed = None if changed is None else listed_after(content, known, changed)
    touched = None if listed is None else {p.removeprefix("content/") for p in changed or ()}
    files: dict[str, FactFile | None] = {}
    todo = []  # (relative path, stat) of files to read
    for name in find_fact_files(content) if listed is None else listed:
        relative = f"content/{name}"
        entry = known.get(relative)
        if touched is not None and name not in touched:
            files[relative] = entry  # the watcher saw no change
            continue
        try:
            stat = file_stat(content / name)
        except OSError:
            stat = None
        if entry is not None and entry.stat == stat and entry.stat[1] + SLOP_NS < entry.verified_ns:
            files[relative] = entry
        else:
            files[relative] = None
            todo.append((relative, stat))
    read = partial(read_checked, site_dir, known, now, todo, words)
    if jobs > 1 and len(todo) >= PARALLEL_MIN and can_fork():
        for batch in in_workers(read, even_batches(len(todo), jobs * 4), jobs):
            files.update(batch)
    else:
        files.update(read(range(len(todo))))
    if None in files.values():
        # The rare path: let the loader itself report every problem, word for word.
        documents = load_content(site_dir)
        return {d.path: FactFile((0, 0, 0, 0), b"", check_document(d, words), 0) for d in documents}
    return files  # type: ignore[return-value]  # no None left


def read_checked(
    site_dir: Path,
    known: Mapping[str, FactFile],
    now: int,
    todo: list[tuple[str, Stat | None]],
    words: Words,
    indexes: Iterable[int],
) -> dict[str, FactFile | None]:
    """The files at these indexes of `todo`, read and checked; None for a file that cannot
    be read or parsed (misplaced, unreadable, too big, not a plain file, not YAML)."""
    read: dict[str, FactFile | None] = {}
    for i in indexes:
        relative, stat = todo[i]
        kind = document_kind(relative.removeprefix("content/"), words)
        data = None
        if stat is not None and kind is not None:
            with contextlib.suppress(OSError):
                data = read_fact_file(relative, site_dir / relative)
        if not isinstance(data, bytes) or stat is None or kind is None:
            read[relative] = None
            continue
        data_digest = digest(data)
        entry = known.get(relative)
        if entry is not None and entry.digest == data_digest:
            read[relative] = dataclasses.replace(entry, stat=stat, verified_ns=now)
            continue
        document, problems = parse_document(kind, relative, data)
        if document is None or problems:
            read[relative] = None
            continue
        read[relative] = FactFile(stat, data_digest, check_document(document, words), now)
    return read


def known_words(known: Mapping[str, FactFile]) -> Words:
    """The words the site file among `known` named when it was read."""
    for name in SITE_FILES:
        entry = known.get(f"content/{name}")
        if entry is not None and isinstance(entry.checked.value, Site):
            return Words(entry.checked.value.track, entry.checked.value.tracks)
    return DEFAULT


def listed_after(
    content: Path, known: Mapping[str, FactFile], changed: Collection[str]
) -> list[str] | None:
    """The fact files (as `find_fact_files` names them) once `changed` is taken into account,
    worked out from `known` and the changes alone; None when a change may have added or
    removed files it does not name (a folder made, moved or deleted, say)."""
    names = [p.removeprefix("content/") for p in known]  # in order, as they were found
    removed, added = set(), set()
    for path in changed:
        if path == "content":
            return None
        if not path.startswith("content/"):
            continue  # a template, say: no fact file comes or goes
        name = path.removeprefix("content/")
        file = content / name
        if os.path.isdir(file):
            return None
        if not os.path.lexists(file):
            if name not in known and any(n.startswith(name + "/") for n in names):
                return None  # a folder removed
            removed.add(name)
        elif f"content/{name}" not in known:
            *folders, base = name.split("/")
            hidden = base.startswith((".", "#")) or any(f.startswith(".") for f in folders)
            if base.endswith(FACT_SUFFIXES) and not hidden:  # else `find_fact_files` skips it
                added.add(name)
    kept = [n for n in names if n not in removed]
    return sorted([*kept, *added], key=lambda name: name.split("/")) if added else kept


@functools.cache
def code_digest() -> bytes:
    """sitegen's own source: a cache made by other code (another version, or an edited
    checkout) may have read or rendered the same files differently."""
    package = Path(__file__).parent
    parts = [f"sitegen {__version__} cache {FORMAT}".encode()]
    for path in sorted(package.glob("*.py")):
        parts += (path.name.encode(), path.read_bytes())
    return digest(*parts)


def templates_digest(templates_dir: Path) -> bytes:
    """Every template and asset, by name and content (see `sitegen.theme`), what is wrong
    with the theme, and the code rendering them."""
    theme = scan(templates_dir)
    parts = [code_digest(), *(p.format().encode() for p in theme.problems)]
    for name, path in sorted({**theme.templates, **theme.static, **theme.texts}.items()):
        try:
            parts += (name.encode(), read_plain(path))
        except OSError:  # gone since: the build that renders it will say
            parts += (name.encode(), b"")
    return digest(*parts)


# On disk: one pickle, signed (see `sitegen.signing`), written atomically. Pickle because
# the cache holds model objects; the signature is what makes unpickling safe.


def cache_file(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / f"build-{FORMAT}.pickle"


def load_cache(site_dir: Path) -> BuildCache:
    """The cache saved by the last run, or an empty one if it is missing, foreign or broken."""
    try:
        cache = load_signed(cache_file(site_dir), unpickle)
    except Exception:  # a cache is only ever a shortcut: any damage means start afresh
        return BuildCache()
    if not isinstance(cache, BuildCache) or cache.code != code_digest():
        return BuildCache()
    return cache


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


def save_cache(site_dir: Path, cache: BuildCache) -> None:
    """Save the cache for the next run; a folder we cannot write to just means no cache."""
    cache.code = code_digest()
    save_signed(cache_file(site_dir), partial(pickle.dump, cache, protocol=pickle.HIGHEST_PROTOCOL))


def restore_markdown(cache: BuildCache) -> None:
    """Give the Markdown renderer what earlier runs rendered."""
    markup.rendered.update({**cache.markdown, **markup.rendered})
