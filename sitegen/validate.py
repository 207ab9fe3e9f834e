"""Stage 2: turn each file's YAML nodes into values of the content model, collecting every
problem; what can only be checked across files is left to `assemble`. One reader a shape
of the model, each built on the typed fields of `sitegen.reader`."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from . import model, pages, site_config
from .contentlinks import ContentLink
from .diagnostics import Diagnostic
from .frozen import Value
from .load import Document
from .quotes import Quote
from .reader import Reader, Reference, read_mapping
from .vocabulary import DEFAULT, Words
from .yaml_diagnostics import at

COLOR = re.compile(r"#[0-9a-fA-F]{6}")
# A copy of a source's text, in content/archive/ (so `sitegen serve` sees it change): no
# hidden parts, no `..`, no backslashes.
ARCHIVE = re.compile(r"content/archive(?:/[\w-][\w.-]*)*/[\w-][\w.-]*\.(?:txt|html?)", re.ASCII)


# One reader a shape of the content model; each names its keys once.


def read_citation(r: Reader) -> model.Citation:
    source = r.slug("source", kind="sources") if "source" in r.pairs else ""
    r.asked.add("source")
    url = r.url("url", required=not source)
    if source and url:
        r.error(
            r.node,
            "a citation names either 'source' or 'url', not both",
            "move the URL into the source file",
        )
    quote = r.text("quote", required=False)
    if source and quote:  # checked against the source's archive, if it has one
        r.quotes.append(Quote(source, quote, at(r.path, r.pairs["quote"][1], "")))
    return model.Citation(
        source=source,
        quote=quote,
        url=url,
        title=r.text("title", required=bool(url) and not source),
        note=r.text("note", required=False),
    )


def read_sources(r: Reader) -> tuple[model.Citation, ...]:
    return r.mappings("sources", read_citation, required=True)


def read_fact(r: Reader) -> model.Fact:
    return model.Fact(r.markdown("text"), read_sources(r))


def read_fact_list(r: Reader) -> model.Fact:
    items = r.strings("items", True)
    for item, node in zip(items, r.pairs["items"][1].value if items else (), strict=False):
        if item:
            r.find_links(item, node, inline=True)
    return model.Fact(r.markdown("text", required=False), read_sources(r), items)


def read_era(r: Reader) -> model.Era:
    start, end = r.date("start"), r.date("end", False)
    if start and end and last_day(end) < first_day(start):
        message = f"'end' ({end}) comes before 'start' ({start})"
        r.error(r.pairs["end"][1], message, "swap them, or correct one of the dates")
    return model.Era(
        title=r.text("title"),
        start=start or model.PartialDate(1),
        end=end,
        frameworks=r.references_to(r.words.tracks, "frameworks"),
    )


def first_day(date: model.PartialDate) -> tuple[int, int, int]:
    return (date.year, date.month or 1, date.day or 1)


def last_day(date: model.PartialDate) -> tuple[int, int, int]:
    """The last day a date written at its precision covers: `2020` ends on 31 December."""
    month = date.month or 12
    return (date.year, month, date.day or calendar.monthrange(date.year, month)[1])


def read_source(r: Reader) -> model.Source:
    ident = r.slug("id")
    return model.Source(
        id=ident,
        title=r.text("title"),
        publisher=r.text("publisher", required=False),
        published=r.date("published", required=False),
        url=r.url("url"),
        note=r.markdown("note", required=False, page=f"/sources/{ident}/"),  # its page alone
        archive=r.matching(  # the file itself is read with the quotes (`sitegen.quotes`)
            "archive",
            ARCHIVE,
            "a path to a .txt or .html file in content/archive/",
            "for example 'content/archive/my-source.html'",
            required=False,
        ),
    )


def read_framework(r: Reader) -> model.Framework:
    return model.Framework(
        id=r.slug("id"),
        name=r.text("name"),
        order=r.integer("order", default=0),
        color=r.matching("color", COLOR, "a colour like '#1f6feb'", "write '#' and six hex digits"),
        tagline=r.text("tagline", required=False),
        website=r.url("website"),
        facts=r.mappings("facts", read_fact),
    )


def read_milestone(r: Reader) -> model.Milestone:
    framework = r.slug(r.words.track, kind="frameworks")  # the site's word for its track
    also = r.references_to("also", "frameworks")
    if framework in also:
        node = r.pairs["also"][1]
        message = f"'also' names the milestone's own {r.words.track} '{framework}'"
        r.error(node, message, "remove it")
    return model.Milestone(
        id=r.slug("id"),
        date=r.date("date") or model.PartialDate(1),
        framework=framework,
        also=tuple(f for f in also if f != framework),
        title=r.text("title"),
        summary=r.markdown("summary"),
        sources=read_sources(r),
        tags=r.slugs("tags"),
        draft=r.boolean("draft"),
    )


def read_parent(r: Reader) -> model.Parent:
    return model.Parent(r.text("name"), read_sources(r), r.url("url"))


def read_announcement(r: Reader) -> model.Announcement:
    return model.Announcement(
        date=r.date("date") or model.PartialDate(1),
        by=r.text("by"),
        text=r.markdown("text"),
        sources=read_sources(r),
        role=r.text("role", required=False),
    )


def read_statement(r: Reader) -> model.Statement:
    return model.Statement(r.text("speaker"), r.text("role"), r.markdown("text"), read_sources(r))


def read_foundation(r: Reader) -> model.Foundation:
    empty = model.Fact("", ())
    return model.Foundation(
        name=r.text("name"),
        summary=r.mapping("summary", read_fact) or empty,
        parent=r.mapping("parent", read_parent) or model.Parent("", ()),
        announcement=r.mapping("announcement", read_announcement)
        or model.Announcement(model.PartialDate(1), "", "", ()),
        board=r.mapping("board", read_fact_list) or empty,
        principles=r.mapping("principles", read_fact_list) or empty,
        purposes=r.mapping("purposes", read_fact_list) or empty,
        governance=r.mapping("governance", read_fact) or empty,
        philosophy=r.mapping("philosophy", read_fact) or empty,
        statements=r.mappings("statements", read_statement, required=True),
    )


READERS: dict[str, Callable[[Reader], object]] = {
    "site": lambda r: site_config.read_site(r),  # late: site_config builds on this module
    "foundation": read_foundation,
    "sources": read_source,
    "frameworks": read_framework,
    "milestones": read_milestone,
}


@dataclass(frozen=True, slots=True)
class Checked(Value):
    """One document read into its model value on its own, with what can only be checked
    across files left for `assemble`: so an unchanged file need not be read again."""

    kind: str
    path: str
    value: object
    problems: tuple[Diagnostic, ...]
    references: tuple[Reference, ...]
    id_at: Diagnostic | None  # where the file writes its id, for duplicate-id errors
    quotes: tuple[Quote, ...] = ()  # every quote cited from a source, for `sitegen.quotes`
    archive_at: Diagnostic | None = None  # where a source file names its archive
    links: tuple[ContentLink, ...] = ()  # internal links in its Markdown, checked at build


def check_document(doc: Document, words: Words = DEFAULT) -> Checked:
    """Read one document into the content model, collecting its problems; `words` are
    what the site calls its tracks (site.yaml reads its own)."""
    problems: list[Diagnostic] = []
    references: list[Reference] = []
    quotes: list[Quote] = []
    links: list[ContentLink] = []
    read = partial(pages.read_page, doc=doc) if doc.kind == "pages" else READERS[doc.kind]
    found = (problems, references, quotes)
    value = read_mapping(doc.path, doc.node, *found, read, words, links, doc.text)
    id_at, archive_at = (at_key(doc, key) for key in ("id", "archive"))
    return Checked(
        doc.kind,
        doc.path,
        value,
        tuple(problems),
        tuple(references),
        id_at,
        tuple(quotes),
        archive_at,
        tuple(links),
    )


def at_key(doc: Document, key: str) -> Diagnostic | None:
    """Where the document's top-level `key` has its value, if it has one."""
    node = next((v for k, v in doc.node.value if k.value == key), None)
    return None if node is None else at(doc.path, node, "")
