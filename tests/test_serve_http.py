"""`sitegen serve` over raw HTTP: what it serves, what it refuses, how it starts and stops."""

from __future__ import annotations

import http.client
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sitegen.build import Options
from sitegen.devserver import DevServer, page_updates
from sitegen.httpd import EVENTS_PATH, MAX_STREAMS, is_our_host
from sitegen.render import Chunked
from sitegen.watch import is_source

from .conftest import SiteFactory, sitegen, tree_bytes
from .serve_helpers import REBUILD_LINE, Served, ServeFactory, replace_in, running_servers

LIVE_SCRIPT = re.compile(rb"<script data-sitegen-livereload [^>]*>.*?</script>\n", re.DOTALL)
SECRET = "secret: never served"


@pytest.fixture
def serve(site_factory: SiteFactory) -> Iterator[ServeFactory]:
    yield from running_servers(site_factory)


def test_serves_the_built_site_with_the_script_in_html_only(
    serve: ServeFactory, tmp_path: Path
) -> None:
    """Every file as built, the HTML with the script; `timeline.json` is large enough to
    be held in chunks (see `render.keep_bytes`), which go out as one file."""
    words = " ".join(["word"] * 20_000)
    long = "id: long\ndate: 2021\nframework: alpha\ntitle: Long\nsources: [{source: paper}]\n"
    served = serve({"content/milestones/long.yaml": long + f"summary: {words}\n"})
    assert isinstance(served.server.snapshot().files["timeline.json"], Chunked)
    built = tmp_path / "built"
    assert sitegen("build", "--site", served.site, "--out", built).returncode == 0
    for output, data in tree_bytes(built).items():
        if output == ".sitegen-manifest":
            continue  # what a build wrote to its folder, for the next build there
        status, _, body = served.get("/" + output)
        assert status == 200, output
        if output.endswith(".html"):
            assert len(LIVE_SCRIPT.findall(body)) == 1, output
            assert LIVE_SCRIPT.sub(b"", body) == data, output
        else:
            assert body == data, output
    assert b"sitegen-livereload" not in b"".join(tree_bytes(built).values())
    assert not (served.site / "output").exists(), "serve never writes output/"


def test_a_request_for_the_search_index_gets_it_without_waiting_out_its_delay(
    site_factory: SiteFactory,
) -> None:
    """The index is made a while after a build (tabs reload first); a search made before
    then gets the build's index at once rather than a 404."""
    site = site_factory()
    server = DevServer(site, Options(drafts=True), port=0, log=lambda _: None, search_delay=3600)
    server.start()
    try:
        served = Served(server, site)
        assert not any(o.startswith("pagefind/") for o in server.snapshot().files)
        status, _, parts = served.get("/pagefind/parts.json")  # what search.js asks first
        assert (status, parts) == (200, b'["part-1-of-1/"]')
        script = "pagefind/part-1-of-1/pagefind.js"
        assert served.get(f"/{script}")[2] == server.snapshot().files[script]
        assert served.get("/pagefind/nothing.pf_fragment")[0] == 404
        assert served.get("/nothing/")[0] == 404
    finally:
        server.close()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/milestones/alpha-1/", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/feed.xml", "application/xml"),
        ("/sitemap.xml", "application/xml"),
        ("/timeline.json", "application/json"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ],
)
def test_content_types_and_head(serve: ServeFactory, path: str, content_type: str) -> None:
    served = serve()
    status, headers, body = served.get(path)
    assert (status, headers["Content-Type"]) == (200, content_type)
    assert headers["X-Content-Type-Options"] == "nosniff"
    head_status, head_headers, head_body = served.get(path, method="HEAD")
    assert (head_status, head_body) == (200, b"")
    assert head_headers["Content-Length"] == str(len(body))


def test_only_get_and_head(serve: ServeFactory) -> None:
    served = serve()
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        status, headers, _ = served.get("/", method=method)
        assert (status, headers["Allow"]) == (405, "GET, HEAD"), method


