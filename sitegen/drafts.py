"""Drafts: milestones and pages marked `draft: true`. `sitegen serve` (and `build --drafts`)
shows them, marked as drafts; `sitegen build` leaves them out of every page, the feed, the
sitemap and `timeline.json`, and refuses a published text that links to one, at the link.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostic
from .markup import parser
from .model import Content, Fact, Foundation, Framework, Milestone, Page, Site, Source
from .pages import render_body


def published(content: Content) -> Content:
    """The content without its drafts, and the navigation without links to them."""
    if not any(m.draft for m in content.milestones) and not any(p.draft for p in content.pages):
        return content
    drafts = {p.path for p in content.pages if p.draft}
    site = dataclasses.replace(
        content.site, nav=tuple(n for n in content.site.nav if n not in drafts)
    )
    return dataclasses.replace(
        content,
        site=site,
        milestones=tuple(m for m in content.milestones if not m.draft),
        pages=tuple(p for p in content.pages if not p.draft),
    )


def draft_url(value: object) -> str:
    """The address of a draft milestone or page ('' for anything else)."""
    if isinstance(value, Milestone) and value.draft:
        return f"/milestones/{value.id}/"
    if isinstance(value, Page) and value.draft:
        return value.url
    return ""


def links_to_drafts(values: Mapping[str, object], site_dir: Path) -> list[Diagnostic]:
    """Every link from a published text to a draft, at the link: `values` are the fact
    files' values by path. Cheap when there are no drafts (the usual case)."""
    drafts = {
        path: draft_url(value) for path, value in values.items() if getattr(value, "draft", False)
    }
    drafts = {url: path for path, url in drafts.items() if url}
    if not drafts:
        return []
    problems = []
    site = next((v for v in values.values() if isinstance(v, Site)), Site("", ""))
    hint = "publish it (remove 'draft: true'), remove the link, or build with --drafts"
    for path, value in values.items():
        if draft_url(value):
            continue  # a draft may link to another: neither is published
        for target, line, col in links_of(path, value, site, site_dir):
            if target in drafts:
                message = f"links to the draft '{target}' ({drafts[target]}), not published"
                problems.append(Diagnostic(path, line, col, message, hint))
    return problems


def links_of(
    path: str, value: object, site: Site, site_dir: Path
) -> Iterator[tuple[str, int, int]]:
    """(the address a link lands on, its line and column) for each link of a fact file."""
    if isinstance(value, Page):  # a page's links are found where they are written
        for _, target, line, col in render_body(value.body, "/", value.path, value.body_line).links:
            yield target.partition("#")[0], line, col
        return
    for here, text in markdown_of(value, site):
        for href in links_in(text):
            yield landing(href, here), *position(path, href, site_dir)


def markdown_of(value: object, site: Site) -> Iterator[tuple[str, str]]:
    """(the address of the page it is on, a Markdown text) for each Markdown text of a
    fact file's value (pages aside)."""
    if isinstance(value, Milestone):
        yield f"/milestones/{value.id}/", value.summary
    elif isinstance(value, Site) and value.intro:
        yield from fact_texts("/", value.intro)
    elif isinstance(value, Framework):
        for fact in value.facts:
            yield from fact_texts(site.track_path(value.id), fact)
    elif isinstance(value, Source) and value.note:
        yield f"/sources/{value.id}/", value.note
    elif isinstance(value, Foundation):
        for field in dataclasses.fields(value):
            part = getattr(value, field.name)
            for fact in part if isinstance(part, tuple) else (part,):
                if isinstance(fact, Fact):
                    yield from fact_texts("/foundation/", fact)
                elif hasattr(fact, "text"):
                    yield "/foundation/", fact.text


def fact_texts(here: str, fact: Fact) -> Iterator[tuple[str, str]]:
    for text in (fact.text, *fact.items):
        yield here, text


def links_in(text: str) -> list[str]:
    """The link targets of a Markdown text, as written."""
    if "](" not in text and "]:" not in text and "<" not in text:
        return []
    found = []
    for token in parser("/").parse(text):
        for child in token.children or ():
            href = child.attrGet("href")
            if isinstance(href, str):
                found.append(href)
    return found


def landing(href: str, here: str) -> str:
    """The folder-style address a link lands on (without its #anchor), or '' for a link
    out of the site."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return ""
    path = unquote(parts.path)
    if not path.startswith("/"):
        path = posixpath.join(here, path)
    path = posixpath.normpath(path).removesuffix("/index.html")
    return path.rstrip("/") + "/"


def position(path: str, href: str, site_dir: Path) -> tuple[int, int]:
    """Where `href` is written in a fact file, found in the file itself (read only when a
    link to a draft is found there); (0, 0) when it cannot be found."""
    try:
        text = (site_dir / path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return (0, 0)
    index = text.find(f"({href}")
    index = index + 1 if index >= 0 else text.find(href)
    if index < 0:
        return (0, 0)
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
