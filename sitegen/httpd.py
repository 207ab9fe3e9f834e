"""The dev server's HTTP side: GET and HEAD of an in-memory site, plus an event stream.

Paths are resolved against the built site's file list, never against the disk, so no
request can reach a file outside the site: `..`, encoded slashes and absolute forms are
refused before the lookup.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import ipaddress
import json
import mimetypes
import re
import select
import socket
import socketserver
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

if TYPE_CHECKING:
    from .devserver import DevServer

EVENTS_PATH = "/__sitegen/events"  # outside any base URL a site could be served under
DEFAULT_PORTS = range(8000, 8010)  # 8000, or the next free one
MAX_STREAMS = 32  # open event streams at once; more get 503 and retry later
STREAM_SECONDS = 120.0  # a stream then ends; the browser reconnects by itself
HEARTBEAT_SECONDS = 15.0  # a comment line, so dead clients are noticed and proxies stay open
HANG_UP_CHECK_SECONDS = 1.0  # how often a quiet stream checks whether its tab closed
SOCKET_TIMEOUT = 30.0  # an idle or slow client frees its thread after this long

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}
# Encoded slashes, backslashes and NUL would let one path segment pose as several.
FORBIDDEN = re.compile(r"%2f|%5c|%00|\\", re.IGNORECASE)


class ServeError(Exception):
    """The server cannot start (the port is taken, the address is wrong)."""


def content_type(path: str) -> str:
    suffix = "." + path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def resolve(target: str, base_url: str, files: Mapping[str, object]) -> tuple[str, str]:
    """A request target → ("file", output path), ("redirect", location) or ("missing", "")."""
    missing = ("missing", "")
    raw = target.split("?", 1)[0].split("#", 1)[0]
    if not raw.startswith("/") or raw.startswith("//") or FORBIDDEN.search(raw):
        return missing
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return missing
    if path in ("/", base_url.rstrip("/")) and base_url != path:
        return ("redirect", quote(base_url))  # a header is ASCII: `/日本/` goes encoded
    if not path.startswith(base_url):
        return missing
    rest = path[len(base_url) :]
    parts = rest.split("/")
    if any(part in (".", "..") for part in parts) or "" in parts[:-1]:
        return missing
    output = rest + "index.html" if rest == "" or rest.endswith("/") else rest
    if output in files:
        return ("file", output)
    if output + "/index.html" in files:
        return ("redirect", quote(path) + "/")  # a folder asked for without its slash
    return missing


class SiteHTTPServer(ThreadingHTTPServer):
    """A thread per connection; closing shuts every open connection and joins its thread."""

    daemon_threads = False  # joined on close: no thread is left behind
    block_on_close = True
    # socketserver's default backlog of 5 makes a browser's burst of connections (or many
    # tabs) wait on SYN retries of a second or more; the kernel caps this anyway.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.dev = dev
        self.streams = threading.BoundedSemaphore(MAX_STREAMS)
        # Guards `_open`: accepted by the serve thread, dropped by request threads, shut by close.
        self._open_lock = threading.Lock()
        self._open: set[socket.socket] = set()
        super().__init__(address, RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS, which can stall: skip that.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake every request thread blocked on its socket, so it ends now."""
        with self._open_lock:
            for connection in self._open:
                with contextlib.suppress(OSError):  # already closed by its own thread
                    connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            self.dev.log(f"error while serving {client_address[0]}: {error!r}")


class SiteHTTPServer6(SiteHTTPServer):
    address_family = socket.AF_INET6


def bind(host: str, port: int | None, dev: DevServer) -> SiteHTTPServer:
    """Listen on `port`, or on 8000 or the next free port when `port` is None."""
    server_class = SiteHTTPServer6 if ":" in host else SiteHTTPServer
    ports = list(DEFAULT_PORTS) if port is None else [port]
    for candidate in ports:
        try:
            return server_class((host, candidate), dev)
        except OSError as error:
            if error.errno == errno.EADDRINUSE and candidate != ports[-1]:
                continue
            reason = error.strerror
            if error.errno == errno.EADDRINUSE:
                taken = f"ports {ports[0]} to {ports[-1]} are" if port is None else "the port is"
                reason = f"{taken} in use; choose one with --port N, or --port 0 for any free port"
            raise ServeError(f"cannot listen on {host}:{candidate}: {reason}") from None
    raise AssertionError("unreachable")


