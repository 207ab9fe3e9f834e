"""Where each milestone is listed: the `Layout` of a content's milestones (by index, from
what decides a milestone's place alone), how a listing splits its milestones by year, and
what stands around a milestone (its neighbours, the other tracks meanwhile, the timeline
page its card is on).

It stands alone because it reads nothing but the milestones' places: the planner
(`routes`) keeps a layout from one plan to the next while the milestones sit where they
did, and every listing (the timeline, a track's or a tag's pages) is split by it.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from functools import partial
from typing import NamedTuple

from .i18n import Texts
from .model import DAY, Content, Framework, Milestone, date_order
from .pagination import Pager, cuts, first_shown, paginate, parts, run_url
from .pagination import Run as Part
from .route import Paths
from .timeline import Day

FOUNDATION_TAG = "foundation"  # milestones with this tag are listed on the foundation page
ID = operator.attrgetter("id")


class Run(tuple):  # type: ignore[type-arg]
    """Milestones listed together, such as one year of a listing: a tuple, which keeps the
    key `cached()` knows it by once worked out (see `fragments.value_key`), since a
    listing's years are each passed to several fragments; and, where the layout gives
    them (`with_files`), its milestones' fact files, which spares that key a look-up of
    each (ten thousand look-ups take milliseconds)."""

    @classmethod
    def with_files(cls, milestones: Sequence[Milestone], files: Sequence[str]) -> Run:
        run = cls(milestones)
        run.files = files
        return run


YearRuns = tuple[tuple[int, Run], ...]  # see `group_by_year`
Spans = tuple[tuple[int, int, int], ...]  # (year, first index, index after the last)


class Layout(NamedTuple):
    """Where each milestone is listed, by its index in the content's milestones, worked out
    from what decides that alone (`assemble.place`): so it holds for every content whose
    milestones sit in the same places, such as one with a milestone reworded."""

    files: tuple[str, ...]  # each milestone's fact file
    index: dict[str, int]  # id → index
    years: Spans  # where each year's milestones stand
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
    tagged: list[int] = []
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
        spans_by_year(ms),
        {fw_id: tuple(found) for fw_id, found in tracks.items()},
        {fw_id: tuple(found) for fw_id, found in own.items()},
        {source_id: tuple(found) for source_id, found in citing.items()},
        tuple(tagged),
        {tag: tuple(found) for tag, found in tags.items()},
        {fw_id: tuple(DAY(ms[i]) for i in found) for fw_id, found in tracks.items()},
    )


def spans_by_year(ms: Sequence[Milestone]) -> Spans:
    """Where each year's milestones stand among `ms`, in date order."""
    years, start = [], 0
    for year, run in itertools.groupby(m.date.year for m in ms):
        end = start + sum(1 for _ in run)
        years.append((year, start, end))
        start = end
    return tuple(years)


def relaid(
    layout: Layout | None, content: Content, moved: Sequence[Milestone] | None
) -> Layout | None:
    """`layout` once one milestone (`moved`, with its new date) moved among `content`'s:
    what `lay_out` gives, without a pass over every milestone, since the moved one is still
    on the same tracks, tags and sources and the rest keep their order. None when the
    layout or what moved is not known, or more than one moved, for `lay_out` to work out."""
    if layout is None or moved is None or len(moved) != 1:
        return None
    m, ms = moved[0], content.milestones
    if m.id not in layout.index:
        return layout  # a draft left out: what is listed sits as it did
    rank = {fw.id: n for n, fw in enumerate(content.frameworks)}
    key = partial(date_order, rank)
    i, j = layout.index[m.id], bisect.bisect_left(ms, key(m), key=key)
    if j == len(ms) or ms[j] is not m:
        return None
    files = list(layout.files)
    files.insert(j, files.pop(i))
    index = dict(layout.index)  # the last layout stays as it was, should this build fail
    index.update((ms[k].id, k) for k in range(min(i, j), max(i, j) + 1))
    tracks, days = shifted_all(layout.tracks, i, j), dict(layout.days)
    for fw_id in m.tracks:
        listed = list(days[fw_id])
        listed.pop(bisect.bisect_left(layout.tracks[fw_id], i))
        listed.insert(bisect.bisect_left(tracks[fw_id], j), DAY(m))
        days[fw_id] = tuple(listed)
    return Layout(
        tuple(files),
        index,
        moved_between_years(layout.years, i, m.date.year),
        tracks,
        shifted_all(layout.own, i, j),
        shifted_all(layout.citing, i, j),
        shifted(layout.tagged, i, j),
        shifted_all(layout.tags, i, j),
        days,
    )


