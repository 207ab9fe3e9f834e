"""Internal link checking for `sitegen check`: every link and #anchor must land somewhere."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostic
from .render import Page

LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src"}


@dataclass
class PageLinks(HTMLParser):
    """The ids a page defines and the URLs it links to, with their line and column."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        wanted = LINK_ATTRIBUTES.get(tag)
        if wanted and values.get(wanted):
            line, col = self.getpos()
            self.links.append((values[wanted] or "", line, col + 1))


def check_links(pages: Iterable[Page], base_url: str) -> list[Diagnostic]:
    """Diagnostics for internal links to missing files or missing #anchors."""
    parsed: dict[str, PageLinks] = {}
    outputs = set()
    for page in pages:
        outputs.add(page.output)
        if page.output.endswith(".html"):
            parser = PageLinks()
            parser.feed(page.data.decode("utf-8", "replace"))  # a static page may be Latin-1
            parsed[page.output] = parser
    problems = []
    for output, found in sorted(parsed.items()):
        for href, line, col in found.links:
            target, anchor = resolve(href, output, base_url)
            if target is None:
                continue
            if target not in outputs:
                problems.append(
                    Diagnostic(
                        f"output/{output}",
                        line,
                        col,
                        f"broken link '{href}'",
                        "no page is built at that address",
                    )
                )
            elif anchor and target in parsed and anchor not in parsed[target].ids:
                problems.append(
                    Diagnostic(
                        f"output/{output}",
                        line,
                        col,
                        f"broken anchor '{href}'",
                        f"no id '{anchor}' on that page",
                    )
                )
    return problems


def resolve(href: str, page_output: str, base_url: str) -> tuple[str | None, str]:
    """The output file an internal link lands on (None for external links) and its #anchor."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None, ""
    path = unquote(parts.path)
    if not path:
        return page_output, unquote(parts.fragment)
    if path.startswith("/"):
        if not path.startswith(base_url):
            return f"(outside {base_url}) {path}", ""
        path = path[len(base_url) :]
    else:
        path = posixpath.dirname(page_output) + "/" + path
    target = posixpath.normpath("/" + path).lstrip("/")
    if not target or path.endswith("/"):
        target = posixpath.join(target, "index.html")
    return target, unquote(parts.fragment)
