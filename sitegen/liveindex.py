"""The dev server's search index, kept current in the background without holding up a
reload: each build's pages are indexed a moment after they are published, again only in
the parts of the index where what Pagefind reads of a page changed (see `sitegen.search`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace

from .indexer import Cancelled, Pagefind
from .render import Held
from .search import bundle_files, pages, searched, split, without_ui


class BackgroundIndex:
    """The dev server's search index, kept current without holding up a reload: after each
    build, the pages are indexed in a thread of this object's, `delay` seconds after they
    were published (so that open tabs reload first; edits in quick succession index once),
    with Pagefind at low priority; then `publish` gets the bundle. A newer build stops the
    indexing under way and starts it again; only the parts where what Pagefind reads of a
    page changed are indexed again. While a build runs (`pause` to `resume`), no page is
    handed to Pagefind: this thread would take half the interpreter's time from the build,
    which a tab is waiting for."""

    def __init__(self, publish: Callable[[dict[str, bytes]], None], delay: float = 1.0) -> None:
        self.publish = publish
        self.delay = delay
        self._state = threading.Condition()
        self._job: tuple[Mapping[str, Held], str] | None = None
        self._due = 0.0
        self._running: Pagefind | None = None
        self._parts: dict[str, Part] = {}  # each part as last indexed, by name
        self._pending = False  # from an update until its index is published (or failed)
        self._closed = False
        self._thread: threading.Thread | None = None  # started by the first update
        self._idle = threading.Event()  # clear while a build runs
        self._idle.set()

    def pause(self) -> None:
        """A build starts: hand Pagefind no page until it is done (`resume`)."""
        self._idle.clear()

    def resume(self) -> None:
        self._idle.set()

    def update(self, files: Mapping[str, Held], language: str) -> None:
        """Index these files (a build's, by output path) soon, in place of any before."""
        with self._state:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="sitegen-search")
                self._thread.daemon = True  # a bundle half made is simply dropped
                self._thread.start()
            self._job, self._due = (files, language), time.monotonic() + self.delay
            self._pending = True
            if self._running is not None:
                self._running.cancel()
            self._state.notify_all()

    def wait(self, timeout: float) -> None:
        """Until the newest build's index is published, or failed, or `timeout`: someone
        asked for the index, so one still waiting out its delay is made at once."""
        with self._state:
            if self._job is not None:
                self._due = time.monotonic()
                self._state.notify_all()
            self._state.wait_for(lambda: not self._pending or self._closed, timeout)

    def close(self) -> None:
        with self._state:
            self._closed = True
            if self._running is not None:
                self._running.cancel()
            self._state.notify_all()
        self._idle.set()  # so that a paused indexing sees it is cancelled
        if self._thread is not None:
            self._thread.join(1.0)

    def _loop(self) -> None:
        while (job := self._next()) is not None:
            files, language = job
            try:
                bundle = self._index(files, language)
                if bundle is not None:
                    self.publish(bundle)
            except Exception:  # cancelled for a newer build, or Pagefind failed: the
                pass  # search keeps the last index, and the next build tries again
            finally:
                with self._state:
                    self._pending = self._job is not None  # a newer build's is to come
                    self._state.notify_all()

    def _next(self) -> tuple[Mapping[str, Held], str] | None:
        """The newest job once it is due; None once closed."""
        with self._state:
            while not self._closed:
                left = self._due - time.monotonic()
                if self._job is not None and left <= 0:
                    job, self._job = self._job, None
                    return job
                self._state.wait(left if self._job is not None else None)
            return None

    def _index(self, files: Mapping[str, Held], language: str) -> dict[str, bytes] | None:
        """The index of these pages, made again only in the parts whose pages changed (each
        part kept once made, so that one cancelled halfway need not be made again); None
        when no part changed since the last one published."""
        parts = split(files)
        changed = self._parts.keys() - parts.keys()  # parts of another split
        for name in changed:
            del self._parts[name]
        for name, outputs in parts.items():
            held = tuple(files[o] for o in outputs)
            last = self._parts.get(name)
            if last is not None and last.made_from(language, outputs, held):
                self._parts[name] = replace(last, pages=held)  # the old bytes may go
            else:
                bundle = self._index_part(outputs, files, language)
                self._parts[name] = Part(language, tuple(outputs), held, bundle)
                changed.add(name)
        if not changed:
            return None
        return bundle_files(parts, {name: part.bundle for name, part in self._parts.items()}, ())

    def _index_part(
        self, outputs: list[str], files: Mapping[str, Held], language: str
    ) -> dict[str, bytes]:
        with Pagefind(language) as pagefind:
            with self._state:
                if self._job is not None or self._closed:
                    raise Cancelled  # a newer build came while this one was starting
                self._running = pagefind
            try:
                if pagefind.process is not None:
                    with contextlib.suppress(OSError):  # the reload comes first
                        os.setpriority(os.PRIO_PROCESS, pagefind.process.pid, 10)
                return without_ui(
                    pagefind.index(self._between_builds(pages(outputs, files.__getitem__)))
                )
            finally:
                with self._state:
                    self._running = None

    def _between_builds(self, items: Iterator[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        for item in items:
            self._idle.wait()
            yield item


@dataclass(frozen=True)
class Part:
    """One part of the index as the dev server made it, and from what."""

    language: str
    outputs: tuple[str, ...]
    pages: tuple[Held, ...]  # the objects the builder handed over for `outputs`
    bundle: dict[str, bytes]

    def made_from(self, language: str, outputs: list[str], pages: tuple[Held, ...]) -> bool:
        """Whether these pages would give this part again: each the very same object (the
        builder hands over a new one for a page it rendered again) or the same where
        Pagefind reads it."""
        return (
            self.language == language
            and self.outputs == tuple(outputs)
            and all(
                a is b or searched(a) == searched(b) for a, b in zip(self.pages, pages, strict=True)
            )
        )