def moved_between_years(years: Spans, i: int, year: int) -> Spans:
    """`years` (see `spans_by_year`) once the milestone at `i` moved to `year`: the counts
    of two years change, and the years between start one earlier or later."""
    was = year_at(years, i)[0]
    counts = {y: end - start for y, start, end in years}
    counts[was] -= 1
    counts[year] = counts.get(year, 0) + 1
    found, start = [], 0
    for y in sorted(y for y, count in counts.items() if count):
        found.append((y, start, start + counts[y]))
        start += counts[y]
    return tuple(found)


def year_at(years: Spans, i: int) -> tuple[int, int, int]:
    """The year (see `spans_by_year`) that holds the milestone at `i`."""
    return years[bisect.bisect_right(years, i, key=operator.itemgetter(1)) - 1]


def shifted(at: tuple[int, ...], i: int, j: int) -> tuple[int, ...]:
    """The ascending indexes `at` once the milestone at `i` moved to `j`: those between
    step over it, and it stands at `j` if it was listed."""
    a, b = bisect.bisect_left(at, min(i, j)), bisect.bisect_right(at, max(i, j))
    if a == b:
        return at  # none between, nor it: as they were
    step = -1 if i < j else 1
    between = [k + step for k in at[a:b] if k != i]
    if len(between) < b - a:
        between.insert(len(between) if i < j else 0, j)
    return (*at[:a], *between, *at[b:])


def shifted_all(lists: dict[str, tuple[int, ...]], i: int, j: int) -> dict[str, tuple[int, ...]]:
    return {name: shifted(at, i, j) for name, at in lists.items()}


def year_spans(at: Sequence[int], years: Spans) -> Spans:
    """Where each year stands in a listing of the milestones at the indexes `at` (ascending)
    among all, whose years are `years`: found by bisection, without a look at a milestone."""
    found, start = [], 0
    for year, _, end in years:
        stop = bisect.bisect_left(at, end, start)
        if stop > start:
            found.append((year, start, stop))
        start = stop
    return tuple(found)


def year_runs(milestones: tuple[Milestone, ...], spans: Spans, size: int) -> list[Part]:
    """A listing's years (`spans`: see `year_spans`), each in as few parts of at most `size`
    milestones as can be."""
    runs = []
    for year, items in group_by_year(milestones, spans):
        chunks = parts(items, size)
        for n, chunk in enumerate(chunks, 1):
            shown = (year, Run(chunk))
            runs.append(Part(year, n if len(chunks) > 1 else 0, len(chunks), chunk, shown))
    return runs


def listing_urls(url: str, milestones: tuple[Milestone, ...], spans: Spans, size: int) -> list[str]:
    """The addresses of `by_year_pages`, without planning the pages."""
    if len(milestones) <= size:
        return [url]
    return [url, *(run_url(url, run) for run in year_runs(milestones, spans, size))]


def pages_showing(home: str, prefix: str, spans: Spans, size: int, i: int) -> tuple[str, ...]:
    """The addresses of a listing's pages (see `by_year_pages`; `prefix` its year pages')
    that show its milestone at `i` (`spans`: see `year_spans`): its year's page, or its
    part's, and the first page if that shows it too. Worked out from the years' counts,
    without a look at a milestone."""
    if not spans or spans[-1][2] <= size:
        return (home,)
    lengths: list[int] = []  # of every year's every part, oldest first
    for year, start, end in spans:
        cut = cuts(end - start, size)
        if start <= i < end:
            part, run = bisect.bisect_right(cut, i - start), len(lengths)
            url = year_page(prefix, year, part, len(cut) - 1)
        lengths += (b - a for a, b in itertools.pairwise(cut))
    return (url, home) if run + part - 1 >= first_shown(lengths, size) else (url,)


def by_year_pages(
    url: str, milestones: tuple[Milestone, ...], spans: Spans, size: int, texts: Texts
) -> list[tuple[str, tuple[Milestone, ...], YearRuns, Pager | None]]:
    """A listing's pages (address, milestones, their years, pager): one page at `url`, or
    past `size` milestones a page per year or part of one, as the timeline is split
    (`texts` label its pages)."""
    if len(milestones) <= size:
        return [(url, milestones, group_by_year(milestones, spans), None)]
    sheets = paginate(year_runs(milestones, spans, size), size, url, url, texts)
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


def group_by_year(milestones: tuple[Milestone, ...], spans: Spans) -> YearRuns:
    """(year, milestones) pairs of a listing, for the timeline's year markers."""
    return tuple((year, Run(milestones[start:end])) for year, start, end in spans)


