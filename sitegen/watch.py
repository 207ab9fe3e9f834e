"""Watch a site's sources and gather the changed paths into batches, ~100 ms apart.

Editors save in many ways: in place (modified), or atomically by writing a temporary file
and renaming it over the target, which watchdog reports as a *moved* event onto the target.
Their swap and backup files, hidden files and the output folder never count as changes.
"""

from __future__ import annotations

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
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from .load import YAML_SUFFIXES
from .theme import is_ignored

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
    name = parts[-1] if parts else ""
    if parts[:1] == ("content",) and not folder and not name.endswith(YAML_SUFFIXES):
        return False  # the loader reads only YAML there (sed -i's temp files, for one)
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


def start_observer(collector: ChangeCollector, poll: bool = False) -> BaseObserver:
    """Watch the site's content and templates (polling for Docker, WSL2, network drives)."""
    # A short timeout lets the observer thread notice stop() quickly on Ctrl-C.
    observer = PollingObserver(timeout=POLL_SECONDS) if poll else Observer(timeout=0.2)
    for folder in WATCHED_FOLDERS:
        path = collector.site_dir / folder
        if path.is_dir():
            observer.schedule(collector, str(path), recursive=True)
    observer.daemon = True
    observer.start()
    return observer
