"""`sitegen serve`: build in memory, serve, rebuild on every change, tell open tabs.

Three kinds of thread share one `Snapshot`, the last good build held in memory:
the builder (rebuilds after each batch of changes, then publishes a new snapshot), the
request threads (serve files from it, waiting while a build runs so a half-built site is
never served) and the event streams (push each new snapshot's state to the open tabs).
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

from . import terminal
from .build import Options, SiteBuilder
from .diagnostics import SiteError, format_report
from .httpd import EVENTS_PATH, ServeError, SiteHTTPServer, bind, content_hash
from .liveindex import BackgroundIndex
from .render import Held
from .search import SEARCH_DIR
from .terminal import Talk
from .watch import ChangeCollector, Watcher

BUILD_WAIT_SECONDS = 60.0  # a request waits at most this long for a running build
STOP_SECONDS = 0.5  # closing waits at most this long for a running build, and for the watcher

Log = Callable[[str], None]


@dataclass(frozen=True)
class Snapshot:
    """What the server shows: the last good build, and the errors of the newest one."""

    files: Mapping[str, Held]  # output path → its bytes (a large data file's in chunks)
    base_url: str
    version: str  # changes whenever the files do; unique to this server process
    state: int = 0  # counts published snapshots, so an event stream sends each once
    errors: str = ""  # the newest build's report when it failed, else ""
    previous: str = ""  # the version before this one
    # When only stylesheets changed: their path → their new URL, so tabs swap them in place.
    stylesheets: Mapping[str, str] | None = None
    script: bytes = field(default=b"", repr=False)  # the live-reload tag for HTML pages
    search: int = 0  # counts search indexes published, so that tabs use the newest one
    # Since `previous`: each page that changed, by URL → "main" when only its <main> did
    # (tabs patch it in place) or "page" (tabs reload). None: every tab reloads.
    pages: Mapping[str, str] | None = None

    def event(self) -> dict[str, object]:
        """What an open tab needs to know about this snapshot."""
        return {
            "version": self.version,
            "previous": self.previous,
            "stylesheets": dict(self.stylesheets) if self.stylesheets else None,
            "errors": self.errors,
            "search": self.search,
            "pages": dict(self.pages) if self.pages is not None else None,
        }


def livereload_tag(version: str) -> bytes:
    """The script injected into served HTML pages (only served ones: never built files)."""
    code = resources.files(__package__).joinpath("livereload.js").read_text(encoding="utf-8")
    return f'<script data-sitegen-livereload data-version="{version}">\n{code}</script>\n'.encode()


PLACEHOLDER = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sitegen: no build yet</title></head>
<body><p>The site has not built yet. Fix the errors below; this page reloads by itself.</p>
</body></html>
"""