class Neighbours(NamedTuple):
    """The milestones before and after one, overall and within its framework."""

    previous: Milestone | None
    next: Milestone | None
    previous_in_framework: Milestone | None
    next_in_framework: Milestone | None


Meanwhile = tuple[tuple[str, Milestone | None, Milestone | None], ...]  # see `meanwhile`


def neighbours(layout: Layout, ms: Sequence[Milestone], m: Milestone) -> Neighbours:
    """The milestones before and after `m` among `ms`, the milestones laid out."""
    i = layout.index[m.id]
    own = layout.own[m.framework]  # its neighbours in its framework are of it too
    j = bisect.bisect_left(own, i)
    return Neighbours(
        ms[i - 1] if i else None,
        ms[i + 1] if i + 1 < len(ms) else None,
        ms[own[j - 1]] if j else None,
        ms[own[j + 1]] if j + 1 < len(own) else None,
    )


def meanwhile(
    layout: Layout, by_framework: Mapping[str, tuple[Milestone, ...]], m: Milestone
) -> Meanwhile:
    """For each other track: its last milestone on or before `m`'s date, and its first
    after (`by_framework`: each track's milestones, as laid out)."""
    around = []
    for fw_id, listed in by_framework.items():
        if fw_id in m.tracks or not listed:
            continue
        i = bisect.bisect_right(layout.days[fw_id], DAY(m))
        around.append((fw_id, listed[i - 1] if i else None, listed[i] if i < len(listed) else None))
    return tuple(around)


def meanwhile_of(layout: Layout, ms: Sequence[Milestone], m: Milestone) -> list[Milestone]:
    """The milestones whose `meanwhile` shows `m`: those of other tracks for which `m` is
    the last of one of its tracks on or before their day, or the first after it. Exactly
    those: a move re-renders each of them, and a month holds dozens on a large site."""
    found = {}
    for fw_id in m.tracks:
        days = layout.days[fw_id]
        k = bisect.bisect_left(layout.tracks[fw_id], layout.index[m.id])
        before, day, after = days[k - 1] if k else None, days[k], days[k + 1 : k + 2]
        spans = []
        if not after or after[0] > day:  # the last of its day: "before" from its day on
            spans.append((day, after[0] if after else None))
        if before is None or before < day:  # the first of its day: "after" until its day
            spans.append((before, day))
        for low, high in spans:
            start = 0 if low is None else bisect.bisect_left(ms, low, key=DAY)
            end = len(ms) if high is None else bisect.bisect_left(ms, high, key=DAY)
            found.update((x.id, x) for x in ms[start:end] if fw_id not in x.tracks)
    return list(found.values())


def places(
    layout: Layout, ms: Sequence[Milestone], size: int, years: Set[int] | None = None
) -> dict[str, str]:
    """`place` of every milestone, by id, a year at a time (of `years` alone, if given)."""
    if len(ms) <= size:
        return dict.fromkeys(map(ID, ms), "/")
    spans = [span for span in layout.years if years is None or span[0] in years]
    found: dict[str, str] = {}
    for url, start, end in year_pages(spans, size, "/years/"):
        found.update(dict.fromkeys(map(ID, ms[start:end]), url))
    return found


def year_pages(spans: Spans, size: int, prefix: str) -> Iterator[tuple[str, int, int]]:
    """Each page of a listing split past `size` (its year pages under `prefix`), but its
    first: the page's URL, and where its milestones start and end in the listing."""
    for year, start, end in spans:
        cut = cuts(end - start, size)
        for n, (a, b) in enumerate(itertools.pairwise(cut), 1):
            yield year_page(prefix, year, n, len(cut) - 1), start + a, start + b


def place(layout: Layout, ms: Sequence[Milestone], m: Milestone, size: int) -> str:
    """The timeline page a milestone's card is on: its year's page (or its part's) once
    the timeline is split past `size` milestones, else the home page."""
    i = layout.index[m.id]
    if len(ms) <= size:
        return "/"
    year, start, end = year_at(layout.years, i)
    cut = cuts(end - start, size)
    return year_page("/years/", year, bisect.bisect_right(cut, i - start), len(cut) - 1)


def year_page(prefix: str, year: int, part: int, parts: int) -> str:
    """The page of a listing's year's `part` (from 1) of `parts`, its year pages under
    `prefix` (the timeline's: `/years/`)."""
    return run_url(prefix, Part(year, part if parts > 1 else 0, parts, (), None))
