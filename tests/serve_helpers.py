"""Running the real dev server on a real port, and editing its site files for real."""

from __future__ import annotations

import http.client
import os
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.build import Options
from sitegen.devserver import DevServer

from .conftest import SiteFactory

REBUILD_LINE = r"{path} changed: \d+ of \d+ files re-rendered in \d+ ms"


@dataclass
class Served:
    """A running dev server, its site folder and the lines it logged."""

    server: DevServer
    site: Path
    log: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def get(
        self, path: str, method: str = "GET", read: bool = True
    ) -> tuple[int, dict[str, str], bytes]:
        """One raw HTTP request: the path goes out exactly as written, unnormalised.
        `read=False` leaves the body (an endless event stream) unread."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            body = response.read() if read else b""
            return response.status, dict(response.getheaders()), body
        finally:
            connection.close()


ServeFactory = Callable[..., Served]


def running_servers(site_factory: SiteFactory) -> Iterator[ServeFactory]:
    """For a `serve` fixture: start `DevServer` on port 0 over a fixture site; every server
    started is closed afterwards."""
    running: list[Served] = []

    def start(
        files: dict[str, str | None] | None = None,
        base_url: str | None = None,
        poll: bool = False,
    ) -> Served:
        site = site_factory(files)
        log: list[str] = []
        options = Options(base_url=base_url, drafts=True)  # as `sitegen serve` runs it
        server = DevServer(site, options, port=0, poll=poll, log=log.append)
        served = Served(server, site, log)
        running.append(served)
        server.start()
        return served

    yield start
    for served in running:
        served.server.close()


def replace_in(path: Path, old: str, new: str) -> None:
    """An in-place save, as most tools do it."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def atomic_save(path: Path, text: str) -> None:
    """An editor's atomic save: write a temporary file beside the target, rename it over."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(textwrap.dedent(text))
    os.replace(temporary, path)
