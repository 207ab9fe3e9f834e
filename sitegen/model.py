"""The content model: frozen values with no I/O, built by `validate` and `assemble`, read by
templates."""

from __future__ import annotations

import calendar
import operator
from dataclasses import dataclass

MONTHS = tuple(calendar.month_name)  # locale-independent English names; [0] is ''


@dataclass(frozen=True, order=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day, shown at exactly that precision."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def iso(self) -> str:
        """As written: `2016`, `2022-09` or `2022-09-12`."""
        parts = [f"{self.year:04d}", f"{self.month:02d}", f"{self.day:02d}"]
        return "-".join(parts[: self.precision_level])

    @property
    def precision(self) -> str:
        return ("year", "month", "day")[self.precision_level - 1]

    @property
    def precision_level(self) -> int:
        return 1 + bool(self.month) + bool(self.day)

    @property
    def human(self) -> str:
        """`2016`, `September 2022`, `12 September 2022`."""
        words = [str(self.day) if self.day else "", MONTHS[self.month], str(self.year)]
        return " ".join(word for word in words if word)

    def __str__(self) -> str:
        return self.iso


# A milestone's date as a plain tuple: sorting and bisecting by it runs in C, ten times
# faster than PartialDate's generated ordering.
DAY = operator.attrgetter("date.year", "date.month", "date.day")


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a fact comes from: a source file by id (with an optional verbatim quote) or a URL."""

    source: str = ""
    quote: str = ""
    url: str = ""
    title: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Fact:
    """A Markdown statement, optionally with a list of items, and the sources that back it."""

    text: str
    sources: tuple[Citation, ...]
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Era:
    """A labelled span of the timeline; `end` is None while it lasts. It applies to the
    tracks in `frameworks`, or to every track when that is empty."""

    title: str
    start: PartialDate
    end: PartialDate | None = None
    frameworks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Site:
    title: str
    description: str
    language: str = "en"
    base_url: str = "/"
    site_url: str = ""
    author: str = ""
    intro: Fact | None = None
    eras: tuple[Era, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str = ""
    published: PartialDate | None = None
    url: str = ""
    note: str = ""
    archive: str = ""  # a copy of its text in the site, which every quote from it must match


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    name: str
    order: int
    color: str
    tagline: str = ""
    website: str = ""
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class Milestone:
    id: str
    date: PartialDate
    framework: str
    title: str
    summary: str
    sources: tuple[Citation, ...]
    tags: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other tracks it belongs to (a cross-track milestone)

    @property
    def tracks(self) -> tuple[str, ...]:
        """Every framework it belongs to, its own first."""
        return (self.framework, *self.also)


@dataclass(frozen=True, slots=True)
class Parent:
    name: str
    sources: tuple[Citation, ...]
    url: str = ""


@dataclass(frozen=True, slots=True)
class Announcement:
    date: PartialDate
    by: str
    text: str
    sources: tuple[Citation, ...]
    role: str = ""


@dataclass(frozen=True, slots=True)
class Statement:
    speaker: str
    role: str
    text: str
    sources: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Foundation:
    name: str
    summary: Fact
    parent: Parent
    announcement: Announcement
    board: Fact
    principles: Fact
    purposes: Fact
    governance: Fact
    philosophy: Fact
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Content:
    """The whole validated site: every list sorted, so rendering is deterministic."""

    site: Site
    sources: tuple[Source, ...]
    frameworks: tuple[Framework, ...]
    milestones: tuple[Milestone, ...]
    foundation: Foundation | None = None
