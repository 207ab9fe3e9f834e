"""Watch a site's sources and gather the changed paths into batches, ~100 ms apart.

Editors save in many ways: in place (modified), or atomically by writing a temporary file
and renaming it over the target, which watchdog reports as a *moved* event onto the target.
Their swap and backup files, hidden files and the output folder never count as changes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch
from watchdog.observers.polling import PollingObserver

from .load import FACT_SUFFIXES
from .quotes import ARCHIVE_FOLDER, ARCHIVE_SUFFIXES
from .theme import is_ignored, packaged_theme

WATCHED_FOLDERS = ("content", "templates")  # the theme's assets live in templates/static/
# Reading a file (as every build does) raises opened/closed-without-write events: not changes.
CHANGE_EVENTS = {
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    EVENT_TYPE_CLOSED,
}
DEBOUNCE_SECONDS = 0.1  # quiet time that ends a burst of events
SETTLE_SECONDS = 0.02  # the same, once the OS says the file was closed or renamed into place
POLL_SECONDS = 0.5


def is_source(path: str, site_dir: Path, ignored: Iterable[Path], folder: bool = False) -> bool:
    """Whether a change to `path` can change the site (editors' temporary files cannot)."""
    absolute = Path(os.path.abspath(path))
    if any(absolute == folder or folder in absolute.parents for folder in ignored):
        return False
    try:
        parts = absolute.relative_to(site_dir).parts
    except ValueError:
        return False
    if parts[:1] not in (("content",), ("templates",)):
        return False  # the site folder's own files: a README, say
    name = parts[-1]
    # Under content/ only fact files and pages are read, and copies of sources in content/archive/
    # (not sed -i's temp files, for one).
    archive = parts[:2] == ARCHIVE_FOLDER and name.endswith(ARCHIVE_SUFFIXES)
    read = archive or name.endswith(FACT_SUFFIXES)
    if parts[:1] == ("content",) and not folder and not read:
        return False
    return not any(map(is_ignored, parts))  # editors' and the system's files (see theme)


def is_finished_save(event: FileSystemEvent, onto_source: bool) -> bool:
    """Whether this event leaves a source complete on disk: closed after writing, renamed
    onto (not away from), or deleted."""
    if event.event_type == EVENT_TYPE_MOVED:
        return onto_source
    return event.event_type in (EVENT_TYPE_CLOSED, EVENT_TYPE_DELETED)


class ChangeCollector(FileSystemEventHandler):
    """Turns watchdog's events into batches of changed paths, relative to the site."""

    def __init__(self, site_dir: Path, ignored: Iterable[Path] = ()) -> None:
        self.site_dir = Path(os.path.abspath(site_dir))
        self.ignored = [Path(os.path.abspath(p)) for p in ignored]
        # Guards `_changed`, `_saved` and `_closed`: the observer thread writes them, the
        # builder waits on this condition and takes the batch.
        self._condition = threading.Condition()
        self._changed: set[str] = set()
        self._saved = False  # the newest event says a file is now complete
        self._closed = False

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGE_EVENTS:
            return
        if event.is_directory and event.event_type == EVENT_TYPE_MODIFIED:
            return  # a folder's listing changed: the files themselves report their own events
        paths = [os.fsdecode(event.src_path)]
        if event.event_type == EVENT_TYPE_MOVED:
            # An atomic save moves a temporary file onto its target: the target changed.
            paths.insert(0, os.fsdecode(event.dest_path))
        relevant = [
            p for p in paths if is_source(p, self.site_dir, self.ignored, event.is_directory)
        ]
        if not relevant:
            return
        with self._condition:
            self._changed.add(self.relative(relevant[0]))
            self._saved = is_finished_save(event, onto_source=relevant[0] == paths[0])
            self._condition.notify_all()

    def relative(self, path: str) -> str:
        return Path(os.path.abspath(path)).relative_to(self.site_dir).as_posix()

    def next_batch(self) -> set[str] | None:
        """Wait for changes, then until the burst is over; None once closed.

        A burst is over after DEBOUNCE_SECONDS without events, or SETTLE_SECONDS when its
        newest event says the file is complete (closed after writing, or renamed into
        place), which inotify reports and polling does not. A tool that never stops
        writing still gets a build every ten debounce periods.
        """
        with self._condition:
            self._condition.wait_for(lambda: self._changed or self._closed)
            start = last = time.monotonic()
            while not self._closed:
                quiet = SETTLE_SECONDS if self._saved else DEBOUNCE_SECONDS
                left = min(last + quiet, start + 10 * DEBOUNCE_SECONDS) - time.monotonic()
                if left <= 0:
                    break
                if self._condition.wait(timeout=left):
                    last = time.monotonic()
            if self._closed:
                return None
            batch, self._changed, self._saved = self._changed, set(), False
            return batch

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()


class Watcher:
    """Watches a site for a `ChangeCollector`: `content/` and `templates/` through and
    through, every folder linked into them where the link leads (events there count as
    events at the link), and the site folder itself, so that `content/` or `templates/`
    deleted and made again (as `git checkout` or `git stash` can) is watched again."""

    def __init__(self, collector: ChangeCollector, poll: bool = False) -> None:
        self.collector = collector
        # A short timeout lets the observer thread notice stop() quickly on Ctrl-C.
        self.observer = PollingObserver(timeout=POLL_SECONDS) if poll else Observer(timeout=0.2)
        self.observer.daemon = True
        self.watches: dict[tuple[str, str], ObservedWatch] = {}  # (folder, shown as) → watch
        self.refresh()
        self.observer.start()

    def refresh(self, renew: bool = False) -> None:
        """Watch what `watched_folders` names now, and nothing else; `renew` watches each
        folder afresh (one deleted and made again is another folder under the same name)."""
        wanted = watched_folders(self.collector.site_dir)
        for key in [k for k in self.watches if renew or k not in wanted]:
            with contextlib.suppress(KeyError, OSError):
                self.observer.unschedule(self.watches[key])
            del self.watches[key]
        for (folder, shown), recursive in wanted.items():
            if (folder, shown) in self.watches:
                continue
            handler = Relocated(self.collector, folder, shown) if shown else self.collector
            with contextlib.suppress(OSError):  # gone meanwhile: the next refresh sees it
                watch = self.observer.schedule(handler, folder, recursive=recursive)
                self.watches[(folder, shown)] = watch

    def refresh_after(self, batch: set[str]) -> None:
        """Refresh when a change may have made, removed or relinked a folder."""
        site = self.collector.site_dir
        renew = any(path in WATCHED_FOLDERS for path in batch)
        if renew or any(
            os.path.islink(site / path) or os.path.isdir(site / path) or not (site / path).exists()
            for path in batch
        ):
            self.refresh(renew)

    def stop(self, timeout: float) -> None:
        """Stop watching, waiting at most `timeout` seconds: watchdog's stop() joins its
        threads with no limit, and one stuck reading would hold the process."""
        stopping = threading.Thread(target=self.observer.stop, daemon=True)
        stopping.start()
        stopping.join(timeout)
        self.observer.join(timeout)


def watched_folders(site_dir: Path) -> dict[tuple[str, str], bool]:
    """(folder to watch, the site path its events stand for or '') → whether recursively:
    the site folder alone, content/ and templates/ through and through, each folder
    linked into them at its target (recursive watches do not follow links), and the
    packaged theme, whose changes count as changes to templates/ (any of them re-renders
    every page, an override or not)."""
    wanted = {(str(site_dir), ""): False}
    seen: set[str] = set()
    packaged = packaged_theme()  # what the site's templates/ lacks comes from there
    if packaged.is_dir() and os.path.realpath(packaged) != os.path.realpath(site_dir / "templates"):
        wanted[(os.path.realpath(packaged), "templates")] = True  # its events count as templates/
    for name in WATCHED_FOLDERS:
        top = site_dir / name
        if not top.is_dir():
            continue
        wanted[(str(top), "")] = True
        seen.add(os.path.realpath(top))
        for root, dirs, _ in os.walk(top, followlinks=True):
            for d in list(dirs):
                path = os.path.join(root, d)
                real = os.path.realpath(path)
                if d.startswith(".") or real in seen:
                    dirs.remove(d)  # hidden, or walked already (a loop, say)
                    continue
                seen.add(real)
                if os.path.islink(path):
                    wanted[(real, os.path.relpath(path, site_dir))] = True
    return wanted


class Relocated(FileSystemEventHandler):
    """Hands events inside a linked folder's target on as events at the link."""

    def __init__(self, collector: ChangeCollector, target: str, shown: str) -> None:
        self.collector, self.target = collector, target
        self.link = str(collector.site_dir / shown)

    def on_any_event(self, event: FileSystemEvent) -> None:
        moved = {"dest_path": self.at_link(event.dest_path)} if event.dest_path else {}
        event = dataclasses.replace(event, src_path=self.at_link(event.src_path), **moved)
        self.collector.on_any_event(event)

    def at_link(self, path: bytes | str) -> str:
        path = os.fsdecode(path)
        inside = os.path.relpath(path, self.target)
        return self.link if inside == "." else os.path.join(self.link, inside)
