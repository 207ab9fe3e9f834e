"""Which of a site's files changed since they were last read: fact files, read and checked
anew only when they did, and the theme's templates and assets.

A file is taken as unchanged only while its stat (mtime, ctime, size, inode) is the one
seen *and* its ctime is older than the moment its bytes were read by more than a clock
tick: a file changed within the tick it was read in keeps its stat, so it is read again
and known by the digest of its bytes (blake2b: the same in every process).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import operator
import os
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import NamedTuple

from .diagnostics import Diagnostic, SiteError
from .frozen import Value
from .load import (
    FACT_SUFFIXES,
    find_fact_files,
    missing_content,
    parse_document,
    read_fact,
    read_words,
)
from .parallel import PARALLEL_MIN, can_fork, even_batches, in_workers
from .theme import SETTINGS, read_plain, scan, settings_file
from .validate import Checked, check_document
from .vocabulary import DEFAULT, Words

SLOP_NS = 1_000_000_000  # file timestamps may trail the clock by a tick; a second is plenty
Stat = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Scanned(Value):
    """One file as last read: its stat, its bytes' digest and when they were read; for a
    fact file, why it could not be read."""

    stat: Stat | None
    digest: bytes
    read_ns: int
    problems: tuple[Diagnostic, ...] = ()
    file: Path | None = None  # for a theme file, the file read (links followed)


class Facts(NamedTuple):
    """The fact files as last read: each one by path, what checking each gave (which a
    build where no fact file changed need not load: see `sitegen.shelf`), and the words
    the site file named, with which they were read."""

    files: Mapping[str, Scanned]
    docs: Mapping[str, Checked]
    words: Words


NO_FACTS = Facts({}, {}, DEFAULT)


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


def current(entry: Scanned | None, stat: Stat | None) -> bool:
    """Whether a file with this stat is surely still as `entry` read it."""
    return entry is not None and entry.stat == stat and stat[1] + SLOP_NS < entry.read_ns


def stat_or_none(path: str | Path) -> Stat | None:
    try:
        return file_stat(path)
    except OSError:
        return None


def scan_content(site_dir: Path, known: Facts, changed: Collection[str] | None, jobs: int) -> Facts:
    """Every fact file by path (`content/...`), reused from `known` where unchanged, else
    read and checked (over `jobs` processes where it pays); SiteError with every file that
    cannot be read or parsed.

    `changed`, when given, names every path (relative to the site) changed since `known`
    was read, as a file watcher reports them: the other files are not even looked at."""
    content = site_dir / "content"
    if not content.is_dir():
        raise SiteError([missing_content(site_dir)])
    words = read_words(site_dir)
    if known.files and words != known.words:  # they decide how every file is read
        known, changed = NO_FACTS, None
    listed = None if changed is None else listed_after(content, known.files, changed)
    if listed is None:  # look at every file
        files: dict[str, Scanned | None] = {
            f"content/{name}": None for name in find_fact_files(content)
        }
        candidates: Iterable[str] = files
    else:  # look only at those the watcher named
        files, candidates = listed, [p for p in changed or () if p in listed]
    todo: list[tuple[str, Stat | None]] = []
    root = os.path.join(site_dir, "")  # strings: a Path a file costs more than its stat
    for path in candidates:
        entry, stat = known.files.get(path), stat_or_none(root + path)
        files[path] = entry if current(entry, stat) else None
        if files[path] is None:
            todo.append((path, stat))
    read = partial(read_checked, site_dir, known, time.time_ns(), todo, words)
    if jobs > 1 and len(todo) >= PARALLEL_MIN and can_fork():
        batches = in_workers(read, even_batches(len(todo), jobs * 4), jobs)
    else:
        batches = [read(range(len(todo)))]
    fresh: dict[str, Checked] = {}
    for batch in batches:
        files.update((path, entry) for path, (entry, _) in batch.items())
        fresh.update((path, doc) for path, (_, doc) in batch.items() if doc is not None)
    problems = [p for batch in batches for entry, _ in batch.values() for p in entry.problems]
    if problems:
        raise SiteError(problems)
    if not fresh and files.keys() == known.files.keys():
        return Facts(files, known.docs, words)  # type: ignore[arg-type]  # none is None
    docs = dict(known.docs.items())  # one call for all: `known.docs` may be a `Shelved`
    docs.update(fresh)
    if list(docs) != list(files):  # files came or went: in the files' order, which a
        # comparison of the keys' views (as sets) would not see
        docs = {path: docs[path] for path in files}
    return Facts(files, docs, words)  # type: ignore[arg-type]  # every None was read


def read_checked(
    site_dir: Path,
    known: Facts,
    now: int,
    todo: list[tuple[str, Stat | None]],
    words: Words,
    indexes: Iterable[int],
) -> dict[str, tuple[Scanned, Checked | None]]:
    """The fact files at these indexes of `todo`, read and checked; no document for one
    that holds the bytes it held (`known` has it, loaded only once read: see `shelf`)."""
    read: dict[str, tuple[Scanned, Checked | None]] = {}
    for i in indexes:
        path, stat = todo[i]
        found = read_fact(path, path.removeprefix("content/"), site_dir / path, words)
        if isinstance(found, Diagnostic):
            read[path] = Scanned(stat, b"", now, problems=(found,)), None
            continue
        kind, data = found
        data_digest, entry = digest(data), known.files.get(path)
        if entry is not None and entry.digest == data_digest:
            read[path] = dataclasses.replace(entry, stat=stat, read_ns=now), None
            continue
        document, problems = parse_document(kind, path, data)
        checked = check_document(document, words) if document is not None else None
        read[path] = Scanned(stat, data_digest, now, tuple(problems)), checked
    return read


def listed_after(
    content: Path, known: Mapping[str, Scanned], changed: Collection[str]
) -> dict[str, Scanned | None] | None:
    """The fact files once `changed` is taken into account, in the order `find_fact_files`
    gives, worked out from `known` and the changes alone (None for each file added); None
    when a change may have added or removed files it does not name (a folder made, moved
    or deleted, say)."""
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
            if path not in known and any(p.startswith(path + "/") for p in known):
                return None  # a folder removed
            removed.add(path)
        elif path not in known:
            *folders, base = name.split("/")
            hidden = base.startswith((".", "#")) or any(f.startswith(".") for f in folders)
            if base.endswith(FACT_SUFFIXES) and not hidden:  # else `find_fact_files` skips it
                added.add(path)
    files: dict[str, Scanned | None] = dict(known)
    for path in removed:
        files.pop(path, None)
    if not added:
        return files
    files.update(dict.fromkeys(added))
    return {p: files[p] for p in sorted(files, key=lambda path: path.split("/"))}


def scan_theme(
    templates_dir: Path, known: Mapping[str, Scanned]
) -> tuple[dict[str, Scanned], list[Diagnostic]]:
    """The theme's templates, assets, fonts, texts and settings by path (`templates/...`),
    the site's over the packaged theme's (by the rules of `sitegen.theme`), and what is
    wrong with its other files. A file is known by its digest and the file read: a site's
    override added or removed changes which file its pages load."""
    now, found = time.time_ns(), {}
    theme = scan(templates_dir)
    files = {**theme.templates, **theme.static, **theme.fonts, **theme.texts}
    settings = settings_file(templates_dir)
    if settings is not None:
        files[SETTINGS] = settings[0]
    for name, file in sorted(files.items()):
        path = f"templates/{name}"
        stat, entry = stat_or_none(file), known.get(path)
        if current(entry, stat) and entry is not None and entry.file == file:
            found[path] = entry
        elif stat is not None:
            try:
                found[path] = Scanned(stat, digest(read_plain(file)), now, file=file)
            except OSError:
                continue  # gone, or unreadable: a page that needs it reports that
    return found, theme.problems


def differing(old: Mapping[str, Scanned], new: Mapping[str, Scanned]) -> list[str]:
    """The paths added, removed or with other bytes in `new` (reused entries are the same
    objects, so most are passed over in C)."""
    others = itertools.compress(new, map(operator.is_not, map(old.get, new), new.values()))
    changed = [p for p in others if p not in old or old[p].digest != new[p].digest]
    return changed + sorted(old.keys() - new.keys())
