"""Full-text search: rendered pages in, Pagefind's search bundle (`pagefind/...`) out.

The theme decides what is searchable, by Pagefind's own rule: a page is indexed when its
HTML holds an element marked `data-pagefind-body`, and only that element's text is read
(`data-pagefind-ignore` leaves out a part of it; `data-pagefind-meta` and
`data-pagefind-filter` give each result its date, tracks and kind). Listings, the 404 page
and a draft's page carry no such element, so they are never indexed. Only a page's
`<main>` is handed over: every marked element lives there, and Pagefind need not parse the
rest of the page.

Pages are indexed in output-path order (Pagefind numbers them in the order they come), so
the same pages always give the same bundle (see `indexer.stable` for the rest). `sitegen
build` indexes the site it has just written, before putting it in place (`bundle_in`);
the dev server indexes each build in the background (`BackgroundIndex`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from .cache import Stat
from .diagnostics import SiteError
from .indexer import Cancelled, Pagefind, problem
from .outdir import manifest_files, real

SEARCH_DIR = "pagefind"  # the bundle's folder in the site, as Pagefind names it
MARK = b"data-pagefind-body"
# Pagefind's own search interfaces: the theme brings its own (static/search.js), so these
# would only be published for nothing.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def page_url(output: str) -> str:
    """The site path a page is served at: `milestones/x/index.html` → `/milestones/x/`."""
    return "/" + output.removesuffix("index.html")


def main_part(html: str) -> str:
    """The page's `<main>` element alone, in a bare document (the whole page if it has none)."""
    start, end = html.find("<main"), html.rfind("</main>")
    if start < 0 or end < start:
        return html
    return f"<html><body>{html[start : end + len('</main>')]}</body></html>"


def search_bundle(
    outputs: Iterable[str], read: Callable[[str], bytes], language: str
) -> dict[str, bytes]:
    """Pagefind's bundle for the searchable pages among `outputs`, whose bytes `read`
    gives (each is read when its turn comes, so the site is never held whole): each
    file's output path (under `pagefind/`) → its bytes; empty when no page is searchable.
    Raises SiteError when Pagefind cannot run or fails."""
    with Pagefind(language) as pagefind:
        return in_folder(pagefind.index(pages(outputs, read)))


def pages(outputs: Iterable[str], read: Callable[[str], bytes]) -> Iterator[tuple[str, str]]:
    """(URL, HTML) of each searchable page among `outputs`, in output-path order, each
    read when it is asked for."""
    for output in sorted(o for o in outputs if o.endswith(".html")):
        data = read(output)
        if MARK in data:
            yield page_url(output), main_part(data.decode())


def in_folder(bundle: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bundle's files by their output path, but for Pagefind's own interfaces."""
    return {
        f"{SEARCH_DIR}/{p}": data for p, data in sorted(bundle.items()) if not p.startswith(UNUSED)
    }


def kept_bundle(out_dir: Path, on_disk: Mapping[str, Stat]) -> set[str] | None:
    """The bundle the last build left in `out_dir` (by its manifest), when every file of it
    is still there as it was written (`on_disk`); else None. Kept while no page changed."""
    listed = {f for f in manifest_files(real(out_dir)) if f.startswith(f"{SEARCH_DIR}/")}
    return listed if listed <= on_disk.keys() else None


def bundle_in(folder: Path, outputs: Iterable[str], language: str) -> dict[str, bytes]:
    """The bundle for the site written in `folder` (`outputs` are its files)."""
    outputs = list(outputs)
    taken = sorted(o for o in outputs if o.startswith(f"{SEARCH_DIR}/"))
    if taken:
        message = f"{taken[0]} would be overwritten: {SEARCH_DIR}/ holds the search index"
        raise SiteError([problem(message, "give that page another address")])
    return search_bundle(outputs, lambda output: (folder / output).read_bytes(), language)


class BackgroundIndex:
    """The dev server's search index, kept current without holding up a reload: after each
    build, the pages are indexed in a thread of this object's, `delay` seconds after they
    were published (so that open tabs reload first; edits in quick succession index once),
    with Pagefind at low priority; then `publish` gets the bundle. A newer build stops the
    indexing under way and starts it again; pages that did not change (the builder hands
    over the very same bytes objects) are not indexed again. While a build runs (`pause`
    to `resume`), no page is handed to Pagefind: this thread would take half the
    interpreter's time from the build, which a tab is waiting for."""

    def __init__(self, publish: Callable[[dict[str, bytes]], None], delay: float = 1.0) -> None:
        self.publish = publish
        self.delay = delay
        self._state = threading.Condition()
        self._job: tuple[Mapping[str, bytes], str] | None = None
        self._due = 0.0
        self._running: Pagefind | None = None
        self._indexed: Mapping[str, bytes] = {}
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

    def update(self, files: Mapping[str, bytes], language: str) -> None:
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
                if not same_pages(self._indexed, files):
                    bundle = self._index(files, language)
                    self._indexed = files
                    self.publish(bundle)
            except Exception:  # cancelled for a newer build, or Pagefind failed: the
                pass  # search keeps the last index, and the next build tries again
            finally:
                with self._state:
                    self._pending = self._job is not None  # a newer build's is to come
                    self._state.notify_all()

    def _next(self) -> tuple[Mapping[str, bytes], str] | None:
        """The newest job once it is due; None once closed."""
        with self._state:
            while not self._closed:
                left = self._due - time.monotonic()
                if self._job is not None and left <= 0:
                    job, self._job = self._job, None
                    return job
                self._state.wait(left if self._job is not None else None)
            return None

    def _index(self, files: Mapping[str, bytes], language: str) -> dict[str, bytes]:
        with Pagefind(language) as pagefind:
            with self._state:
                if self._job is not None or self._closed:
                    raise Cancelled  # a newer build came while this one was starting
                self._running = pagefind
            try:
                if pagefind.process is not None:
                    with contextlib.suppress(OSError):  # the reload comes first
                        os.setpriority(os.PRIO_PROCESS, pagefind.process.pid, 10)
                return in_folder(
                    pagefind.index(self._between_builds(pages(files, files.__getitem__)))
                )
            finally:
                with self._state:
                    self._running = None

    def _between_builds(self, items: Iterator[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        for item in items:
            self._idle.wait()
            yield item


def same_pages(before: Mapping[str, bytes], after: Mapping[str, bytes]) -> bool:
    """Whether two builds' HTML pages are the same objects (so the same bytes)."""
    pages = [o for o in after if o.endswith(".html")]
    return len(pages) == sum(1 for o in before if o.endswith(".html")) and all(
        before.get(o) is after[o] for o in pages
    )
