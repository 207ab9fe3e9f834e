"""Documentation pages: `content/pages/**/*.md`, Markdown with YAML front matter.

A page's path gives its address (`about.md` → `/about/`, `guide/index.md` → `/guide/`,
`guide/install.md` → `/guide/install/`), which no other page or built-in page may have.
Its headings get stable anchors (from their words, numbered when repeated), a page with
three or more gets a table of contents, and a relative link to another page's `.md` file
becomes a link to that page. Its links within the site are checked by the build, at their
line and column in the file. `nav:` in `site.yaml` lists the pages of the site's navigation.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from . import validate
from .diagnostics import Diagnostic
from .load import Document
from .markup import parser
from .model import Content, Page, Site
from .reader import CONTROL, Reader

PAGES_DIR = "content/pages/"
SEGMENT = re.compile(r"[^\W_]+(?:-[^\W_]+)*")  # letters (any script) and digits, hyphenated
TOC_MIN = 3  # headings a page needs for a table of contents
# Ids the page template gives its own parts: a heading never takes one of them.
TEMPLATE_IDS = frozenset({"main", "toc-h", "sources-h", "notes-h", "tags-h"})
RESERVED = ("static", "cards", "tags")  # the theme's files, social cards and tags live there


def page_url(relative: str) -> str:
    """`guide/install.md` → `/guide/install/`; `guide/index.md` → `/guide/`."""
    parts = relative.removesuffix(".md").split("/")
    if parts[-1] == "index":
        parts.pop()
    return "/" + "".join(f"{part}/" for part in parts)


def name_problem(path: str) -> Diagnostic | None:
    """A page's file name becomes its address: lowercase words and hyphens only."""
    relative = path.removeprefix(PAGES_DIR)
    for part in relative.removesuffix(".md").split("/"):
        if not SEGMENT.fullmatch(part) or part != part.lower():
            slug = "-".join(re.findall(r"[^\W_]+", part.lower())) or "about"
            message = (
                f"a page's address comes from its path, so '{part}' must be lowercase "
                "letters, digits and hyphens"
            )
            return Diagnostic(path, 0, 0, message, f"rename it '{slug}'")
    if relative.split("/")[0] in RESERVED:
        message = f"a page's address may not start with /{relative.split('/')[0]}/"
        hint = (
            "sitegen keeps that folder for the theme's files, social cards or tags: move the page"
        )
        return Diagnostic(path, 0, 0, message, hint)
    return None


def url_problems(pages: Iterable[tuple[str, Page]], taken: Mapping[str, str]) -> list[Diagnostic]:
    """A page whose address is another page's or a built-in page's, naming both files;
    `taken` gives each built-in address what shows there (`the timeline (templates/...)`)."""
    problems = []
    first: dict[str, str] = {}
    for path, p in sorted(pages):
        hint = "rename or move the page"
        if p.url in taken:
            message = f"its address {p.url} is already {taken[p.url]}"
            problems.append(Diagnostic(path, 0, 0, message, hint))
        elif p.url in first:
            message = f"its address {p.url} is also that of {first[p.url]}"
            problems.append(Diagnostic(path, 0, 0, message, "keep one of the two"))
        else:
            first[p.url] = path
    return problems


def built_in(paths: Mapping[str, Iterable[tuple[str, Any]]]) -> dict[str, str]:
    """Every folder-style address sitegen makes itself, and what shows there: from the
    other fact files (`kind → (path, value)`)."""
    taken = {
        "/": "the timeline's (templates/timeline.html)",
        "/tags/": "the tags' index (templates/tags.html)",
    }
    sites = [value for _, value in paths.get("site", ()) if isinstance(value, Site)]
    tracks = sites[0].tracks if sites else "frameworks"
    for kind, folder, singular in (
        ("milestones", "milestones", "milestone"),
        ("frameworks", tracks, sites[0].track if sites else "framework"),
        ("sources", "sources", "source"),
    ):
        for path, value in paths.get(kind, ()):
            taken[f"/{folder}/{value.id}/"] = f"the page of {singular} '{value.id}' ({path})"
    for path, _ in paths.get("foundation", ()):
        taken["/foundation/"] = f"the foundation's page ({path})"
    return taken


def read_page(r: Reader, doc: Document) -> Page:
    """A page: its front matter's keys, its body, its address from its path."""
    if problem := name_problem(doc.path):
        r.problems.append(problem)
    if control := CONTROL.search(doc.body):
        index = control.start()
        line = doc.body_line + doc.body.count("\n", 0, index)
        col = index - doc.body.rfind("\n", 0, index)
        message = f"the page contains the control character U+{ord(control[0]):04X}"
        hint = "delete it: text may hold tabs and line breaks but no other control characters"
        r.problems.append(Diagnostic(doc.path, line, col, message, hint))
    relative = doc.path.removeprefix("content/pages/")
    return Page(
        path=relative,
        url=page_url(relative),
        title=r.text("title"),
        body=doc.body,
        description=r.text("description", required=False),
        order=r.integer("order", default=0),
        tags=r.slugs("tags"),
        sources=r.mappings("sources", validate.read_citation),
        draft=r.boolean("draft"),
        body_line=doc.body_line,
    )


# Rendering --------------------------------------------------------------------------------


class Heading(NamedTuple):
    level: int  # 2 for the body's top level: the page's title is its only <h1>
    id: str
    text: str


class Body(NamedTuple):
    """A page's body as HTML, its headings, and its links (each with its line and column in
    the file, and the address it lands on in the site, '' for one out of it)."""

    html: str
    headings: tuple[Heading, ...]
    links: tuple[tuple[str, str, int, int], ...]  # (href as written, landing, line, col)


