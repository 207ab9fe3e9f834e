"""Load, slow clients and hostile requests against the real `sitegen serve`.

    python benchmarks/serve_load.py [--site DIR] [--seconds 10] [--connections 50]

Copies the site into a temporary folder, starts `sitegen serve --site COPY --port 0` and,
while the site's title is edited every 200 ms (half the saves atomic, as editors do):
- CONNECTIONS keep-alive clients fetch every page for SECONDS; every response must be a
  2xx, and each HTML page must carry one build's title only (never half of two builds),
  and a client never gets an older build after a newer one;
- the server's memory (RSS) is sampled: it must stay flat;
- slow clients connect and send nothing (or half a request): the load must not notice
  them, and the server must hang up on them in the end;
- 30 traversal and malformed requests over raw sockets must all be refused (400 or 404;
  405/501 for methods, 414/431 for oversized lines, as HTTP says) and never return a file
  from outside the site.
Prints the figures; exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MARKER = re.compile(rb"Load build (\d+)")
SECRET = "sitegen-secret-7c1f"  # written beside the site: no request may ever return it
PASSWD = b"root:x:0:0"


@dataclass
class Served:
    """A running `sitegen serve` on a copy of a site."""

    process: subprocess.Popen[str]
    site: Path
    host: str
    port: int
    base: str  # the URL path the site is served under


@contextmanager
def serve(site: Path) -> Iterator[Served]:
    """Copy `site`, title it 'Load build 0', and serve the copy on a free port."""
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(site / "content", copy / "content")
        shutil.copytree(site / "templates", copy / "templates")
        (Path(tmp) / "secret.txt").write_text(SECRET)
        set_title(copy, 0, atomic=False)
        command = [sys.executable, "-m", "sitegen", "serve", "--site", str(copy), "--port", "0"]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            url = wait_for_url(process)
            match = re.match(r"http://([^/:]+):(\d+)(/.*)", url)
            assert match, url
            yield Served(process, copy, match[1], int(match[2]), match[3])
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_for_url(process: subprocess.Popen[str]) -> str:
    """The URL the server prints once it listens ('Serving http://127.0.0.1:PORT/ ...')."""
    assert process.stdout is not None
    for line in process.stdout:
        if found := re.search(r"http://(?:127\.0\.0\.1|localhost):\d+/\S*", line):
            threading.Thread(target=process.stdout.read, daemon=True).start()  # keep draining
            return found[0].rstrip(".,")
    raise RuntimeError(f"sitegen serve exited with {process.wait()} before serving")


def set_title(site: Path, build: int, atomic: bool) -> None:
    """Give the site the title 'Load build N': every page shows it."""
    path = site / "content/site.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text = "".join(
        f'title: "Load build {build}"\n' if line.startswith("title:") else line for line in lines
    )
    if atomic:  # write a temporary file and rename it over the old one, as many editors do
        temporary = path.with_name(f".{path.name}.swp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    else:
        path.write_text(text, encoding="utf-8")


def page_urls(served: Served) -> list[str]:
    """Every page of the site, from the sitemap plus the files every site has."""
    connection = http.client.HTTPConnection(served.host, served.port, timeout=30)
    connection.request("GET", served.base + "sitemap.xml")
    sitemap = connection.getresponse().read().decode()
    connection.close()
    pages = [
        re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)
    ]
    extras = ["feed.xml", "timeline.json", "sitemap.xml", "robots.txt", "404.html"]
    return sorted(set(pages)) + [served.base + extra for extra in extras]


@dataclass
class LoadResult:
    pages: int
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # exceptions: resets, short bodies
    mixed: list[str] = field(default_factory=list)  # pages showing two builds' titles
    stale: list[str] = field(default_factory=list)  # an older build after a newer one
    builds_seen: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + len(self.failures)

    @property
    def bad(self) -> int:
        """Failed requests and responses that are not 2xx."""
        return len(self.failures) + sum(n for s, n in self.statuses.items() if s // 100 != 2)

    def problems(self) -> list[str]:
        return self.failures + self.mixed + self.stale


def client(
    served: Served, urls: list[str], offset: int, deadline: float, result: LoadResult
) -> None:
    """One keep-alive connection fetching pages in turn until the deadline."""
    connection = http.client.HTTPConnection(served.host, served.port, timeout=30)
    newest = 0
    i = offset
    while time.monotonic() < deadline:
        url = urls[i % len(urls)]
        i += 1
        start = time.perf_counter()
        try:
            connection.request("GET", url)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            connection = http.client.HTTPConnection(served.host, served.port, timeout=30)
            with result.lock:
                result.failures.append(f"{url}: {error!r}")
            continue
        elapsed = time.perf_counter() - start
        builds = {int(n) for n in MARKER.findall(body)}
        with result.lock:
            result.latencies.append(elapsed)
            result.statuses[response.status] = result.statuses.get(response.status, 0) + 1
            result.builds_seen |= builds
            if len(builds) > 1:
                result.mixed.append(f"{url}: builds {sorted(builds)}")
            if builds and max(builds) < newest:
                result.stale.append(f"{url}: build {max(builds)} after build {newest}")
        newest = max(newest, *builds) if builds else newest
    connection.close()


def editor(served: Served, deadline: float, every: float) -> int:
    """Retitle the site every `every` seconds until the deadline; the number of edits."""
    build = 0
    while time.monotonic() < deadline:
        time.sleep(every)
        build += 1
        set_title(served.site, build, atomic=build % 2 == 0)
    return build


def rss_sampler(pid: int, stop: threading.Event, samples: list[int]) -> None:
    """The server's resident memory in KiB, four times a second."""
    while not stop.wait(0.25):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        if found := re.search(r"VmRSS:\s+(\d+) kB", status):
            samples.append(int(found[1]))


