"""A timeline that stays small: past the page size the theme chooses, the timeline (and
each track's page) is split into a page per year, or per part of a long year, joined by
links to the older and newer page and an index of every year; the first page shows the
most recent years. Its labels (`2019, part 2 of 3`, `Latest`) are the theme's texts, in the
site's language.

The page size is the theme's (`timeline_page_size`, see `sitegen.theme_settings`): a
browser shows a few hundred cards at once at ease.
Everything here is a plain value, so routes holding it compare by value.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, NamedTuple

from .i18n import Texts
from .model import Milestone


def parts(items: Sequence[Milestone], size: int) -> list[tuple[Milestone, ...]]:
    """`items` in as few runs of at most `size` as can be, of even length."""
    return [tuple(items[a:b]) for a, b in itertools.pairwise(cuts(len(items), size))]


def cuts(length: int, size: int) -> list[int]:
    """Where `parts` cuts `length` items: the first index of each run, then `length`."""
    count = -(-length // size) if size else 1
    return [round(i * length / count) for i in range(count + 1)]


class Link(NamedTuple):
    url: str
    label: str


class YearEntry(NamedTuple):
    """A year in the index: its number of milestones (on the first page only, so that a
    milestone moved to another year changes no other page of the listing than its years'
    own) and its page, or each of its parts."""

    year: int
    count: int | None
    pages: tuple[Link, ...]


class Pager(NamedTuple):
    """What a page of a split timeline shows besides its milestones."""

    label: str  # what it holds ("2019", "2019, part 2 of 3"); "" on the first page
    url: str  # its own URL
    first: str  # the first page's URL (the timeline's home, or the track's page)
    older: Link | None
    newer: Link | None
    index: tuple[YearEntry, ...]  # every year, oldest first


class Run(NamedTuple):
    """A year, or a part of one: what one year page shows."""

    year: int
    part: int  # from 1; 0 when the year is whole
    parts: int
    milestones: tuple[Milestone, ...]
    shown: Any  # what the template gets for it (a timeline year, or a (year, milestones) pair)


class Sheet(NamedTuple):
    """One page of a split timeline: its URL, what it shows and its pager."""

    url: str
    shown: tuple[Any, ...]
    milestones: tuple[Milestone, ...]
    pager: Pager


def run_url(prefix: str, run: Run) -> str:
    """`/years/2019/`, and `/years/2019/page/2/` for a year's second part."""
    tail = f"page/{run.part}/" if run.part > 1 else ""
    return f"{prefix}{run.year}/{tail}"


def run_label(run: Run, texts: Texts) -> str:
    """`2019`, or `2019, part 2 of 3`, in the site's language."""
    year = texts.year(run.year)
    return texts.plain("year_part", year=year, part=run.part, parts=run.parts) if run.part else year


def paginate(runs: Sequence[Run], size: int, first: str, prefix: str, texts: Texts) -> list[Sheet]:
    """The first page (the most recent runs that fit in `size`, at least one) and a page
    per run, newest first; each links to the older and newer page and holds the index."""
    urls = [run_url(prefix, run) for run in runs]
    index = year_index(runs, urls, texts)
    recent = first_shown([len(run.milestones) for run in runs], size)

    def link(i: int) -> Link | None:
        return Link(urls[i], run_label(runs[i], texts)) if 0 <= i < len(runs) else None

    home = Pager("", first, first, link(recent - 1), None, index)
    sheets = [sheet(first, runs[recent:], home)]
    uncounted = tuple(entry._replace(count=None) for entry in index)
    for i in reversed(range(len(runs))):
        newer = link(i + 1) or Link(first, texts.plain("latest"))
        label = run_label(runs[i], texts)
        pager = Pager(label, urls[i], first, link(i - 1), newer, uncounted)
        sheets.append(sheet(urls[i], runs[i : i + 1], pager))
    return sheets


def first_shown(lengths: Sequence[int], size: int) -> int:
    """Which of the runs (of these lengths, oldest first) is the first a listing's first
    page shows: it shows the most recent ones that fit in `size`, at least one."""
    recent, total = len(lengths) - 1, lengths[-1]
    while recent > 0 and total + lengths[recent - 1] <= size:
        recent -= 1
        total += lengths[recent]
    return recent


def sheet(url: str, runs: Sequence[Run], pager: Pager) -> Sheet:
    milestones = tuple(itertools.chain.from_iterable(run.milestones for run in runs))
    return Sheet(url, tuple(run.shown for run in runs), milestones, pager)


def year_index(runs: Sequence[Run], urls: Sequence[str], texts: Texts) -> tuple[YearEntry, ...]:
    """Every year, with its page, or its parts' pages labelled by their number."""
    entries: list[YearEntry] = []
    for run, url in zip(runs, urls, strict=True):
        label = Link(url, texts.number(run.part) if run.part else texts.year(run.year))
        if entries and entries[-1].year == run.year:
            last = entries[-1]
            count = (last.count or 0) + len(run.milestones)
            entries[-1] = last._replace(count=count, pages=(*last.pages, label))
        else:
            entries.append(YearEntry(run.year, len(run.milestones), (label,)))
    return tuple(entries)