def test_traversal_probes_all_get_the_sites_404(serve: ServeFactory, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    served = serve()
    (served.site / "templates/static/inside.txt").write_text("inside the theme")
    replace_in(served.site / "content/milestones/alpha-1.yaml", "Alpha 1.0", "Alpha One")
    wait_for_log(served, "content/milestones/alpha-1.yaml")
    assert served.get("/static/inside.txt")[0] == 200
    (served.site / "templates/static/outside.txt").symlink_to(secret)
    replace_in(served.site / "content/milestones/alpha-1.yaml", "Alpha One", "Alpha 1.0")
    refused = f"templates/static/outside.txt: error: a link out of the theme folder (to {secret})"
    deadline = time.monotonic() + 30
    while not any(refused in line for line in served.log):  # the build is refused
        assert time.monotonic() < deadline, served.log
        time.sleep(0.05)
    probes = [
        "/../content/site.yaml",
        "/static/../../content/site.yaml",
        "/%2e%2e/content/site.yaml",
        "/static/%2e%2e/%2e%2e/content/site.yaml",
        "/static/..%2f..%2fcontent%2fsite.yaml",
        "/static%2F..%2F..%2Fcontent/site.yaml",
        "/static/..%5c..%5ccontent%5csite.yaml",
        "/static/..\\..\\content\\site.yaml",
        "//etc/passwd",
        "/etc/passwd",
        str(secret),
        "http://127.0.0.1/../content/site.yaml",
        "/static/outside.txt",
        "/static/%00",
        "/milestones/%ff/",
        "/./static/style.css",
        "/static//style.css",
    ]
    for probe in probes:
        status, headers, body = served.get(probe)
        assert status == 404, probe
        assert headers["Content-Type"] == "text/html; charset=utf-8", probe
        assert b"<h1>Page not found</h1>" in body, probe
        assert SECRET.encode() not in body and b"title: Test" not in body, probe


def test_base_url_serves_under_it_and_redirects_the_root(serve: ServeFactory) -> None:
    served = serve(base_url="/REPO/")
    assert served.url.endswith("/REPO/")
    for path, location in [
        ("/", "/REPO/"),
        ("/REPO", "/REPO/"),
        ("/REPO/milestones/alpha-1", "/REPO/milestones/alpha-1/"),
    ]:
        status, headers, _ = served.get(path)
        assert (status, headers["Location"]) == (302, location), path
    status, _, body = served.get("/REPO/")
    assert status == 200
    assert b'<link rel="stylesheet" href="/REPO/static/style.css?v=' in body
    assert served.get("/REPO/static/style.css")[0] == 200
    assert served.get("/static/style.css")[0] == 404


def test_a_base_url_in_any_script_redirects_the_root(serve: ServeFactory) -> None:
    """A Location header is ASCII: `/日本/` goes percent-encoded, and is served there."""
    served = serve({"content/site.yaml": "title: T\ndescription: D\nbase_url: /日本/\n"})
    status, headers, _ = served.get("/")
    assert (status, headers["Location"]) == (302, "/%E6%97%A5%E6%9C%AC/")
    status, _, body = served.get(headers["Location"])
    assert status == 200 and b'href="/\xe6\x97\xa5\xe6\x9c\xac/static/style.css' in body


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:{port}", 200),
        ("localhost:{port}", 200),
        ("LocalHost", 200),
        ("[::1]:{port}", 200),
        ("127.0.0.2", 200),
        ("evil.example", 421),
        ("evil.example:{port}", 421),
        ("127.0.0.1.evil.example", 421),
        ("localhost.evil.example", 421),
        ("[::1", 421),
        (None, 400),
    ],
)
def test_only_requests_for_this_server_are_answered(
    serve: ServeFactory, host: str | None, status: int
) -> None:
    """DNS rebinding: a page on evil.example, its name made to resolve to 127.0.0.1, asks for
    the draft site; its requests name evil.example as their host and are refused."""
    served = serve()
    for path in ("/", "/__sitegen/events"):
        connection = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=30)
        connection.putrequest("GET", path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host.format(port=served.server.port))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == status, path
        if status != 200:
            assert response.read() == (
                b"sitegen serve answers requests for localhost or its own address only\n"
            )
        connection.close()


@pytest.mark.parametrize(
    ("host", "listening", "expected"),
    [
        ("192.168.1.5:8000", "0.0.0.0", True),  # --host 0.0.0.0: any address of this machine
        ("[fe80::1]:8000", "::", True),
        ("192.168.1.5:8000", "192.168.1.5", True),
        ("192.168.1.6:8000", "192.168.1.5", False),
        ("devbox:8000", "devbox", True),  # --host devbox
        ("devbox.evil.example", "devbox", False),
        ("evil.example", "0.0.0.0", False),
        ("localhost:8000:1", "127.0.0.1", False),
    ],
)
def test_which_hosts_name_this_server(host: str, listening: str, expected: bool) -> None:
    assert is_our_host(host, listening) is expected


