"""Stage 2: turn each file's YAML nodes into values of the content model, collecting every
problem; what can only be checked across files is left to `assemble`."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar
from urllib.parse import urlsplit

import yaml

from . import model, pages, site_config
from .contentlinks import ContentLink, find_links
from .diagnostics import Diagnostic, did_you_mean
from .load import Document
from .quotes import Quote
from .vocabulary import DEFAULT, Words
from .yaml_diagnostics import COMMENT_AFTER, at, describe

T = TypeVar("T")

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
INTEGER = re.compile(r"[-+]?[0-9]{1,9}")  # plain decimals: not YAML 1.1's 0x1F, 1_000 or 1:30
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
# Never meant in prose, and not allowed in XML: the feed would stop parsing.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
URL = re.compile(r"https?://[^\s/]+\S*")
# A copy of a source's text, in content/archive/ (so `sitegen serve` sees it change): no
# hidden parts, no `..`, no backslashes.
ARCHIVE = re.compile(r"content/archive(?:/[\w-][\w.-]*)*/[\w-][\w.-]*\.(?:txt|html?)", re.ASCII)
# A base URL: path segments of letters and digits (any script), '-', '.', '_' and '~', none
# of them only dots. Held to the same rule in content/site.yaml and on the command line.
BASE_URL = re.compile(r"/(?:\.*[\w~-][\w.~-]*/)*")
DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
CONTROL_HINT = "delete it: text may hold tabs and line breaks but no other control characters"
BASE_URL_HINT = "start and end it with '/', with letters, digits, '-', '.', '_' or '~' between"


def url_problem(url: str, site: bool = False) -> str:
    """Why an absolute http(s) URL is not one a browser can open ('' when it is); `site`
    holds the site's own address to more: no user name or password in it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises for a port out of range
    except ValueError as error:
        port = "port" in str(error).lower()
        return "its port is not a number from 0 to 65535" if port else "its host is not valid"
    if not parts.hostname:
        return "it has no host"
    if site and (parts.username is not None or parts.password is not None):
        return "it holds a user name or password, which every page would show"
    return ""


@dataclass(frozen=True, slots=True)
class Reference:
    """An id used somewhere, checked once every file has been read."""

    kind: str
    id: str
    where: Diagnostic  # the position, with an empty message


