"""GitHub Pages, imitated on 127.0.0.1 for tests, and a crawler that follows every link.

`serve_like_pages(folder, "/REPO/")` serves a built site the way Pages serves a project site:
- `/REPO/dir/` is `dir/index.html`; `/REPO/dir` redirects to `/REPO/dir/`; `/REPO/page`
  is `page.html` when there is one; query strings are ignored;
- every other address under `/REPO/` gets the site's own `404.html`, with status 404;
  addresses outside `/REPO/` get a bare 404 (they belong to another site);
- dotfiles are not served, because `actions/upload-pages-artifact` leaves them out.

`crawl(seeds, public)` fetches every page from the seeds, following every link, stylesheet,
script, image, CSS `url()`, sitemap entry, feed link and robots.txt Sitemap line, and checks
every `#anchor`. Addresses on the site's public origin (`public`) are fetched from the local
server instead; other hosts are noted, not fetched.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import re
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

BARE_404 = b"<!doctype html><title>404</title><p>File not found"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str = ""


class PagesHandler(BaseHTTPRequestHandler):
    """Answers like GitHub Pages for one project site, read from `folder`."""

    def __init__(self, *args: object, folder: Path, base_path: str, **kwargs: object) -> None:
        self.folder = folder
        self.base_path = base_path
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        self.send(self.lookup(unquote(urlsplit(self.path).path)), with_body=True)

    def do_HEAD(self) -> None:
        self.send(self.lookup(unquote(urlsplit(self.path).path)), with_body=False)

    def lookup(self, path: str) -> Response:
        if path + "/" == self.base_path:
            return Response(301, location=self.base_path)
        if not path.startswith(self.base_path):
            return Response(404, BARE_404)
        relative = path[len(self.base_path) :]
        target = self.inside(relative)
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                return Response(301, location=path + "/")
            target = target / "index.html"
        elif target is not None and not target.exists() and relative:
            target = self.inside(relative + ".html")
        if target is not None and target.is_file():
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return Response(200, target.read_bytes(), with_charset(kind))
        not_found = self.folder / "404.html"
        return Response(404, not_found.read_bytes() if not_found.is_file() else BARE_404)

    def inside(self, relative: str) -> Path | None:
        """The file or folder at `relative`, or None when it is hidden or outside the site."""
        if any(part.startswith(".") for part in relative.split("/")):
            return None
        target = (self.folder / relative).resolve()
        return target if target == self.folder or self.folder in target.parents else None

    def send(self, response: Response, with_body: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        if response.location:
            self.send_header("Location", response.location)
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a test reports what went wrong itself."""


def with_charset(kind: str) -> str:
    textual = kind.startswith("text/") or kind in ("application/json", "application/xml")
    return f"{kind}; charset=utf-8" if textual else kind