class DevServer:
    """Builds a site in memory, serves it over HTTP and rebuilds it when its sources change."""

    def __init__(
        self,
        site_dir: Path,
        options: Options | None = None,
        host: str = "127.0.0.1",
        port: int | None = 0,
        poll: bool = False,
        log: Log = lambda line: None,
        talk: Talk | None = None,
        search_delay: float = 1.0,
    ) -> None:
        self.site_dir = site_dir
        self.options = options or Options()
        self.host, self.port, self.poll = host, port, poll
        self.log = log
        self.talk = talk or Talk()
        self.builder = SiteBuilder(site_dir, self.options)
        self.changes = ChangeCollector(site_dir, ignored=[site_dir / "output"])
        self.instance = secrets.token_hex(4)  # versions from a restarted server never match
        self._builds = 0  # only the builder thread touches it after start()
        # Guards `_snapshot`, `_building` and `_closing`: the builder writes them, request and
        # event-stream threads wait on this condition until a build is done or a new one shows.
        self._state = threading.Condition()
        self._snapshot = Snapshot({}, self.options.base_url or "/", "", script=b"")
        self._building = False
        self._closing = False
        self.httpd: SiteHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._watcher: Watcher | None = None
        # The search index: made after each build, while the pages are already served.
        self.search = BackgroundIndex(self._publish_search, search_delay)
        self._search: dict[str, bytes] = {}  # the newest index's files, and the one's before
        self._latest: set[str] = set()  # the newest index's files alone

    # Lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Build once, listen, then watch and serve in background threads."""
        self.httpd = bind(self.host, self.port, self)
        self.port = self.httpd.server_address[1]
        self._watcher = Watcher(self.changes, poll=self.poll)
        self.rebuild(set())
        serve = functools.partial(self.httpd.serve_forever, poll_interval=0.1)  # quick to stop
        for target, name in ((serve, "serve"), (self._build_loop, "build")):
            # A build cut short by the end of the process loses nothing: it writes no file
            # but the cache, and that whole or not at all. So a slow build never holds Ctrl-C.
            thread = threading.Thread(target=target, name=f"sitegen-{name}", daemon=name == "build")
            thread.start()
            self._threads.append(thread)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.snapshot().base_url}"

    def close(self) -> None:
        """Stop watching, building and serving, within about STOP_SECONDS: every thread
        started here is joined, but for a build still running then and the watcher's own
        threads, which end with the process."""
        self.changes.close()
        self.search.close()
        with self._state:
            self._closing = True
            self._state.notify_all()
        if self.httpd is not None:
            if self._threads:
                self.httpd.shutdown()
            self.httpd.close_connections()
            self.httpd.server_close()  # joins the request threads
        for thread in self._threads:
            thread.join(STOP_SECONDS if thread.daemon else None)
        if self._watcher is not None:
            self._watcher.stop(STOP_SECONDS)

    # Building ----------------------------------------------------------------------------

    def _build_loop(self) -> None:
        while (batch := self.changes.next_batch()) is not None:
            if self._watcher is not None:
                self._watcher.refresh_after(batch)  # before the build reads what is there
            self.rebuild(batch)

    def rebuild(self, changed: set[str]) -> None:
        """Build, then publish the result: new files, or the errors over the last good ones."""
        with self._state:
            self._building = True
        start = time.perf_counter()
        self.search.pause()
        try:
            result = self.builder.build(changed=changed or None)
        except SiteError as error:
            outcome = "serving the last good build" if self._builds else "nothing to serve yet"
            self._publish_errors(format_report(error.diagnostics, outcome))
            report = format_report(error.diagnostics, outcome, self.talk.paint)
            self.log(f"{describe(changed)}: the site has errors\n{report}")
            return
        except Exception as error:  # a bad edit or a vanished file never kills the server
            self._publish_errors(f"build failed: {type(error).__name__}: {error}")
            self.log(f"{describe(changed)}: build failed: {type(error).__name__}: {error}")
            return
        finally:
            self.search.resume()
        files = result.files
        self._publish(files, result.content.site.base_url, changed, result.why.keys())
        self.search.update(files, result.content.site.language)
        elapsed = (time.perf_counter() - start) * 1000
        if self.talk.quiet:
            return
        self.log(
            f"{describe(changed)}: {result.rendered} of {len(files)} files re-rendered"
            f" in {elapsed:.0f} ms"
        )
        if self.talk.verbose:
            self.log(terminal.timings(result.timings))
            for line in terminal.rerendered(result.why, len(files)):
                self.log(line)
        if not changed:  # the same on every build: said once, not after every edit
            for warning in result.warnings:
                self.log(warning.format(self.talk.paint))

    def _publish(
        self, files: dict[str, Held], base_url: str, changed: set[str], fresh: Iterable[str]
    ) -> None:
        with self._state:
            old = self._snapshot
            files = {**files, **self._search}
            if files == old.files and base_url == old.base_url and old.version:
                new = dataclasses.replace(old, state=old.state + 1, errors="")
            else:
                self._builds += 1
                version = f"{self.instance}-{self._builds}"
                new = Snapshot(
                    files,
                    base_url,
                    version,
                    state=old.state + 1,
                    previous=old.version,
                    stylesheets=stylesheet_swaps(old.files, files, base_url, changed),
                    pages=page_updates(old.files, files, fresh, base_url) if old.version else None,
                    script=livereload_tag(version),
                )
            self._snapshot, self._building = new, False
            self._state.notify_all()

    def _publish_search(self, bundle: dict[str, bytes]) -> None:
        """Swap a new search index into the snapshot. Tabs need not reload for it: they
        hear of it (`search` in the event) and load the new one for the next query. The
        last index's files stay beside it, so that a tab that loaded that one before the
        swap still finds the pieces it names (each piece has a name of its own)."""
        with self._state:
            last = {o: d for o, d in self._search.items() if o in self._latest}
            self._search, self._latest = {**last, **bundle}, set(bundle)
            old = self._snapshot
            files = {o: d for o, d in old.files.items() if not o.startswith(f"{SEARCH_DIR}/")}
            files.update(self._search)
            new = dataclasses.replace(old, files=files, state=old.state + 1, search=old.search + 1)
            self._snapshot = new
            self._state.notify_all()

    def _publish_errors(self, report: str) -> None:
        old = self._snapshot
        new = dataclasses.replace(old, state=old.state + 1, errors=report, stylesheets=None)
        if not old.script:  # nothing built yet: the placeholder page still needs the script
            new = dataclasses.replace(new, script=livereload_tag(old.version))
        with self._state:
            self._snapshot, self._building = new, False
            self._state.notify_all()

    # Reading, for the request threads ----------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The site as the newest finished build left it (waits while one is running)."""
        with self._state:
            self._state.wait_for(
                lambda: not self._building or self._closing, timeout=BUILD_WAIT_SECONDS
            )
            return self._snapshot

    def next_state(self, seen: int | None, timeout: float) -> Snapshot | None:
        """The snapshot once its state differs from `seen` (or after `timeout`); None when
        the server is closing."""
        with self._state:
            self._state.wait_for(
                lambda: self._snapshot.state != seen or self._closing, timeout=timeout
            )
            return None if self._closing else self._snapshot

    def search_made(self, target: str, snapshot: Snapshot) -> bool:
        """For a request target the snapshot lacks: whether it is in the search index's
        folder, and so waited for the index under way to be published (a search made just
        after a build gets that build's index, not a 404 while it is made)."""
        path = unquote(target.split("?", 1)[0])
        if not path.startswith(f"{snapshot.base_url}{SEARCH_DIR}/"):
            return False
        self.search.wait(BUILD_WAIT_SECONDS)
        return True

    def missing_page(self, snapshot: Snapshot) -> bytes:
        """The site's own 404 page, or a placeholder before the first good build."""
        return bytes(snapshot.files.get("404.html", PLACEHOLDER))


