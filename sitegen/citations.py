"""Who cites what: the cited statements each fact file makes, and every place a source is
cited (a source's page lists them).

It stands alone because citations cut across the page kinds: the intro, the frameworks'
facts, the milestones, the documentation pages and the foundation all cite sources, and
the planner asks both which sources a value cites (so that their pages are planned again
when it changes) and which statements cite a source.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from .i18n import Texts
from .model import Citation, Content, Fact, Milestone
from .route import Paths


class Use(NamedTuple):
    """One place a source is cited: the page, the cited statement and the quote."""

    title: str
    url: str
    text: str
    quote: str


Statement = tuple[str, str, str, tuple[Citation, ...]]  # (page title, url, text, citations)


def statements_of(
    kind: str, value: Any, texts: Texts | None = None, tracks: str = "frameworks"
) -> list[Statement]:
    """The cited statements a fact file's value makes, in page order (`texts` word the
    foundation's parent)."""
    if kind == "milestones":
        return [(value.title, f"/milestones/{value.id}/", value.summary, value.sources)]
    if kind == "site":
        intro = value.intro
        return [(value.title, "/", fact_text(intro), intro.sources)] if intro else []
    if kind == "pages":
        return [(value.title, value.url, value.description or value.title, value.sources)]
    if kind == "frameworks":
        url = f"/{tracks}/{value.id}/"
        return [(value.name, url, fact_text(f), f.sources) for f in value.facts]
    if kind != "foundation":
        return []
    f, url = value, "/foundation/"
    facts = (f.summary, f.board, f.principles, f.purposes, f.governance, f.philosophy)
    found = [(f.name, url, fact_text(fact), fact.sources) for fact in facts]
    part_of = (texts or Texts()).plain("part_of_short", parent=f.parent.name)
    found.append((f.parent.name, url, part_of, f.parent.sources))
    found.append((f.name, url, f.announcement.text, f.announcement.sources))
    return found + [(f"{s.speaker}, {s.role}", url, s.text, s.sources) for s in f.statements]


def fact_text(fact: Fact) -> str:
    return " ".join([fact.text, *fact.items]).strip()


def uses_of(
    source_id: str,
    content: Content,
    paths: Paths,
    citing: Iterable[Milestone],
    texts: Texts,
    tracks: str,
) -> tuple[tuple[Use, ...], list[str]]:
    """Every statement citing a source, in page order (the intro, the frameworks' facts,
    the milestones `citing` it, the pages, the foundation), and the files they come from
    (`tracks` is the tracks' folder in URLs)."""
    c, found, files = content, [], []

    def add(path: str, statements: Iterable[Statement]) -> None:
        cited = [
            Use(title, url, text, x.quote)
            for title, url, text, citations in statements
            for x in citations
            if x.source == source_id
        ]
        if cited:
            found.extend(cited)
            files.append(path)

    for kind, values in (("site", [c.site]), ("frameworks", c.frameworks)):
        for value in values:
            statements = statements_of(kind, value, texts, tracks)
            add(paths[kind][getattr(value, "id", "")], statements)
    for m in citing:
        add(paths["milestones"][m.id], statements_of("milestones", m))
    for p in c.pages:
        add(paths["pages"][p.path], statements_of("pages", p))
    if c.foundation is not None:
        add(paths["foundation"][""], statements_of("foundation", c.foundation, texts))
    return tuple(found), files