@functools.lru_cache(maxsize=256)
def render_body(body: str, base_url: str, path: str, first_line: int) -> Body:
    """A page's Markdown (`path` under content/pages/, its body from `first_line`)."""
    md = parser(base_url)
    tokens = md.parse(body)
    lines = body.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    used = set(TEMPLATE_IDS)
    headings, links = [], []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            text = "".join(c.content for c in tokens[i + 1].children or () if c.type in TEXTUAL)
            ident = anchor(text, used)
            token.attrSet("id", ident)
            headings.append(Heading(int(token.tag[1]), ident, text))
        start = offsets[token.map[0]] if token.map else 0
        for child in token.children or ():
            href = child.attrGet("href") if child.type == "link_open" else None
            if not isinstance(href, str):
                continue
            # As written: root-relative links have the base URL in front by now.
            root = base_url != "/" and href.startswith(base_url)
            written = "/" + href[len(base_url) :] if root else href
            index = body.find(written, start)
            index = start if index < 0 else index
            line, col = body.count("\n", 0, index), index - body.rfind("\n", 0, index)
            links.append((written, landing(href, path, base_url), first_line + line, col))
            if is_page_file(href):
                child.attrSet("href", base_url + md_target(href, path).lstrip("/"))
    # Sections written `##` under the page's title are its <h2>s, as `#` ones would be.
    shift = min((int(t.tag[1]) for t in tokens if t.type == "heading_open"), default=2) - 2
    if shift > 0:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{int(token.tag[1]) - shift}"
        headings = [h._replace(level=h.level - shift) for h in headings]
    html = md.renderer.render(tokens, md.options, {})
    return Body(html, tuple(headings), tuple(links))


TEXTUAL = ("text", "code_inline", "softbreak")


def anchor(text: str, used: set[str]) -> str:
    """A heading's id: its words, lowercase, hyphenated (`Install on Linux` →
    `install-on-linux`), numbered from `-2` when taken."""
    base = "-".join(re.findall(r"[^\W_]+", text.lower())) or "section"
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base}-{n}"
    used.add(ident)
    return ident


def is_page_file(href: str) -> bool:
    """A relative link to a page's Markdown file (`install.md`, `../about.md#why`)."""
    parts = urlsplit(href)
    return not (parts.scheme or parts.netloc or parts.path.startswith("/")) and parts.path.endswith(
        ".md"
    )


def md_target(href: str, path: str) -> str:
    """The address of the page a relative `.md` link names, from the page at `path`."""
    parts = urlsplit(href)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(parts.path)))
    return page_url(target) + (f"#{parts.fragment}" if parts.fragment else "")


def landing(href: str, path: str, base_url: str) -> str:
    """Where a link of the page at `path` lands, as a site address with its #anchor
    (`/guide/#install`); '' for a link out of the site or out of the base URL."""
    if is_page_file(href):
        return md_target(href, path)
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return ""
    fragment = f"#{unquote(parts.fragment)}" if parts.fragment else ""
    if not parts.path:
        return page_url(path) + fragment
    target = unquote(parts.path)
    if target.startswith("/"):
        if not target.startswith(base_url):
            return ""
        target = "/" + target[len(base_url) :]
    else:
        target = posixpath.join(page_url(path), target)
    folder = target.endswith("/")
    target = posixpath.normpath(target)
    return (target.rstrip("/") + "/" if folder else target) + fragment


# Checking the links -------------------------------------------------------------------------


def link_problems(content: Content, outputs: Iterable[str]) -> list[Diagnostic]:
    """Each link of a page to an address in the site that nothing is built at, or to an
    #anchor that no heading of the target page has, at its line and column."""
    built = set(outputs)
    anchors = {p.url: heading_ids(p, content.site.base_url) for p in content.pages}
    problems = []
    for p in content.pages:
        body = render_body(p.body, content.site.base_url, p.path, p.body_line)
        for href, target, line, col in body.links:
            if not target:
                continue
            address, _, fragment = target.partition("#")
            where = f"{PAGES_DIR}{p.path}"
            if output_of(address) not in built:
                hint = "no page is built at that address"
                problems.append(Diagnostic(where, line, col, f"broken link '{href}'", hint))
            elif fragment and address in anchors and fragment not in anchors[address]:
                hint = f"no heading on that page has the anchor '{fragment}'"
                problems.append(Diagnostic(where, line, col, f"broken anchor '{href}'", hint))
    return problems


def heading_ids(p: Page, base_url: str) -> set[str]:
    return {h.id for h in render_body(p.body, base_url, p.path, p.body_line).headings}


def output_of(address: str) -> str:
    """The output file an address is served from: `/x/` → `x/index.html`."""
    path = address.lstrip("/")
    return f"{path}index.html" if not path or path.endswith("/") else path


# Planning and templates ---------------------------------------------------------------------


def nav_entries(content: Content) -> tuple[tuple[str, str], ...]:
    """(address, title) of each page `nav:` lists and the build shows, in that order."""
    by_path = {p.path: p for p in content.pages}
    return tuple((by_path[n].url, by_path[n].title) for n in content.site.nav if n in by_path)


def page_uses(content: Content) -> Iterator[tuple[str, str, str, Any]]:
    """(title, address, text, citation) for each source a page cites, for the sources'
    pages."""
    for p in content.pages:
        for c in p.sources:
            yield p.title, p.url, p.description or p.title, c


def install(env: Any, content: Content) -> None:
    """`nav` (the pages `nav:` lists) and `page_body(page)` (its HTML and headings) in
    templates."""
    base = content.site.base_url
    env.globals["nav"] = nav_entries(content)
    env.globals["page_body"] = lambda p: render_body(p.body, base, p.path, p.body_line)
    env.globals["TOC_MIN"] = TOC_MIN
