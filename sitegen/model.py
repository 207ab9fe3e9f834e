"""The content model: frozen values with no I/O, built by `validate` and `assemble`, read by
templates."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .frozen import Value

if TYPE_CHECKING:
    from .i18n import Texts


@dataclass(frozen=True, order=True, slots=True)
class PartialDate(Value):
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
        """In English: `2016`, `September 2022`, `12 September 2022`. Pages write dates in
        the site's language with the `human` filter (see `sitegen.i18n`)."""
        from .i18n import format_date

        return format_date(self)

    def __str__(self) -> str:
        return self.iso


# A milestone's date as a plain tuple: sorting and bisecting by it runs in C, ten times
# faster than PartialDate's generated ordering.
DAY = operator.attrgetter("date.year", "date.month", "date.day")


def date_order(rank: Mapping[str, int], m: Milestone) -> tuple:
    """Where a milestone stands among a content's: by date (a less precise one first:
    `2016` before `2016-01-05`), then its framework's `rank`, then its id."""
    return (*DAY(m), rank[m.framework], m.id)


@dataclass(frozen=True, slots=True)
class Citation(Value):
    """Where a fact comes from: a source file by id (with an optional verbatim quote) or a URL."""

    source: str = ""
    quote: str = ""
    url: str = ""
    title: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Fact(Value):
    """A Markdown statement, optionally with a list of items, and the sources that back it."""

    text: str
    sources: tuple[Citation, ...]
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Era(Value):
    """A labelled span of the timeline; `end` is None while it lasts. It applies to the
    tracks in `frameworks`, or to every track when that is empty."""

    title: str
    start: PartialDate
    end: PartialDate | None = None
    frameworks: tuple[str, ...] = ()


class Extra(Mapping[str, Any]):
    """`extra:` in site.yaml, the site's own values for its templates (`site.extra.x`): a
    mapping that cannot change, so pages render the same from it every time."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self._items = dict(items or {})

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __repr__(self) -> str:
        return f"Extra({self._items!r})"

    def __reduce__(self) -> tuple[type[Extra], tuple[dict[str, Any]]]:
        return (Extra, (self._items,))


@dataclass(frozen=True, slots=True)
class Tag(Value):
    """What `site.yaml` says of a tag: a label to show for it, and a line on what it means."""

    id: str
    label: str
    description: str = ""


# A text of the theme's catalogue: one text, or (CLDR plural category, text) pairs.
Message = str | tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Site(Value):
    title: str
    description: str
    language: str = "en"  # a BCP 47 tag, in its canonical case
    base_url: str = "/"
    site_url: str = ""
    author: str = ""
    intro: Fact | None = None
    eras: tuple[Era, ...] = ()
    track: str = "framework"  # what the site calls a track, and many (see `vocabulary`)
    tracks: str = "frameworks"
    extra: Extra = field(default_factory=Extra)  # `extra:`, the site's own values
    strings: tuple[tuple[str, Message], ...] = ()  # the theme's texts this site overrides
    tags: tuple[Tag, ...] = ()
    nav: tuple[str, ...] = ()  # pages (paths under content/pages/) in the site's navigation
    # Where some keys are written in site.yaml (`strings.KEY`, `tags.ID` → line, column),
    # for problems found once the theme and the other files are read.
    where: tuple[tuple[str, int, int], ...] = field(default=(), compare=False)

    def track_path(self, track_id: str) -> str:
        """A track's page: `/frameworks/pytorch/` (under the base URL once `url()` places it)."""
        return f"/{self.tracks}/{track_id}/"


@dataclass(frozen=True, slots=True)
class Source(Value):
    id: str
    title: str
    publisher: str = ""
    published: PartialDate | None = None
    url: str = ""
    note: str = ""
    archive: str = ""  # a copy of its text in the site, which every quote from it must match


@dataclass(frozen=True, slots=True)
class Framework(Value):
    id: str
    name: str
    order: int
    color: str
    tagline: str = ""
    website: str = ""
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class Milestone(Value):
    id: str
    date: PartialDate
    framework: str
    title: str
    summary: str
    sources: tuple[Citation, ...]
    tags: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other tracks it belongs to (a cross-track milestone)
    draft: bool = False  # shown by `sitegen serve` and `build --drafts` only

    @property
    def tracks(self) -> tuple[str, ...]:
        """Every framework it belongs to, its own first."""
        return (self.framework, *self.also)


@dataclass(frozen=True, slots=True)
class Page(Value):
    """A documentation page: Markdown under `content/pages/`, its address from its path
    (`guide/install.md` → `/guide/install/`)."""

    path: str  # under content/pages/: `guide/install.md`; names it in `nav:`
    url: str
    title: str
    body: str  # Markdown
    description: str = ""
    order: int = 0
    tags: tuple[str, ...] = ()
    sources: tuple[Citation, ...] = ()
    draft: bool = False
    body_line: int = 1  # the file's line the body starts on, for positions in it

    @property
    def id(self) -> str:
        return self.path


@dataclass(frozen=True, slots=True)
class Parent(Value):
    name: str
    sources: tuple[Citation, ...]
    url: str = ""


@dataclass(frozen=True, slots=True)
class Announcement(Value):
    date: PartialDate
    by: str
    text: str
    sources: tuple[Citation, ...]
    role: str = ""


@dataclass(frozen=True, slots=True)
class Statement(Value):
    speaker: str
    role: str
    text: str
    sources: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Foundation(Value):
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
class Content(Value):
    """The whole validated site: every list sorted, so rendering is deterministic."""

    site: Site
    sources: tuple[Source, ...]
    frameworks: tuple[Framework, ...]
    milestones: tuple[Milestone, ...]
    foundation: Foundation | None = None
    pages: tuple[Page, ...] = ()  # by path
    texts: Texts | None = None  # the theme's texts in the site's language (see `sitegen.i18n`)