def test_editor_temp_files_never_trigger_a_build(serve: ServeFactory) -> None:
    served = serve()
    folder = served.site / "content/milestones"
    for name in (".alpha-1.yaml.swp", "alpha-1.yaml~", "4913", ".#alpha-1.yaml", "notes.txt"):
        (folder / name).write_text("not: [yaml")
    (served.site / "output").mkdir()
    (served.site / "output/index.html").write_text("stale")
    replace_in(folder / "alpha-1.yaml", "Alpha 1.0", "Alpha One")
    wait_for_log(served, "content/milestones/alpha-1.yaml")
    rebuilds = [line for line in served.log[1:] if ": warning: " not in line]
    pattern = REBUILD_LINE.format(path=re.escape("content/milestones/alpha-1.yaml"))
    assert len(rebuilds) == 1 and re.fullmatch(pattern, rebuilds[0]), served.log


@pytest.mark.parametrize("poll", [False, True], ids=["inotify", "polling"])
def test_a_save_that_briefly_removes_the_file_is_survived(serve: ServeFactory, poll: bool) -> None:
    served = serve(poll=poll)
    milestone = served.site / "content/milestones/alpha-1.yaml"
    text = milestone.read_text()
    milestone.rename(milestone.with_name("alpha-1.yaml~"))  # vim's backup-then-write save
    milestone.write_text(text.replace("Alpha 1.0", "Alpha, rewritten"))
    milestone.with_name("alpha-1.yaml~").unlink()
    deadline = time.monotonic() + 30
    while b"Alpha, rewritten" not in served.get("/milestones/alpha-1/")[2]:
        assert time.monotonic() < deadline, served.log
        time.sleep(0.05)
    assert served.server.snapshot().errors == ""


def wait_until(served: Served, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not done():
        assert time.monotonic() < deadline, served.log
        time.sleep(0.05)


def shows(served: Served, path: str, text: bytes) -> Callable[[], bool]:
    return lambda: text in served.get(path)[2] and served.server.snapshot().errors == ""


@pytest.mark.parametrize("poll", [False, True], ids=["inotify", "polling"])
@pytest.mark.parametrize("folder", ["content", "templates"])
def test_a_folder_deleted_and_made_again_is_watched_again(
    serve: ServeFactory, tmp_path: Path, poll: bool, folder: str
) -> None:
    """As `git checkout` of a branch without the folder, and back, can do. Without its
    templates/ a site is served with the packaged theme, so the site's own mark goes."""
    served = serve(poll=poll)
    replace_in(served.site / "templates/milestone.html", "<h1", "<h1 data-mine")
    wait_until(served, shows(served, "/milestones/alpha-1/", b"<h1 data-mine"))
    kept = tmp_path / "kept"
    shutil.move(served.site / folder, kept)
    if folder == "content":
        wait_until(served, lambda: "no content/ folder here" in served.server.snapshot().errors)
    else:
        wait_until(served, lambda: b"data-mine" not in served.get("/milestones/alpha-1/")[2])
    shutil.copytree(kept, served.site / folder)
    wait_until(served, shows(served, "/milestones/alpha-1/", b"<h1 data-mine"))
    replace_in(served.site / "content/milestones/alpha-1.yaml", "Alpha 1.0", "Alpha, again")
    replace_in(served.site / "templates/milestone.html", "<h1", "<h1 data-again")
    wait_until(served, shows(served, "/milestones/alpha-1/", b"<h1 data-again"))
    wait_until(served, shows(served, "/milestones/alpha-1/", b"Alpha, again"))


@pytest.mark.parametrize("poll", [False, True], ids=["inotify", "polling"])
def test_edits_inside_a_linked_folder_are_seen(
    site_factory: SiteFactory, serve: ServeFactory, poll: bool
) -> None:
    site = site_factory()
    shared = site.parent / "shared-milestones"
    shutil.move(site / "content/milestones", shared)
    (site / "content/milestones").symlink_to(shared)
    served = serve(poll=poll)
    assert b"Alpha 1.0" in served.get("/milestones/alpha-1/")[2]
    replace_in(shared / "alpha-1.yaml", "Alpha 1.0", "Alpha, linked")
    wait_until(served, shows(served, "/milestones/alpha-1/", b"Alpha, linked"))
    (shared / "alpha-2.yaml").write_text(
        (shared / "alpha-1.yaml").read_text().replace("alpha-1", "alpha-2")
    )
    wait_until(served, shows(served, "/milestones/alpha-2/", b"Alpha, linked"))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("content/milestones/a.yaml", True),
        ("content/site.yml", True),
        ("templates/static/style.css", True),
        ("templates/base.html", True),
        ("content/milestones/a.yaml.swp", False),
        ("content/milestones/.a.yaml.swp", False),
        ("content/milestones/a.yaml~", False),
        ("content/milestones/4913", False),
        ("content/milestones/.#a.yaml", False),
        ("content/.hidden/a.yaml", False),
        ("content/milestones/a.txt", False),
        ("content/archive/a.txt", True),
        ("content/archive/old/a.html", True),
        ("content/archive/a.txt~", False),
        ("content/archive/a.yaml.swp", False),
        ("templates/base.html___jb_tmp___", False),
        ("output/index.html", False),
    ],
)
def test_which_paths_are_sources(tmp_path: Path, path: str, expected: bool) -> None:
    assert is_source(str(tmp_path / path), tmp_path, [tmp_path / "output"]) is expected


