"""The typed reader of YAML mappings that every fact file is read with: `Reader` takes
one mapping node and reads its fields as text, Markdown, slugs, URLs, dates, numbers,
lists and nested mappings, turning every problem into a diagnostic at its node and
reporting each key nobody asked for; `Reference` is an id it found, checked once every
file has been read. The formats of values (slugs, dates, URLs, base URLs) live here too.

Its own module because it knows no shape of the content model: `validate` builds one
reader a shape on it, and `site_config`, `pages` and `theme_settings` read their own
keys with it; the command line holds URLs to the same rules (`url_problem`, `BASE_URL`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

import yaml

from . import model
from .contentlinks import ContentLink, find_links
from .diagnostics import Diagnostic, did_you_mean
from .frozen import Value
from .quotes import Quote
from .vocabulary import DEFAULT, Words
from .yaml_diagnostics import COMMENT_AFTER, at, describe

T = TypeVar("T")

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
INTEGER = re.compile(r"[-+]?[0-9]{1,9}")  # plain decimals: not YAML 1.1's 0x1F, 1_000 or 1:30
# Never meant in prose, and not allowed in XML: the feed would stop parsing.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
URL = re.compile(r"https?://[^\s/]+\S*")
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
class Reference(Value):
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


def slugify(text: str) -> str:
    """`Release Notes` → `release-notes`: the slug a hint suggests (a short one)."""
    slug = "-".join(re.findall(r"[a-z0-9]+", text.lower()))
    return slug if 0 < len(slug) <= 40 else "release-notes"