class Reader:
    """Reads typed fields from one mapping node; every problem becomes a diagnostic."""

    def __init__(
        self,
        path: str,
        node: yaml.MappingNode,
        problems: list[Diagnostic],
        references: list[Reference],
        quotes: list[Quote],
        words: Words = DEFAULT,
        links: list[ContentLink] | None = None,
        source: str = "",
    ) -> None:
        self.path, self.node = path, node
        self.problems, self.references, self.quotes = problems, references, quotes
        self.words = words  # what the site calls its tracks (see `sitegen.vocabulary`)
        self.links = [] if links is None else links  # in Markdown (see `sitegen.contentlinks`)
        self.source = source  # the file's text, where links are found
        self.pairs = {key.value: (key, value) for key, value in node.value}
        self.asked: set[str] = set()

    def error(self, node: yaml.Node, message: str, hint: str = "") -> None:
        self.problems.append(at(self.path, node, message, hint))

    def value(self, key: str, required: bool) -> yaml.Node | None:
        """The node under `key`; a missing required key is reported at the mapping."""
        self.asked.add(key)
        pair = self.pairs.get(key)
        if pair is None or pair[1].tag.endswith(":null"):
            comment = getattr(pair[1], COMMENT_AFTER, "") if pair else ""
            if required and comment:  # `color: #abcdef`: YAML reads a comment there
                hint = f"an unquoted '#' starts a comment, so '{key}' is empty: quote it, as in "
                self.error(pair[1], f"'{key}' is empty", f'{hint}{key}: "{comment}"')
            elif required:
                self.error(
                    pair[0] if pair else self.node,
                    f"missing required key '{key}'",
                    f"add '{key}: ...'",
                )
            return None
        return pair[1]

    def text(self, key: str, required: bool = True) -> str:
        node = self.value(key, required)
        return "" if node is None else self.scalar(node, key)

    def scalar(self, node: yaml.Node, key: str) -> str:
        """A scalar's text; lists, mappings and empty strings are reported."""
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"'{key}' must be text, got {describe(node)}")
            return ""
        text = str(node.value).strip()
        if not text:
            self.error(node, f"'{key}' is empty", "write a value or remove the key")
        elif control := CONTROL.search(text):
            message = f"'{key}' contains the control character U+{ord(control[0]):04X}"
            self.error(node, message, CONTROL_HINT)
            return ""
        return text

    def markdown(self, key: str, required: bool = True, page: str = "") -> str:
        """A Markdown text, whose links are kept to check (`page`: the one page it is
        shown on, if only one)."""
        text = self.text(key, required)
        if text:
            self.find_links(text, self.pairs[key][1], page)
        return text

    def find_links(self, text: str, node: yaml.Node, page: str = "", inline: bool = False) -> None:
        links, problems = find_links(text, node, self.path, self.source, page, inline)
        self.links += links
        self.problems += problems

    def matching(
        self, key: str, pattern: re.Pattern[str], expected: str, hint: str, required: bool = True
    ) -> str:
        node = self.value(key, required)
        if node is None:
            return ""
        text = self.scalar(node, key)
        if text and not pattern.fullmatch(text):
            self.error(node, f"'{key}' must be {expected}, got {describe(node)}", hint)
            return ""
        return text

    def slug(self, key: str, kind: str = "") -> str:
        """An id; with `kind`, a reference checked later against the ids of that kind."""
        text = self.matching(
            key,
            SLUG,
            "a slug of lowercase letters, digits and hyphens",
            "for example 'pytorch-2-0'",
        )
        if text and kind:
            node = self.pairs[key][1]
            self.references.append(Reference(kind, text, at(self.path, node, "")))
        return text

    def url(self, key: str, required: bool = False, site: bool = False) -> str:
        hint = "for example 'https://pytorch.org/'"
        text = self.matching(key, URL, "an absolute http(s) URL", hint, required)
        if text and (problem := url_problem(text, site)):
            self.error(
                self.pairs[key][1], f"'{key}' is not a URL a browser can open: {problem}", hint
            )
            return ""
        return text

    def integer(self, key: str, default: int) -> int:
        node = self.value(key, required=False)
        if node is None:
            return default
        if not (isinstance(node, yaml.ScalarNode) and INTEGER.fullmatch(node.value)):
            self.error(node, f"'{key}' must be a whole number, got {describe(node)}")
            return default
        return int(node.value)

    def date(self, key: str, required: bool = True) -> model.PartialDate | None:
        node = self.value(key, required)
        return None if node is None else self.partial_date(node, key)

    def partial_date(self, node: yaml.Node, key: str) -> model.PartialDate | None:
        text = self.scalar(node, key)
        match = DATE.fullmatch(text)
        if not text:
            return None
        if not match:
            self.error(
                node,
                f"'{key}' must be {DATE_FORMS}, got {describe(node)}",
                "write the date at the precision you know, e.g. 2016 or 2022-09",
            )
            return None
        year, month, day = (int(part) if part else 0 for part in match.groups())
        if not year:
            self.error(node, f"'{key}' has no year 0000: {text}", "years run from 0001")
            return None
        if match.group(2) and not 1 <= month <= 12:
            self.error(node, f"'{key}' has no month {month:02d}: {text}", "months run 01 to 12")
            return None
        if match.group(3) and not 1 <= day <= calendar.monthrange(year, month)[1]:
            last = calendar.monthrange(year, month)[1]
            self.error(
                node,
                f"'{key}' is not a real date: {text}",
                f"{model.PartialDate(year, month).human} has days 01 to {last}",
            )
            return None
        return model.PartialDate(year, month, day)

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        return self.sequence(key, required, lambda node: self.scalar(node, key))

    def boolean(self, key: str, default: bool = False) -> bool:
        """`true` or `false`; YAML 1.1's `yes`, `on` and the like are refused as unclear."""
        node = self.value(key, required=False)
        if node is None:
            return default
        if isinstance(node, yaml.ScalarNode) and node.value in ("true", "false"):
            return node.value == "true"
        self.error(node, f"'{key}' must be true or false, got {describe(node)}")
        return default

    def slugs(self, key: str) -> tuple[str, ...]:
        """A list of slugs (tags, say), each once."""
        found = self.sequence(key, False, lambda node: self.listed_slug(node, key))
        for i, slug in enumerate(found):
            if slug and slug in found[:i]:
                node = self.pairs[key][1].value[i]
                self.error(node, f"'{key}' names '{slug}' twice", "name each one once")
        return tuple(dict.fromkeys(slug for slug in found if slug))

    def listed_slug(self, node: yaml.Node, key: str) -> str:
        text = self.scalar(node, key)
        if text and not SLUG.fullmatch(text):
            message = (
                f"'{key}' must list slugs of lowercase letters, digits and hyphens, "
                f"got {describe(node)}"
            )
            self.error(node, message, f"for example '{slugify(text)}'")
            return ""
        return text

    def references_to(self, key: str, kind: str) -> tuple[str, ...]:
        """A list of ids of `kind`, each checked later; a repeated id is reported here."""
        ids = self.sequence(key, False, lambda node: self.reference(node, key, kind))
        for i, ident in enumerate(ids):
            if ident and ident in ids[:i]:
                node = self.pairs[key][1].value[i]
                self.error(node, f"'{key}' names '{ident}' twice", "name each one once")
        return tuple(ident for ident in ids if ident)

    def reference(self, node: yaml.Node, key: str, kind: str) -> str:
        text = self.scalar(node, key)
        if text and not SLUG.fullmatch(text):
            message = f"'{key}' must list ids (slugs), got {describe(node)}"
            self.error(node, message, "for example 'pytorch'")
            return ""
        if text:
            self.references.append(Reference(kind, text, at(self.path, node, "")))
        return text

    def mapping(self, key: str, read: Callable[[Reader], T], required: bool = True) -> T | None:
        node = self.value(key, required)
        return None if node is None else self.nested(node, key, read)

    def mappings(
        self, key: str, read: Callable[[Reader], T], required: bool = False
    ) -> tuple[T, ...]:
        found = self.sequence(key, required, lambda node: self.nested(node, key, read))
        return tuple(item for item in found if item is not None)

    def sequence(self, key: str, required: bool, read: Callable[[yaml.Node], T]) -> tuple[T, ...]:
        node = self.value(key, required)
        if node is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.error(
                node, f"'{key}' must be a list, got {describe(node)}", "write one '- item' a line"
            )
            return ()
        if required and not node.value:
            self.error(node, f"'{key}' must not be empty", "add at least one item")
        return tuple(read(item) for item in node.value)

    def nested(self, node: yaml.Node, key: str, read: Callable[[Reader], T]) -> T | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"'{key}' must be a mapping of keys to values, got {describe(node)}")
            return None
        found = (self.problems, self.references, self.quotes)
        return read_mapping(self.path, node, *found, read, self.words, self.links, self.source)

    def finish(self) -> None:
        """Report every key nobody asked for, with the closest known key as a hint."""
        for name, (key, _) in self.pairs.items():
            if name not in self.asked:
                hint = (
                    did_you_mean(name, self.asked) or f"known keys: {', '.join(sorted(self.asked))}"
                )
                self.error(key, f"unknown key '{name}'", hint)


def read_mapping(
    path: str,
    node: yaml.MappingNode,
    problems: list[Diagnostic],
    references: list[Reference],
    quotes: list[Quote],
    read: Callable[[Reader], T],
    words: Words = DEFAULT,
    links: list[ContentLink] | None = None,
    source: str = "",
) -> T:
    reader = Reader(path, node, problems, references, quotes, words, links, source)
    result = read(reader)
    reader.finish()
    return result


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


def slugify(text: str) -> str:
    """`Release Notes` → `release-notes`: the slug a hint suggests (a short one)."""
    slug = "-".join(re.findall(r"[a-z0-9]+", text.lower()))
    return slug if 0 < len(slug) <= 40 else "release-notes"


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
class Checked:
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