def test_a_site_that_does_not_build_yet_is_served_as_a_placeholder(
    serve: ServeFactory,
) -> None:
    served = serve({"content/site.yaml": "title: T\n"})
    assert served.log[0] == (
        "initial build: the site has errors\n"
        "content/site.yaml:1:1: error: missing required key 'description'\n"
        "  hint: add 'description: ...'\n"
        "1 error; nothing to serve yet"
    )
    status, _, body = served.get("/")
    assert status == 404
    assert b"The site has not built yet" in body and LIVE_SCRIPT.search(body)


def test_close_leaves_no_thread_behind(site_factory: SiteFactory) -> None:
    before = set(threading.enumerate())
    server = DevServer(site_factory(), Options(), port=0)
    server.start()
    stream = socket.create_connection(("127.0.0.1", server.port))
    stream.sendall(b"GET /__sitegen/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert b"event: state" in read_until(stream, b"event: state")
    idle = socket.create_connection(("127.0.0.1", server.port))  # keep-alive, never speaks
    server.close()
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert left == []
    stream.close()
    idle.close()


def start_serving(site: Path) -> tuple[subprocess.Popen[str], int]:
    """The real `sitegen serve`, once it says where it serves; and its port."""
    command = [sys.executable, "-m", "sitegen", "serve", "--site", str(site), "--port", "0"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    lines = [process.stdout.readline()]  # type: ignore[union-attr]
    while lines[-1] and not lines[-1].startswith("Serving"):
        lines.append(process.stdout.readline())  # type: ignore[union-attr]
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] initial build: .*\n", lines[0]), lines
    match = re.fullmatch(r"Serving http://127\.0\.0\.1:(\d+)/ \(Ctrl-C to stop\)\n", lines[-1])
    assert match, lines
    return process, int(match[1])


def test_ctrl_c_stops_cleanly(site_factory: SiteFactory) -> None:
    site = site_factory()
    process, port = start_serving(site)
    try:
        stream = socket.create_connection(("127.0.0.1", port))
        stream.sendall(b"GET /__sitegen/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        read_until(stream, b"event: state")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        stream.close()
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert (out, err) == ("Stopped\n", "")
    assert not (site / "output").exists()


def test_ctrl_c_during_a_slow_rebuild_stops_at_once(site_factory: SiteFactory) -> None:
    """A rebuild that would take minutes (a template counting to a billion) must not hold
    Ctrl-C: the build in memory is simply dropped."""
    site = site_factory()
    process, port = start_serving(site)
    try:
        slow = "{% block main %}{% for i in range(10**9) %}{% endfor %}"
        replace_in(site / "templates/404.html", "{% block main %}", slow)
        while True:  # until a request waits for the running build
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
                connection.request("GET", "/")
                connection.getresponse().read()
                time.sleep(0.05)
            except TimeoutError:
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        process.kill()
    assert (process.returncode, out, err) == (0, "Stopped\n", "")


def test_busy_port_is_a_clear_error(site_factory: SiteFactory) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = sitegen("serve", "--site", site_factory(), "--port", port)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: cannot listen on 127.0.0.1:{port}: the port is in use; "
        "choose one with --port N, or --port 0 for any free port\n"
    )


def read_until(connection: socket.socket, marker: bytes) -> bytes:
    connection.settimeout(30)
    data = b""
    while marker not in data:
        chunk = connection.recv(4096)
        assert chunk, data
        data += chunk
    return data


def wait_for_log(served: Served, path: str) -> None:
    """Block until the server logged a rebuild for `path` (a real wait on the real watcher)."""
    deadline = time.monotonic() + 30
    while not any(line.startswith(path) for line in served.log):
        assert time.monotonic() < deadline, served.log
        time.sleep(0.05)


def test_only_assets_named_by_their_hash_may_be_cached(serve: ServeFactory) -> None:
    served = serve()
    _, _, page = served.get("/")
    link = re.search(rb'href="(/static/style\.css\?v=[0-9a-f]{10})"', page)
    assert link, page
    cached = "max-age=31536000, immutable"
    assert served.get(link[1].decode())[1]["Cache-Control"] == cached
    for path in ("/", "/static/style.css", "/static/style.css?v=0000000000", "/nope"):
        assert served.get(path)[1]["Cache-Control"] == "no-store", path


def test_idle_clients_and_many_tabs_never_block_a_page(serve: ServeFactory) -> None:
    served = serve()
    port = served.server.port
    idle = socket.create_connection(("127.0.0.1", port))
    idle.sendall(b"GET / HT")  # a client that stalls mid-request
    streams = []
    for _ in range(MAX_STREAMS):
        stream = socket.create_connection(("127.0.0.1", port))
        stream.sendall(b"GET /__sitegen/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        read_until(stream, b"event: state")
        streams.append(stream)
    status, headers, _ = served.get(EVENTS_PATH)
    assert (status, headers["Content-Type"]) == (503, "text/plain")
    assert served.get("/")[0] == 200
    streams.pop().close()  # a tab closes: its slot frees within a few seconds
    deadline = time.monotonic() + 30
    while (status := served.get(EVENTS_PATH, read=False)[0]) == 503:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert status == 200
    for connection in [idle, *streams]:
        connection.close()


def test_a_host_others_can_reach_gets_a_warning(site_factory: SiteFactory) -> None:
    # 192.0.2.1 is reserved for documentation: the warning shows, then binding fails.
    result = sitegen("serve", "--site", site_factory(), "--host", "192.0.2.1", "--port", "0")
    assert result.returncode == 1
    assert result.stderr == (
        "warning: listening on 192.0.2.1: anyone who can reach this machine can read the site\n"
        "error: cannot listen on 192.0.2.1:0: Cannot assign requested address\n"
    )


def test_tabs_hear_which_pages_changed_and_whether_only_their_main_did() -> None:
    def page(head: str, main: str) -> bytes:
        return f"<html><head><title>{head}</title></head><main>{main}</main></html>".encode()

    old = {
        "index.html": page("Home", "cards"),
        "about/index.html": page("About", "text"),
        "gone/index.html": page("Gone", "text"),
        "same/index.html": page("Same", "text"),
        "feed.xml": b"<feed/>",
        "cards/index.png": b"png",
    }
    new = {
        **old,
        "index.html": page("Home", "new cards"),
        "about/index.html": page("About us", "text"),
        "new/index.html": page("New", "text"),
        "feed.xml": b"<feed>new</feed>",
        "cards/index.png": b"new png",
    }
    del new["gone/index.html"]

    fresh = ["index.html", "about/index.html", "new/index.html", "feed.xml", "cards/index.png"]
    assert page_updates(old, new, [*fresh, "same/index.html"], "/REPO/") == {
        "/REPO/": "main",
        "/REPO/about/": "page",
        "/REPO/gone/": "page",
        "/REPO/new/": "page",
    }
    # An image a page may show under an unchanging URL: only a reload is sure to show it.
    photo = {**new, "static/photo.jpg": b"jpg"}
    assert page_updates(old, photo, [*fresh, "static/photo.jpg"], "/REPO/") is None