class RequestHandler(BaseHTTPRequestHandler):
    server: SiteHTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive: a reload reuses the open connection
    server_version = "sitegen"
    timeout = SOCKET_TIMEOUT

    def do_GET(self) -> None:
        if not self.host_allowed():
            return
        if self.path.split("?", 1)[0] == EVENTS_PATH:
            self.stream_events()
        else:
            self.serve_site(head=False)

    def do_HEAD(self) -> None:
        if self.host_allowed():
            self.serve_site(head=True)

    def host_allowed(self) -> bool:
        """Whether the request names this server as its host; else it is answered 421 (or
        400 without a Host), so that a page from elsewhere whose name was made to resolve
        here (DNS rebinding) cannot read the site."""
        host = self.headers.get("Host")
        if host is not None and is_our_host(host, self.server.dev.host):
            return True
        status = HTTPStatus.BAD_REQUEST if host is None else HTTPStatus.MISDIRECTED_REQUEST
        text = b"sitegen serve answers requests for localhost or its own address only\n"
        self.send_bytes(status, text, "text/plain; charset=utf-8", head=self.command == "HEAD")
        return False

    def refuse_method(self) -> None:
        self.send_bytes(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain", head=True, allow=True)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_CONNECT = do_TRACE = refuse_method

    def serve_site(self, head: bool) -> None:
        dev = self.server.dev
        snapshot = dev.snapshot()
        kind, value = resolve(self.path, snapshot.base_url, snapshot.files)
        if kind == "missing" and dev.search_made(self.path, snapshot):  # it was on its way
            snapshot = dev.snapshot()
            kind, value = resolve(self.path, snapshot.base_url, snapshot.files)
        if kind == "redirect":
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, output = HTTPStatus.OK, value
        found = snapshot.files.get(output) if kind == "file" else None
        data = None if found is None else bytes(found)  # joined, if held in chunks
        if data is None:
            status, output, data = HTTPStatus.NOT_FOUND, "404.html", dev.missing_page(snapshot)
        if output.endswith(".html"):
            data = inject(data, snapshot.script)
        cache = "no-store"  # an edit must show on the next load
        if status == HTTPStatus.OK and is_current_version(self.path, data):
            cache = "max-age=31536000, immutable"  # a reload need not ask for it again
        self.send_bytes(status, data, content_type(output), head=head, cache=cache)

    def send_bytes(
        self,
        status: int,
        data: bytes,
        kind: str,
        head: bool,
        allow: bool = False,
        cache: str = "no-store",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        if allow:
            self.send_header("Allow", "GET, HEAD")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def stream_events(self) -> None:
        """Server-Sent Events: the current state at once, then each new one as it comes."""
        if not self.server.streams.acquire(blocking=False):
            busy = b"too many open tabs; retrying\n"
            self.send_bytes(HTTPStatus.SERVICE_UNAVAILABLE, busy, "text/plain", head=False)
            return
        try:
            self.close_connection = True
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 500\n\n")
            self.pump_events(time.monotonic() + STREAM_SECONDS)
        except OSError:
            pass  # the tab went away
        finally:
            self.server.streams.release()

    def pump_events(self, deadline: float) -> None:
        seen: int | None = None
        beat = time.monotonic() + HEARTBEAT_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            snapshot = self.server.dev.next_state(seen, timeout=min(HANG_UP_CHECK_SECONDS, left))
            if snapshot is None or self.client_gone():
                return  # the server is closing, or the tab went away: free the slot
            if snapshot.state == seen:
                if time.monotonic() > beat:
                    self.wfile.write(b": still here\n\n")
                    beat = time.monotonic() + HEARTBEAT_SECONDS
                continue
            seen = snapshot.state
            data = json.dumps(snapshot.event(), separators=(",", ":"))
            self.wfile.write(f"event: state\ndata: {data}\n\n".encode())

    def client_gone(self) -> bool:
        """Whether the client closed its end (a tab never sends anything on a stream)."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the terminal shows builds, not requests


def is_our_host(host: str, listening: str) -> bool:
    """Whether a Host header names this server: `localhost`, a loopback address, the address
    it listens on (any address when that is 0.0.0.0 or ::), or the name given with --host.
    Any other name is refused: it is what DNS rebinding uses."""
    try:
        parts = urlsplit(f"//{host}")
        parts.port  # noqa: B018  # raises for a malformed port
    except ValueError:
        return False  # a malformed address
    name = (parts.hostname or "").rstrip(".")
    if name in ("localhost", listening.lower()) or name.endswith(".localhost"):
        return True
    address, ours = ip_address(name), ip_address(listening)
    if address is None:
        return False
    return address.is_loopback or address == ours or (ours is not None and ours.is_unspecified)


def ip_address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def is_current_version(target: str, data: bytes) -> bool:
    """Whether the URL names these exact bytes, as an asset link's `?v=<hash>` does."""
    return parse_qs(target.partition("?")[2]).get("v", []) == [content_hash(data)]


def content_hash(data: bytes) -> str:
    """An asset's `?v=` value: the same hash `environment.fingerprint` puts in its links."""
    return hashlib.sha256(data).hexdigest()[:10]


def inject(page: bytes, tag: bytes) -> bytes:
    """The page with `tag` just before its closing body tag (or at its end)."""
    at = page.rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]
