"""The timeline's layout, worked out before rendering: where each card, track line and era
band goes, so that going down the page never goes back in time.

Each year is a grid of its own (so a template can cache it whole): a head row, then one
row per era label and per milestone, in date order, then a row for the years without
milestones that follow, if any. Rows are shared by every lane: a card starts on its own
row, below every earlier card whatever its track, and spans down to the row where the
next card in any of its lanes starts, so cards of different tracks stagger and never
overlap. Everything here is a plain value (named tuples of ints, strings and model
values), so two plans compare by value.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from .model import DAY, Era, Framework, Milestone, PartialDate
from .pagination import parts

Day = tuple[int, int, int]


class Card(NamedTuple):
    """A milestone on the timeline: its row, the row line the next card in one of its
    lanes starts at, and its lanes (first and last, from 1, in track order)."""

    milestone: Milestone
    row: int
    end: int
    lanes: tuple[int, int]


class Rail(NamedTuple):
    """One track's line through a year, between row lines `start` and `end`; it `opens`
    at the track's first milestone and `closes` at its last (else it runs on beyond the
    year)."""

    track: str
    lane: int
    start: int
    end: int
    opens: bool
    closes: bool


class Band(NamedTuple):
    """An era's tint through a year, between row lines `start` and `end`, on `lanes` (from
    1, in track order; empty for every lane)."""

    era: Era
    lanes: tuple[int, ...]
    start: int
    end: int


class EraLabel(NamedTuple):
    """An era's name, in the margin, on the row where it begins."""

    era: Era
    row: int


class Year(NamedTuple):
    """One year of the timeline (see the module's docstring); `milestones` comes second,
    as in every `years` run the templates' helpers read."""

    year: int
    milestones: tuple[Milestone, ...]
    rows: int  # the head row and one per label and card; the gap row, if any, comes after
    cards: tuple[Card, ...]
    labels: tuple[EraLabel, ...]
    rails: tuple[Rail, ...]
    bands: tuple[Band, ...]
    following: int | None  # the next year with milestones (None in a part but the last)
    part: int = 0  # a long year split across pages (see `pagination`): which part, from 1
    parts: int = 1

    @property
    def gap(self) -> tuple[int, int] | None:
        """The years without milestones that follow, first and last."""
        if self.following is None or self.following == self.year + 1:
            return None
        return (self.year + 1, self.following - 1)

    @property
    def end(self) -> int:
        """The grid's last row line, below the row kept for a gap (which a filter that
        hides whole years may open)."""
        return self.rows + 2


def day(date: PartialDate) -> Day:
    return (date.year, date.month, date.day)


class Stretch(NamedTuple):
    """What one grid lays out: a year, or a part of a long one, before its layout."""

    year: int
    milestones: tuple[Milestone, ...]
    starts: tuple[tuple[int, Era], ...]  # the eras whose labels go before the nth milestone
    following: int | None  # the next year with milestones (None in a part but the last)
    position: int  # of its first milestone among all
    part: int = 0
    parts: int = 1


class Grids(NamedTuple):
    """Lays out the stretches of one timeline (see `stretches`), each when asked for: a
    page of a split timeline needs only its own years."""

    eras: tuple[Era, ...]  # in order of their start
    lane_of: Mapping[str, int]
    spans: Mapping[str, tuple[int, int]]

    def __call__(self, s: Stretch) -> Year:
        laid = lay_out_year(
            s.year, s.milestones, list(s.starts), s.following, self.eras, self.lane_of,
            self.spans, s.position,
        )  # fmt: skip
        return laid._replace(part=s.part, parts=s.parts) if s.parts > 1 else laid


def plan_timeline(
    milestones: Sequence[Milestone],
    frameworks: Sequence[Framework],
    eras: Iterable[Era],
    part_size: int = 0,
) -> tuple[tuple[Year, ...], tuple[Era, ...]]:
    """The years of the timeline, and the eras that begin after its last milestone. With
    `part_size`, a year of more milestones than that is laid out in parts, a grid each."""
    runs, grids, after = stretches(milestones, frameworks, eras, part_size)
    return tuple(map(grids, runs)), after


