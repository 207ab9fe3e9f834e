"""The listings: the timeline, each track's pages, the tags' pages and the documentation
pages, each family planned by a function of the `Plan` (see `routes.LISTINGS`).

A listing past the page size is split by years (see `sitegen.pagination`), each page
planned when one of its family is first asked for, so a rebuild that renders one track's
pages, or one page of the timeline, does not lay out the rest. It stands alone because
these families are most of the planning, and read the plan only through its values.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import TYPE_CHECKING

from .layout import Spans, YearRuns, by_year_pages, listing_urls, places, tracks_of, year_pages
from .model import Era, Framework, Milestone, Page, Tag
from .pagination import Pager, Sheet, paginate
from .pagination import Run as Part
from .route import (
    INDEX,
    MARKS,
    ORDER,
    PAGES,
    PAGES_PLACED,
    TAGGED,
    TEXTS,
    YEAR,
    YEARS,
    Planned,
    Route,
    output_of,
    page,
    planned,
)
from .tags import TagCount, labelled, tags_of
from .timeline import Grids, stretches

if TYPE_CHECKING:  # `routes` imports this module
    from .routes import Plan

TIMELINE_READS = ("site:eras", ORDER, TEXTS)  # besides the milestones it shows, and where


def placed(home: str, pager: Pager | None) -> tuple[str, ...]:
    """What a listing's page reads of where the milestones are: on its one or first page,
    which counts them by year, where each year stands in the listing (`route.YEARS`); on
    a year's page, the listing's pages (`route.INDEX`) and which milestones it shows
    (`route.YEAR`: a year's parts are cut anew when it gains or loses one)."""
    if pager is None or not pager.label:
        return (f"{YEARS}{home}",)
    return (f"{INDEX}{home}", f"{YEAR}{pager.url}")


def where_listed(plan: Plan) -> dict[str, object]:
    """Every page's URL, and where each milestone and documentation page is listed, by key:
    of each listing, where each year stands in it and the page size (see `placed`), its
    pages' URLs if it is split (`plan.splits`: found once every listing is split, as
    listing every page does), the files each of its year pages shows if it is, and what a
    split timeline's pages show of each other; how many milestones each tag has, for the
    tags' index; and the timeline page of each milestone whose page is not the one the
    last plan recorded (`plan.known`; see `layout.place`: a move shifts few)."""
    layout, size, track_path = plan.layout, plan.size, plan.content.site.track_path
    found: dict[str, object] = {PAGES: plan.pages}  # which splits every listing, so
    found[MARKS] = plan.marks  # that this and `plan.splits` are known
    for home, at in [
        ("/", None),  # the timeline: every milestone
        *((track_path(fw), at) for fw, at in layout.tracks.items()),
        *((f"/tags/{tag}/", at) for tag, at in layout.tags.items()),
    ]:
        spans = layout.years if at is None else plan.years_of(at)
        found[f"{YEARS}{home}"] = (size, spans)
        if len(plan.splits.get(home, ())) > 1:
            files = layout.files if at is None else tuple(map(layout.files.__getitem__, at))
            pages = year_pages(spans, size, "/years/" if at is None else home)
            found.update((f"{YEAR}{url}", files[start:end]) for url, start, end in pages)
    found.update((f"{INDEX}{home}", urls) for home, urls in plan.splits.items())
    found[TAGGED] = tuple(sorted((tag, len(at)) for tag, at in layout.tags.items()))
    found[PAGES_PLACED] = tuple((p.path, p.url, p.tags, p.order) for p in plan.content.pages)
    ms, was = plan.content.milestones, plan.known.values
    shown_at = places(layout, ms, size, shifted_years(plan))
    found.update((k, url) for m, url in shown_at.items() if was.get(k := f"place:{m}") != url)
    return found


def shifted_years(plan: Plan) -> set[int] | None:
    """The years whose milestones may be on other timeline pages than at the last plan
    (`plan.known`): those whose count changed and those a milestone moved to; None for
    every year, when what moved or the years then are not known."""
    then, moved = plan.known.values.get(f"{YEARS}/"), plan.known.moved
    if moved is None or not isinstance(then, tuple) or then[0] != plan.size:
        return None
    counts = {(year, end - start) for year, start, end in plan.layout.years}
    counted = {(year, end - start) for year, start, end in then[1]}
    return {year for year, _ in counts ^ counted} | {m.date.year for m in moved}


def timeline(plan: Plan) -> Planned:
    """The timeline: one page, or past the page size a page per year or part of one
    and a first page of the latest years (see `sitegen.pagination`), each laid out
    when planned."""
    c = plan.content
    split = plan.size if len(c.milestones) > plan.size else 0
    runs, grids, eras_after = stretches(
        c.milestones, c.frameworks, c.site.eras, split, plan.layout.years, plan.spans
    )
    if not split:
        years = tuple(map(grids, runs))
        inputs = (*plan.listed, *placed("/", None), *TIMELINE_READS)
        return planned(
            [
                page(
                    "/",
                    "timeline.html",
                    inputs,
                    milestones=c.milestones,
                    years=years,
                    eras_after=eras_after,
                    by_framework=plan.by_framework,
                    pager=None,
                )
            ]
        )
    ms, spans = c.milestones, plan.spans
    ends = tuple((track, ms[first].id, ms[last].id) for track, (first, last) in spans.items())
    plan.marks = (ends, tuple((r.year, r.part, r.starts) for r in runs if r.starts), eras_after)
    parts_ = [Part(r.year, r.part, r.parts, r.milestones, r) for r in runs]
    found: Planned = {}
    sheets = paginate(parts_, split, "/", "/years/", plan.texts)
    plan.splits["/"] = tuple(sheet.url for sheet in sheets)
    for sheet in sheets:
        after = eras_after if sheet.shown[-1] is runs[-1] else ()
        found[output_of(sheet.url)] = partial(timeline_page, plan, sheet, grids, after)
    return found


def timeline_page(plan: Plan, sheet: Sheet, grids: Grids, eras_after: tuple[Era, ...]) -> Route:
    """One page of a split timeline: each reads where the track lines end and the eras'
    labels go, which its grid shows."""
    reads = (*placed("/", sheet.pager), MARKS, *TIMELINE_READS)
    return page(
        sheet.url,
        "timeline.html",
        (*plan.files("milestones", sheet.milestones), *reads),
        milestones=sheet.milestones,
        years=tuple(map(grids, sheet.shown)),
        eras_after=eras_after,
        by_framework=tracks_of(sheet.milestones, plan.content.frameworks),
        pager=sheet.pager,
    )


def track_pages(plan: Plan) -> Planned:
    """Each track's page, split as the timeline is past the page size."""
    found: Planned = {}
    for fw in plan.content.frameworks:
        home, own = plan.content.site.track_path(fw.id), plan.by_framework[fw.id]
        spans = plan.years_of(plan.layout.tracks[fw.id])
        make = partial(track_routes, plan, fw, home, own, spans)
        found.update(split_listing(plan, home, own, spans, make))
    return found


def track_routes(
    plan: Plan, fw: Framework, home: str, own: tuple[Milestone, ...], spans: Spans
) -> Planned:
    sheets = by_year_pages(home, own, spans, plan.size, plan.texts)
    return {output_of(s[0]): partial(track_route, plan, fw, home, *s) for s in sheets}


def track_route(
    plan: Plan,
    fw: Framework,
    home: str,
    url: str,
    items: tuple[Milestone, ...],
    years: YearRuns,
    pager: Pager | None,
) -> Route:
    inputs = (*plan.files("frameworks", [fw]), *plan.files("milestones", items))
    return page(
        url,
        "framework.html",
        (*inputs, ORDER, *placed(home, pager), TEXTS),
        framework=fw,
        milestones=items,
        years=years,
        pager=pager,
    )


def tag_pages(plan: Plan) -> Planned:
    """The tags' index, and a page a tag (split by years as a track's page is), each
    listing its milestones in date order, then its documentation pages."""
    c, known, found, counts = plan.content, labelled(plan.content), {}, []
    for tag_id, (milestones, docs) in tags_of(c, plan.layout.tags).items():
        tag = known.get(tag_id) or Tag(tag_id, tag_id)
        counts.append(TagCount(tag, len(milestones), len(docs)))
        home, spans = f"/tags/{tag_id}/", plan.years_of(plan.layout.tags.get(tag_id, ()))
        make = partial(tag_routes, plan, home, tag, milestones, spans, docs)
        found.update(split_listing(plan, home, milestones, spans, make))
    counts.sort(key=lambda count: (count.tag.label.casefold(), count.tag.id))
    reads = ("site:tags", TAGGED, PAGES_PLACED, TEXTS)  # the counts of each tag
    index = page("/tags/", "tags.html", reads, tags=tuple(counts))
    return {**found, **planned([index])}


def tag_routes(
    plan: Plan,
    home: str,
    tag: Tag,
    milestones: tuple[Milestone, ...],
    spans: Spans,
    docs: tuple[Page, ...],
) -> Planned:
    sheets = by_year_pages(home, milestones, spans, plan.size, plan.texts)
    return {output_of(s[0]): partial(tag_route, plan, home, tag, docs, *s) for s in sheets}


def tag_route(
    plan: Plan,
    home: str,
    tag: Tag,
    docs: tuple[Page, ...],
    url: str,
    items: tuple[Milestone, ...],
    years: YearRuns,
    pager: Pager | None,
) -> Route:
    first = pager is None or not pager.label
    shown = docs if first else ()  # listed once, on the first page
    reads = ("site:tags", *placed(home, pager), *((PAGES_PLACED,) if first else ()), TEXTS)
    inputs = (*plan.files("milestones", items), *plan.files("pages", shown), *reads)
    return page(
        url,
        "tag.html",
        inputs,
        tag=tag,
        years=years,
        pages=shown,
        pager=pager,
        milestones=items,
    )


def split_listing(
    plan: Plan,
    home: str,
    milestones: tuple[Milestone, ...],
    spans: Spans,
    make: Callable[[], Planned],
) -> Planned:
    """The outputs of a listing split as `by_year_pages` splits it, split by `make` when
    the first of them is asked for, and each then planned when asked for itself."""
    pages = cache(make)
    urls = plan.splits[home] = tuple(listing_urls(home, milestones, spans, plan.size))
    return {o: (lambda o=o: pages()[o]()) for o in map(output_of, urls)}


def docs(plan: Plan) -> Planned:
    """The documentation pages (see `sitegen.pages`)."""
    return planned(
        page(p.url, "page.html", plan.files("pages", [p]), doc=p) for p in plan.content.pages
    )
