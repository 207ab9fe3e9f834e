"""Where each milestone is listed: the `Layout` of a content's milestones (by index, from
what decides a milestone's place alone), and how a listing splits its milestones by year.

It stands alone because it reads nothing but the milestones' places: the planner
(`routes`) keeps a layout from one plan to the next while the milestones sit where they
did, and every listing (the timeline, a track's or a tag's pages) is split by it.
"""

from __future__ import annotations

import itertools
import operator
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from .i18n import Texts
from .model import DAY, Content, Framework, Milestone
from .pagination import Pager, paginate, parts, run_url
from .pagination import Run as Part
from .route import Paths
from .timeline import Day

FOUNDATION_TAG = "foundation"  # milestones with this tag are listed on the foundation page
ID = operator.attrgetter("id")


class Run(tuple):  # type: ignore[type-arg]
    """Milestones listed together, such as one year of a listing: a tuple, which keeps the
    key `cached()` knows it by once worked out (see `fragments.value_key`), since a
    listing's years are each passed to several fragments."""


YearRuns = tuple[tuple[int, Run], ...]  # see `group_by_year`


class Layout(NamedTuple):
    """Where each milestone is listed, by its index in the content's milestones, worked out
    from what decides that alone (`assemble.place`): so it holds for every content whose
    milestones sit in the same places, such as one with a milestone reworded."""

    files: tuple[str, ...]  # each milestone's fact file
    index: dict[str, int]  # id → index
    years: tuple[tuple[int, int, int], ...]  # (year, first index, index after the last)
    tracks: dict[str, tuple[int, ...]]  # framework id → its milestones, cross-track ones too
    own: dict[str, tuple[int, ...]]  # framework id → the milestones of that framework
    citing: dict[str, tuple[int, ...]]  # source id → the milestones citing it
    tagged: tuple[int, ...]  # the milestones the foundation page lists
    tags: dict[str, tuple[int, ...]]  # tag → the milestones carrying it
    days: dict[str, tuple[Day, ...]]  # framework id → the days of `tracks`' milestones


def lay_out(content: Content, paths: Paths) -> Layout:
    """The layout of a content model's milestones (see `Layout`), in one pass."""
    ms = content.milestones
    ids = tuple(map(ID, ms))
    tracks: dict[str, list[int]] = {fw.id: [] for fw in content.frameworks}
    own: dict[str, list[int]] = {fw.id: [] for fw in content.frameworks}
    citing: dict[str, list[int]] = defaultdict(list)
    tags: dict[str, list[int]] = defaultdict(list)
    tagged, years, start = [], [], 0
    for year, run in itertools.groupby(m.date.year for m in ms):
        end = start + sum(1 for _ in run)
        years.append((year, start, end))
        start = end
    for i, m in enumerate(ms):
        own[m.framework].append(i)
        for fw_id in m.tracks:
            tracks[fw_id].append(i)
        for source_id in {c.source for c in m.sources if c.source}:
            citing[source_id].append(i)
        for tag in m.tags:
            tags[tag].append(i)
        if FOUNDATION_TAG in m.tags:
            tagged.append(i)
    return Layout(
        tuple(map(paths.get("milestones", {}).__getitem__, ids)),
        dict(zip(ids, itertools.count())),
        tuple(years),
        {fw_id: tuple(found) for fw_id, found in tracks.items()},
        {fw_id: tuple(found) for fw_id, found in own.items()},
        {source_id: tuple(found) for source_id, found in citing.items()},
        tuple(tagged),
        {tag: tuple(found) for tag, found in tags.items()},
        {fw_id: tuple(DAY(ms[i]) for i in found) for fw_id, found in tracks.items()},
    )


def year_runs(milestones: tuple[Milestone, ...], size: int) -> list[Part]:
    """A listing's years, each in as few parts of at most `size` milestones as can be."""
    runs = []
    for year, items in group_by_year(milestones):
        chunks = parts(items, size)
        for n, chunk in enumerate(chunks, 1):
            shown = (year, Run(chunk))
            runs.append(Part(year, n if len(chunks) > 1 else 0, len(chunks), chunk, shown))
    return runs


def listing_urls(url: str, milestones: tuple[Milestone, ...], size: int) -> list[str]:
    """The addresses of `by_year_pages`, without planning the pages."""
    if len(milestones) <= size:
        return [url]
    return [url, *(run_url(url, run) for run in year_runs(milestones, size))]


def by_year_pages(
    url: str, milestones: tuple[Milestone, ...], size: int, texts: Texts
) -> list[tuple[str, tuple[Milestone, ...], YearRuns, Pager | None]]:
    """A listing's pages (address, milestones, their years, pager): one page at `url`, or
    past `size` milestones a page per year or part of one, as the timeline is split
    (`texts` label its pages)."""
    if len(milestones) <= size:
        return [(url, milestones, group_by_year(milestones), None)]
    sheets = paginate(year_runs(milestones, size), size, url, url, texts)
    return [(s.url, s.milestones, s.shown, s.pager) for s in sheets]


def tracks_of(
    milestones: tuple[Milestone, ...], frameworks: Iterable[Framework]
) -> dict[str, tuple[Milestone, ...]]:
    """Each track's milestones among these, cross-track ones on every track."""
    tracks: dict[str, list[Milestone]] = {fw.id: [] for fw in frameworks}
    for m in milestones:
        for fw_id in m.tracks:
            tracks[fw_id].append(m)
    return {fw_id: tuple(items) for fw_id, items in tracks.items()}


def group_by_year(milestones: tuple[Milestone, ...]) -> YearRuns:
    """(year, milestones) pairs of date-ordered milestones, for the timeline's year markers."""
    years = [m.date.year for m in milestones]
    groups, start = [], 0
    for year, run in itertools.groupby(years):
        end = start + len(list(run))
        groups.append((year, Run(milestones[start:end])))
        start = end
    return tuple(groups)
