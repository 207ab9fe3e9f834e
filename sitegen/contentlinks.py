"""Links in content, checked by every build at the place the author wrote them.

Each Markdown text of a fact file is searched for links when the file is checked
(`find_links`, from `reader`): every link stays with its file, line and column (found
where its destination is written in the file), and a link relative to the page is refused
at once in a text shown on several pages (a milestone's summary is on its own page, the
timeline and its tracks' pages; a fact, on its page and on the page of each source it
cites), where it would lead somewhere else on each. Once the build has planned its routes,
`check_links` resolves every internal link and `#anchor` against them: a broken one fails
the build, reported once per place in the source, with the closest address as a hint.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urlsplit

import yaml

from .diagnostics import Diagnostic, SiteError
from .markup import parser
from .model import Content
from .route import Addresses, Route

if TYPE_CHECKING:  # `validate` imports this module
    import jinja2

    from .validate import Checked


class ContentLink(NamedTuple):
    """An internal link in content: its destination as written (`/milestones/x/#a`), where
    in which file, and, for a text shown on one page only, that page (else '')."""

    href: str
    path: str
    line: int
    col: int
    page: str = ""


# A link or reference definition whose destination names no scheme (`](/x/)`, `]: #a`): a
# text without one holds no internal link, and is not parsed again (autolinks always name
# a scheme). Most summaries have none, or only links to other sites.
MAY_LINK_INTERNALLY = re.compile(
    r"\](?:\(|:)(?>\s*<?)(?![A-Za-z][A-Za-z0-9+.-]*:)"  # atomic: no backing off a space
)


def find_links(
    text: str, node: yaml.Node, path: str, source: str, page: str = "", inline: bool = False
) -> tuple[list[ContentLink], list[Diagnostic]]:
    """The internal links in one Markdown text (the value `node` of the file `path`, whose
    text is `source`), and a problem for each link relative to the page in a text shown on
    several pages (`page` is '' for those)."""
    if not MAY_LINK_INTERNALLY.search(text):
        return [], []
    links, problems = [], []
    finder = Finder(source, node)
    for href in destinations(text, inline):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue  # another site's page, or an address: not ours to check
        line, col = finder.find(href)
        if href.startswith("/") or page:
            links.append(ContentLink(href, path, line, col, page))
            continue
        message = f"a link relative to the page: '{href}'"
        example = "'/milestones/ID/'" if parts.path else f"'/milestones/ID/{href}'"
        hint = (
            "this text is shown on several pages, where a relative link leads to different "
            f"places: write it from the site's root, as in {example} (the base URL is added "
            "when the site is built)"
        )
        problems.append(Diagnostic(path, line, col, message, hint))
    return links, problems


def destinations(text: str, inline: bool) -> list[str]:
    """Where each link and image of a Markdown text leads, in order, as the renderer sees
    them (unsafe schemes are no links there)."""
    md = parser("/")
    tokens = md.parseInline(text) if inline else md.parse(text)
    found = []
    for token in tokens:
        for child in token.children or ():
            target = child.attrGet("href") if child.type == "link_open" else None
            target = child.attrGet("src") if child.type == "image" else target
            if isinstance(target, str):
                found.append(target)
    return found


class Finder:
    """Finds each destination where it is written in a value's part of the file, in order;
    the value's start when it is not there as written (a YAML escape, say)."""

    def __init__(self, source: str, node: yaml.Node) -> None:
        self.source = source
        self.start, self.end = node.start_mark.index, node.end_mark.index
        self.cursor = self.start
        self.fallback = (node.start_mark.line + 1, node.start_mark.column + 1)

    def find(self, href: str) -> tuple[int, int]:
        for written in dict.fromkeys((unquote(href), href)):
            for start in (self.cursor, self.start):  # a reference's target is written once
                index = self.source.find(written, start, self.end)
                if index >= 0:
                    self.cursor = index + len(written)
                    line = self.source.count("\n", 0, index) + 1
                    return line, index - self.source.rfind("\n", 0, index)
        return self.fallback


def check_links(
    links: Iterable[ContentLink],
    known: Collection[str],
    ids_of: Callable[[str], set[str] | None],
) -> list[Diagnostic]:
    """A problem for each link that leads to no page, or to an `#anchor` its page lacks.
    `known` are the site's addresses (`/milestones/x/`, `/feed.xml`); `ids_of(url)` gives
    the ids a page holds (None when it cannot tell: that page's template failed, which
    rendering reports)."""
    problems = []
    for link in links:
        target, anchor = resolve(link.href, link.page)
        if target not in known:
            message = f"broken link '{link.href}'"
            hint = "no page at that address" + closest(target, known, "page")
            problems.append(Diagnostic(link.path, link.line, link.col, message, hint))
            continue
        ids = ids_of(target) if anchor else None
        if anchor and ids is not None and anchor not in ids:
            message = f"broken anchor '{link.href}'"
            hint = f"that page has no id '{anchor}'" + closest(anchor, ids, "id")
            problems.append(Diagnostic(link.path, link.line, link.col, message, hint))
    return problems


def resolve(href: str, page: str) -> tuple[str, str]:
    """The site address a link leads to (from the root, before the base URL) and its
    anchor; relative ones from `page`."""
    parts = urlsplit(href)
    path = unquote(parts.path)
    if not path:
        path = page
    elif not path.startswith("/"):
        path = posixpath.join(posixpath.dirname(page.rstrip("/") + "/x"), path)
    trailing = "/" if path.endswith("/") and path != "/" else ""
    return posixpath.normpath(path).replace("//", "/") + trailing, unquote(parts.fragment)


def closest(wanted: str, choices: Iterable[str], what: str) -> str:
    close = difflib.get_close_matches(wanted, sorted(choices), n=1, cutoff=0.6)
    return f"; the closest {what} is '{close[0]}'" if close else ""


def content_link_problems(
    checked: Iterable[Checked], urls: Collection[str], page_html: Callable[[str], str | None]
) -> list[Diagnostic]:
    """Every internal link of the checked files against the site's addresses; the pages
    that links name with an `#anchor` are rendered (`page_html(url)`, None for a page that
    is not HTML or whose template failed) to see their ids: few, and only those."""
    links = [link for c in checked for link in c.links]
    if not links:
        return []
    ids: dict[str, set[str] | None] = {}

    def ids_of(url: str) -> set[str] | None:
        from .links import PageLinks

        if url not in ids:
            html = page_html(url)
            ids[url] = None
            if html is not None:
                page = PageLinks()
                page.feed(html)
                ids[url] = page.ids
        return ids[url]

    return check_links(links, urls, ids_of)


def check_site_links(
    checked: list[Checked],
    route_of: Callable[[str], Route],
    outputs: Collection[str],
    content: Content,
    env: Callable[[], jinja2.Environment],
) -> None:
    """Every internal link in the checked files and the documentation pages against the
    site's outputs (`route_of` plans one of them); SiteError with every broken one. The
    few pages an `#anchor` names are rendered (by `env()`) to see their ids."""
    from .pages import link_problems
    from .render import keep_bytes, render_route

    by_url = Addresses(outputs)

    def page_html(url: str) -> str | None:
        route = route_of(by_url[url])
        if not route.template.endswith(".html"):
            return None
        try:
            data = bytes(keep_bytes(route.output, render_route(route, env())))
        except Exception:  # a template error: rendering the site reports it
            return None
        return data.decode("utf-8", "replace")

    if problems := content_link_problems(checked, by_url, page_html):
        raise SiteError(problems)
    if problems := link_problems(content, outputs):
        raise SiteError(problems)  # a page's links, at their line in its file