def stylesheet_swaps(
    old: Mapping[str, Held], new: Mapping[str, Held], base_url: str, changed: set[str]
) -> dict[str, str] | None:
    """When only stylesheets were edited: each changed one's path → its new hashed URL."""
    if not changed or not all(p.startswith("templates/") and p.endswith(".css") for p in changed):
        return None
    swaps = {}
    for output, data in new.items():
        if output.endswith(".css") and old.get(output) != data:
            swaps[base_url + output] = f"{base_url}{output}?v={content_hash(bytes(data))}"
    return swaps or None


def page_updates(
    old: Mapping[str, Held], new: Mapping[str, Held], fresh: Iterable[str], base_url: str
) -> dict[str, str] | None:
    """Each page whose bytes changed, by URL: "main" when all around its <main> is the
    same, else "page". None when another file a page may show changed (an image, a font,
    a script linked without its hash), which only a reload is sure to show.

    `fresh`: the files the build rendered afresh, the only ones that can differ; so a
    rebuild looks at the few it made, not at every file of the site."""
    changed = [o for o in fresh if old.get(o) != new.get(o)]
    added = sum(o not in old for o in changed)
    # Files only come (among the fresh) or go: when the counts add up, none went.
    gone = old.keys() - new.keys() if len(old) + added != len(new) else set()
    updates = {}
    for output in sorted((*changed, *gone)):
        if output.endswith(".html"):
            before, after = around_main(old.get(output)), around_main(new.get(output))
            inside = before is not None and before == after
            updates[base_url + output.removesuffix("index.html")] = "main" if inside else "page"
        elif not output.startswith(UNSHOWN) and not output.endswith(DATA):
            return None
    return updates


UNSHOWN = ("cards/", f"{SEARCH_DIR}/")  # social cards; the index, which tabs hear of apart
DATA = (".json", ".xml", ".txt")  # the feed, the sitemap, `timeline.json`: no page shows one


def around_main(page: bytes | None) -> tuple[bytes, bytes] | None:
    """What a page holds before its <main> and after it (None without one)."""
    if page is None:
        return None
    start, end = page.find(b"<main"), page.rfind(b"</main>")
    return (page[:start], page[end:]) if 0 <= start < end else None


def describe(changed: set[str]) -> str:
    """`content/a.yaml changed`, `content/a.yaml and 2 more changed`, or `initial build`."""
    if not changed:
        return "initial build"
    first, *rest = sorted(changed)
    return f"{first} and {len(rest)} more changed" if rest else f"{first} changed"


__all__ = ["EVENTS_PATH", "DevServer", "ServeError", "Snapshot"]