def stretches(
    milestones: Sequence[Milestone],
    frameworks: Sequence[Framework],
    eras: Iterable[Era],
    part_size: int = 0,
    years: Sequence[tuple[int, int, int]] | None = None,
    spans: Mapping[str, tuple[int, int]] | None = None,
) -> tuple[list[Stretch], Grids, tuple[Era, ...]]:
    """The stretches of `plan_timeline`'s years, what lays each out, and the eras that
    begin after the last milestone. `years` (year, first index, index after the last) and
    `spans` (see `track_spans`) are worked out here unless known already."""
    lane_of = {fw.id: i for i, fw in enumerate(frameworks, 1)}
    eras = sorted(eras, key=lambda e: day(e.start))
    if years is None:
        runs = by_year(milestones)
    else:
        runs = [(year, tuple(milestones[start:end])) for year, start, end in years]
    # An era's label goes before the first milestone on or after its start (by bisection:
    # the milestones are in date order).
    at = [bisect.bisect_left(milestones, day(era.start), key=DAY) for era in eras]
    found, position = [], 0
    for i, (year, items) in enumerate(runs):
        following = runs[i + 1][0] if i + 1 < len(runs) else None
        first, end = (bisect.bisect_left(at, p) for p in (position, position + len(items)))
        starts = [(at[k] - position, eras[k]) for k in range(first, end)]
        chunks = parts(items, part_size) if part_size and len(items) > part_size else [items]
        offset = 0  # of the chunk in the year (`starts` counts there)
        for n, chunk in enumerate(chunks, 1):
            own = tuple((k - offset, era) for k, era in starts if offset <= k < offset + len(chunk))
            after = following if n == len(chunks) else None
            found.append(Stretch(year, chunk, own, after, position, n, len(chunks)))
            offset += len(chunk)
            position += len(chunk)
    grids = Grids(tuple(eras), lane_of, track_spans(milestones) if spans is None else spans)
    return found, grids, tuple(eras[bisect.bisect_left(at, len(milestones)) :])


def by_year(milestones: Sequence[Milestone]) -> list[tuple[int, tuple[Milestone, ...]]]:
    runs: dict[int, list[Milestone]] = {}
    for m in milestones:
        runs.setdefault(m.date.year, []).append(m)
    return [(year, tuple(items)) for year, items in runs.items()]


def track_spans(milestones: Iterable[Milestone]) -> dict[str, tuple[int, int]]:
    """Where each track's first and last milestone stand among all (cross-track
    milestones count on each)."""
    spans: dict[str, tuple[int, int]] = {}
    for position, m in enumerate(milestones):
        for track in m.tracks:
            first = spans.get(track, (position, position))[0]
            spans[track] = (first, position)
    return spans


def lay_out_year(
    year: int,
    items: tuple[Milestone, ...],
    starts: list[tuple[int, Era]],
    following: int | None,
    eras: Sequence[Era],
    lane_of: Mapping[str, int],
    spans: Mapping[str, tuple[int, int]],
    position: int,
) -> Year:
    """The grid of `items`, which stand at `position` among all milestones."""
    row = 1  # the head row
    labels, rows_of, item_days = [], [], []  # rows of milestones; (row, day) of every item
    pending = list(starts)
    for index, m in enumerate(items):
        while pending and pending[0][0] == index:
            row += 1
            era = pending.pop(0)[1]
            labels.append(EraLabel(era, row))
            item_days.append((row, day(era.start)))
        row += 1
        rows_of.append(row)
        item_days.append((row, DAY(m)))
    body_end, end = row + 1, row + 2
    cards = place_cards(items, rows_of, body_end, lane_of)
    rails = tuple(
        rail
        for track, lane in lane_of.items()
        if (rail := year_rail(track, lane, position, items, rows_of, end, spans)) is not None
    )
    first_day, last_day = DAY(items[0]), DAY(items[-1])
    bands = []
    for era in eras:
        label = next((lb.row for lb in labels if lb.era is era), None)
        begun = day(era.start) < first_day and (era.end is None or day(era.end) > first_day)
        if label is None and not begun:
            continue
        start = label or 1
        stop = era.end and next((r for r, d in item_days if r > start and d >= day(era.end)), None)
        if stop is None and era.end and day(era.end) <= last_day:
            stop = body_end
        lanes = tuple(sorted(lane_of[t] for t in era.frameworks if t in lane_of))
        bands.append(Band(era, lanes, start, stop or end))
    return Year(year, items, row, cards, tuple(labels), rails, tuple(bands), following)


def place_cards(
    items: Sequence[Milestone], rows: Sequence[int], body_end: int, lane_of: Mapping[str, int]
) -> tuple[Card, ...]:
    """Each card spans down to the row where another card takes one of its lanes."""
    lanes = []
    for m in items:
        own = [lane_of.get(t, 1) for t in m.tracks]
        lanes.append((min(own), max(own)))
    cards = []
    for i, (m, row) in enumerate(zip(items, rows, strict=True)):
        first, last = lanes[i]
        end = next(
            (
                rows[j]
                for j in range(i + 1, len(items))
                if lanes[j][0] <= last and lanes[j][1] >= first
            ),
            body_end,
        )
        cards.append(Card(m, row, end, (first, last)))
    return tuple(cards)


def year_rail(
    track: str,
    lane: int,
    position: int,
    items: Sequence[Milestone],
    rows: Sequence[int],
    end: int,
    spans: Mapping[str, tuple[int, int]],
) -> Rail | None:
    """The track's line through the year (the `items` at `position`): from its first
    milestone (or the year's top) to its last (or the year's bottom); None where the track
    has not begun or has ended, or holds a single milestone."""
    if track not in spans:
        return None
    first, last = spans[track]
    if last < position or first >= position + len(items):
        return None
    own = [row for m, row in zip(items, rows, strict=True) if track in m.tracks]
    opens, closes = first >= position, last < position + len(items)
    start = own[0] if opens else 1
    stop = own[-1] if closes else end
    if stop <= start:
        return None
    return Rail(track, lane, start, stop, opens, closes)