@contextmanager
def serve_like_pages(folder: Path, base_path: str = "/") -> Iterator[str]:
    """Serve `folder` under `base_path` on 127.0.0.1 and a free port; yields the site's URL."""
    handler = functools.partial(PagesHandler, folder=folder.resolve(), base_path=base_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{base_path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A link that only works through a redirect is reported, not followed."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def fetch(url: str) -> Response:
    """GET `url`; any status comes back as a Response, never as an exception."""
    try:
        with OPENER.open(url, timeout=10) as reply:
            return Response(reply.status, reply.read(), reply.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        location = error.headers.get("Location", "")
        return Response(error.code, error.read(), error.headers.get("Content-Type", ""), location)


@dataclass
class Crawl:
    """What a crawl found: every address fetched with its status, and every broken link."""

    fetched: dict[str, int] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)
    ids: dict[str, set[str]] = field(default_factory=dict)  # HTML page → its ids


def crawl(seeds: list[str], public: dict[str, str] | None = None) -> Crawl:
    """Fetch the seeds and everything they link to on this site; check every #anchor."""
    public = public or {}
    local_origins = {origin(seed) for seed in seeds} | set(public.values())
    result = Crawl()
    anchors: list[tuple[str, str, str]] = []  # (linking page, link, target page)
    queue = [(seed, "(start)") for seed in seeds]
    while queue:
        link, referrer = queue.pop(0)
        url, fragment = urldefrag(localise(link, public))
        if origin(url) not in local_origins:
            result.external.add(link)
            continue
        if fragment:
            anchors.append((referrer, link, url))
        if url in result.fetched:
            continue
        response = fetch(url)
        result.fetched[url] = response.status
        if response.status != 200:
            result.broken.append(f"{referrer}: {link} answers {response.status}")
            continue
        found, ids = links_in(response, url)
        if ids is not None:
            result.ids[url] = ids
        queue += [(found_link, url) for found_link in found]
    for referrer, link, url in anchors:
        anchor = unquote(urldefrag(link)[1])
        if url in result.ids and anchor not in result.ids[url]:
            result.broken.append(f"{referrer}: {link} has no id '{anchor}'")
    return result


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def localise(link: str, public: dict[str, str]) -> str:
    """The local address of a link to the site's public origin."""
    for public_origin, local_origin in public.items():
        if origin(link) == public_origin:
            return local_origin + link[len(public_origin) :]
    return link


def links_in(response: Response, url: str) -> tuple[list[str], set[str] | None]:
    """The absolute links in a fetched file, and its ids when it is an HTML page."""
    kind = response.content_type.split(";")[0]
    if kind.startswith("image/"):
        return [], None  # a social card, say: it links nowhere
    text = response.body.decode("utf-8")
    if kind == "text/html":
        return html_links(text, url)
    if kind == "text/css":
        found = re.findall(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", text)
        return [urljoin(url, a or b) for a, b in found if not (a or b).startswith("data:")], None
    if kind in ("application/xml", "text/xml"):
        return xml_links(text, url), None
    if kind == "text/plain":
        return re.findall(r"(?im)^sitemap:\s*(\S+)", text), None
    return [], None


HTML_LINKS = {
    "a": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "source": "src",
    "iframe": "src",
    "video": "poster",
}
META_URLS = ("og:url", "og:image", "twitter:image")


def html_links(text: str, url: str) -> tuple[list[str], set[str]]:
    """Every link, asset, srcset entry, OpenGraph URL and JSON-LD URL of a page; and its ids."""
    tree = LexborHTMLParser(text)
    base = tree.css_first("base[href]")
    base_url = urljoin(url, base.attributes["href"] or "") if base else url
    found: list[str] = []
    for tag, attribute in HTML_LINKS.items():
        found += [n.attributes.get(attribute) or "" for n in tree.css(f"{tag}[{attribute}]")]
    for node in tree.css("[srcset]"):
        found += [entry.split()[0] for entry in (node.attributes["srcset"] or "").split(",")]
    for node in tree.css("meta[content]"):
        if (node.attributes.get("property") or node.attributes.get("name")) in META_URLS:
            found.append(node.attributes["content"] or "")
    for node in tree.css('script[type="application/ld+json"]'):
        found += json_urls(json.loads(node.text()))
    ids = {n.attributes["id"] or "" for n in tree.css("[id]")}
    ids |= {n.attributes["name"] or "" for n in tree.css("a[name]")}
    links = [urljoin(base_url, link.strip()) for link in found if link.strip()]
    return [link for link in links if urlsplit(link).scheme in ("http", "https")], ids


def json_urls(value: object) -> list[str]:
    """Every http(s) string in a JSON-LD document."""
    if isinstance(value, dict):
        return [u for v in value.values() for u in json_urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in json_urls(v)]
    return [value] if isinstance(value, str) and re.match(r"https?://", value) else []


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def xml_links(text: str, url: str) -> list[str]:
    """A sitemap's entries, or an Atom feed's links and the links inside its entries."""
    root = ET.fromstring(text)
    if root.tag == f"{SITEMAP}urlset":
        return [urljoin(url, (loc.text or "").strip()) for loc in root.iter(f"{SITEMAP}loc")]
    if root.tag != f"{ATOM}feed":
        return []
    base = urljoin(url, root.get(XML_BASE, ""))
    found = [urljoin(base, link.get("href", "")) for link in root.iter(f"{ATOM}link")]
    for content in root.iter(f"{ATOM}content"):
        if content.get("type") == "html":
            found += html_links(content.text or "", base)[0]
    return found