def open_slow_clients(served: Served, count: int) -> list[socket.socket]:
    """Connections that send nothing, or half a request line, and then wait."""
    sockets = []
    for i in range(count):
        s = socket.create_connection((served.host, served.port))
        if i % 2:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
        sockets.append(s)
    return sockets


def wait_for_hang_ups(
    sockets: list[socket.socket], opened: float, patience: float
) -> tuple[int, float]:
    """How many slow clients the server closed within `patience` s of their connecting, and
    how long after connecting the last of them was closed."""
    closed, last = 0, 0.0
    for s in sockets:
        s.settimeout(max(0.1, opened + patience - time.monotonic()))
        try:
            while s.recv(65536):  # a 408 or 400 may come first; then the close
                pass
        except TimeoutError:
            s.close()
            continue
        except OSError:
            pass  # reset: closed too
        closed += 1
        last = time.monotonic() - opened
        s.close()
    return closed, last


# Path probes must get 400 or 404; method and size probes may get the status HTTP has for them.
PATH_OK = {400, 404}
METHOD_OK = {400, 404, 405, 501}
SIZE_OK = {400, 404, 414, 431}


def probes(base: str) -> list[tuple[str, bytes, set[int]]]:
    """30 hostile or malformed requests: (name, raw bytes, acceptable statuses)."""
    get = lambda target: f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()  # noqa: E731
    paths = [
        "/../../etc/passwd",
        f"{base}../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/..%5c..%5c..%5cetc%5cpasswd",
        "/..\\..\\..\\etc\\passwd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/.%2e/.%2e/secret.txt",
        "/static/../../secret.txt",
        "/./../secret.txt",
        "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "//etc/passwd",
        "http://127.0.0.1/../../etc/passwd",
        "http://evil.example/../secret.txt",
        "/index.html%00.css",
        "/%00",
        "/milestones/..;/..;/secret.txt",
        "/proc/self/environ",
        "/~root/.bash_history",
    ]
    cases = [(f"GET {p}", get(p), PATH_OK) for p in paths]
    cases += [
        (
            "raw NUL byte in the path",
            b"GET /\x00/../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            PATH_OK,
        ),
        ("a 100 KB path", get("/" + "a" * 100_000), SIZE_OK),
        (
            "a 100 KB header",
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 100_000 + b"\r\n\r\n",
            SIZE_OK,
        ),
        ("500 headers", b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 500 + b"\r\n", SIZE_OK),
        ("unknown method FOO", b"FOO / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", METHOD_OK),
        ("DELETE", b"DELETE /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", METHOD_OK),
        (
            "PUT with a body",
            b"PUT /x.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello",
            METHOD_OK,
        ),
        ("CONNECT", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", METHOD_OK),
        ("HTTP/9.9", b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", {400, 505}),
        (
            "TLS hello on plain HTTP",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(32) + b"\r\n\r\n",
            {400, 404},
        ),
    ]
    return cases


def probe(served: Served, request: bytes) -> tuple[int, bytes]:
    """Send raw bytes; the status (0 if none) and everything the server sent back."""
    with socket.create_connection((served.host, served.port), timeout=10) as s:
        try:
            s.sendall(request)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may hang up before reading it all: its answer still counts
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
        except OSError:
            pass
    found = re.match(rb"HTTP/\d\.\d (\d{3})", data)
    # A request line Python's http.server cannot parse is answered HTTP/0.9-style: the
    # error page alone, with no status line; the page names the code.
    found = found or re.search(rb"Error code: (\d{3})", data)
    return (int(found[1]) if found else 0), data


def run_probes(served: Served) -> list[str]:
    """Every probe's outcome, one line each; lines starting with 'FAIL' are failures."""
    lines = []
    for name, request, allowed in probes(served.base):
        status, data = probe(served, request)
        leaked = SECRET.encode() in data or PASSWD in data
        ok = status in allowed and not leaked
        verdict = "ok  " if ok else "FAIL"
        lines.append(
            f"{verdict} {status or 'no status'} {name[:70]}{' LEAKED A FILE' if leaked else ''}"
        )
    return lines


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_load(
    served: Served, seconds: float, connections: int, edit_every: float
) -> tuple[LoadResult, int, list[int]]:
    """The clients and the editor at once: the result, the number of edits and the RSS
    samples (KiB)."""
    urls = page_urls(served)
    samples: list[int] = []
    stop = threading.Event()
    sampler = threading.Thread(target=rss_sampler, args=(served.process.pid, stop, samples))
    sampler.start()
    result = LoadResult(pages=len(urls))
    deadline = time.monotonic() + seconds
    clients = [
        threading.Thread(target=client, args=(served, urls, i * 7, deadline, result))
        for i in range(connections)
    ]
    for thread in clients:
        thread.start()
    edits = editor(served, deadline, edit_every)
    for thread in clients:
        thread.join()
    stop.set()
    sampler.join()
    return result, edits, samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=REPO, help="default: this repo's site")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--edit-every", type=float, default=0.2, metavar="SECONDS")
    parser.add_argument("--slow-clients", type=int, default=20)
    parser.add_argument(
        "--hang-up-patience",
        type=float,
        default=45.0,
        metavar="SECONDS",
        help="how long slow clients wait to be hung up on (the server's timeout)",
    )
    args = parser.parse_args(argv)
    with serve(args.site) as served:
        connecting = time.monotonic()  # a burst of connections: the listen backlog shows here
        slow = open_slow_clients(served, args.slow_clients)
        opened = time.monotonic()
        result, edits, rss = run_load(served, args.seconds, args.connections, args.edit_every)
        probe_lines = run_probes(served)
        hung_up, after = wait_for_hang_ups(slow, opened, args.hang_up_patience)

    warm = rss[len(rss) // 5 :] or rss or [0]  # after the first fifth: caches are full
    checks = {
        "0 failed or non-2xx responses": result.bad == 0,
        "no page mixing two builds": not result.mixed,
        "no older build after a newer one": not result.stale,
        "the edits were served": len(result.builds_seen) > 1,
        "memory flat (under 20 MiB growth after warm-up)": warm[-1] - warm[0] < 20 * 1024,
        "every slow client hung up on": hung_up == len(slow),
        "every probe refused, nothing leaked": not any(
            line.startswith("FAIL") for line in probe_lines
        ),
    }
    ms = [t * 1000 for t in result.latencies] or [0.0]
    print(f"pages: {result.pages}; {args.connections} connections for {args.seconds:g} s")
    print(f"edits: {edits}; builds seen by clients: {len(result.builds_seen)}")
    print(f"requests: {result.requests} ({result.requests / args.seconds:.0f}/s)")
    print(f"failed or non-2xx: {result.bad}; statuses: {dict(sorted(result.statuses.items()))}")
    print(f"latency ms: p50 {percentile(ms, 0.5):.1f}, p99 {percentile(ms, 0.99):.1f}, ", end="")
    print(f"max {max(ms):.0f}")
    print(f"pages mixing builds: {len(result.mixed)}; stale pages: {len(result.stale)}")
    mib = [f"{kib / 1024:.1f}" for kib in (rss[0] if rss else 0, warm[0], warm[-1], max(warm))]
    print("server RSS MiB: start {}, after warm-up {}, end {}, max {}".format(*mib))
    print(f"slow clients: {len(slow)} connected in {opened - connecting:.2f} s; ", end="")
    print(f"{hung_up} hung up on, the last after {after:.1f} s")
    print(f"probes ({len(probe_lines)}):")
    for line in probe_lines + [f"problem: {p}" for p in result.problems()[:10]]:
        print(f"  {line}")
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
