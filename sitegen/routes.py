"""Stage 3: plan every output file: its URL, its path, its template and exactly what it shows.

A route's context holds only what its page shows, so a page whose context and template
did not change renders to the same bytes: the dev server and the cache rely on that.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from . import cards
from .i18n import Texts
from .memo import Memo
from .model import DAY, Citation, Content, Era, Fact, Framework, Milestone, Source
from .pages import page_routes, page_uses
from .pagination import Pager, Run, paginate, parts
from .theme import STATIC_DIR, static_files
from .theme_settings import theme_settings
from .timeline import Year, plan_timeline

# Named tuples, not dataclasses: a build makes tens of thousands of these, and compares
# each with the last build's, which a tuple does several times faster.


class Route(NamedTuple):
    """One output file: rendered from `template` and `context`, or `static` copied as it is,
    or (with neither) empty. Immutable, like all it holds."""

    url: str
    output: str
    template: str = ""
    context: Mapping[str, Any] = {}  # shared, and never changed: routes are values
    static: Path | None = None


class Neighbours(NamedTuple):
    """The milestones before and after one, overall and within its framework."""

    previous: Milestone | None
    next: Milestone | None
    previous_in_framework: Milestone | None
    next_in_framework: Milestone | None


class Use(NamedTuple):
    """One place a source is cited: the page, the cited statement and the quote."""

    title: str
    url: str
    text: str
    quote: str


YearRuns = tuple[tuple[int, tuple[Milestone, ...]], ...]  # see `group_by_year`


def page(url: str, template: str, **context: Any) -> Route:
    """A folder-style HTML page (`/x/` → `x/index.html`), or a file when the URL names one."""
    output = url.strip("/")
    if url.endswith("/"):
        output = f"{output}/index.html" if output else "index.html"
    return Route(url, output, template, context)


def plan_routes(content: Content, templates_dir: Path, memo: Memo | None = None) -> list[Route]:
    """Every route of the site, in URL order. Routes for one milestone or source are kept in
    `memo` and reused while what they show is the same objects: a rebuild after one edit
    makes few routes anew, and the reused ones compare equal at once."""
    memo = memo or Memo()
    milestones = content.milestones
    size = theme_settings(templates_dir).timeline_page_size
    split = size if len(milestones) > size else 0  # see `pagination`
    timeline, eras_after = plan_timeline(milestones, content.frameworks, content.site.eras, split)
    years = group_by_year(milestones)
    by_framework = milestones_by_framework(content)
    routes, places = timeline_pages(content, timeline, eras_after, by_framework, split)
    routes += [
        page("/404.html", "404.html"),
        page("/robots.txt", "robots.txt"),
        Route("/.nojekyll", ".nojekyll"),  # tells GitHub Pages to publish as it is
        page("/feed.xml", "feed.xml", milestones=milestones),
        page("/timeline.json", "timeline.json", milestones=milestones, years=years),
    ]
    routes += milestone_pages(milestones, by_framework, memo, places)
    for fw in content.frameworks:
        routes += track_pages(content, fw, by_framework[fw.id], size)
    uses = citations_by_source(content, memo)
    for source in content.sources:
        cited = tuple(uses.get(source.id, ()))
        key = ("source", id(source), *map(id, cited))
        routes.append(memo.get(key, (source, cited), partial(source_page, source, cited)))
    if content.foundation:
        foundation_milestones = tuple(m for m in milestones if "foundation" in m.tags)
        routes.append(
            page(
                "/foundation/",
                "foundation.html",
                foundation=content.foundation,
                milestones=foundation_milestones,
            )
        )
    from .tags import tag_routes  # built on this module's `page` and `group_by_year`

    routes += tag_routes(content, size)
    routes += page_routes(content, page)
    routes += static_routes(templates_dir)
    if font := cards.card_font(templates_dir):
        for url, shown in cards.card_routes(content, font):
            routes.append(Route(url, url.lstrip("/"), cards.TEMPLATE, shown))
    routes.sort(key=URL)
    html_urls = tuple(r.url for r in routes if r.output.endswith("index.html"))
    routes.append(page("/sitemap.xml", "sitemap.xml", urls=html_urls))
    routes.sort(key=URL)  # sorted but for the last: quick
    return routes


URL = operator.attrgetter("url")


def milestones_by_framework(content: Content) -> dict[str, tuple[Milestone, ...]]:
    """Each framework's milestones in date order, cross-track ones on every track they name."""
    tracks: dict[str, list[Milestone]] = {fw.id: [] for fw in content.frameworks}
    for m in content.milestones:
        if m.also:
            for fw_id in m.tracks:
                tracks[fw_id].append(m)
        else:
            tracks[m.framework].append(m)
    return {fw_id: tuple(items) for fw_id, items in tracks.items()}


def timeline_pages(
    content: Content,
    timeline: tuple[Year, ...],
    eras_after: tuple[Era, ...],
    by_framework: Mapping[str, tuple[Milestone, ...]],
    split: int,
) -> tuple[list[Route], dict[int, str]]:
    """The timeline: one page, or past the page size (`split`) a page per year or part of
    one and a first page of the latest years (see `pagination`); and the page each
    milestone's card is on, by the milestone's id(), when that is not the first."""
    if not split:
        shown = dict(years=timeline, eras_after=eras_after, by_framework=by_framework)
        return [page("/", "timeline.html", milestones=content.milestones, pager=None, **shown)], {}
    runs = [Run(y.year, y.part, y.parts, y.milestones, y) for y in timeline]
    routes, places = [], {}
    for sheet in paginate(runs, split, "/", "/years/", content.texts or Texts()):
        newest = sheet.shown[-1] is timeline[-1]
        routes.append(
            page(
                sheet.url,
                "timeline.html",
                milestones=sheet.milestones,
                years=sheet.shown,
                eras_after=eras_after if newest else (),
                by_framework=tracks_of(sheet.milestones, content.frameworks),
                pager=sheet.pager,
            )
        )
        if sheet.pager.label:
            places.update((id(m), sheet.url) for m in sheet.milestones)
    return routes, places


def track_pages(
    content: Content, fw: Framework, own: tuple[Milestone, ...], size: int
) -> list[Route]:
    """A track's page, split as the timeline is when it has more milestones than `size`."""
    home = content.site.track_path(fw.id)
    return [
        page(url, "framework.html", framework=fw, milestones=items, years=years, pager=pager)
        for url, items, years, pager in by_year_pages(home, own, size, content.texts or Texts())
    ]


def by_year_pages(
    url: str, milestones: tuple[Milestone, ...], size: int, texts: Texts
) -> list[tuple[str, tuple[Milestone, ...], YearRuns, Pager | None]]:
    """A listing's pages (address, milestones, their years, pager): one page at `url`, or
    past `size` milestones a page per year or part of one, as the timeline is split
    (`texts` label its pages)."""
    if len(milestones) <= size:
        return [(url, milestones, group_by_year(milestones), None)]
    runs = []
    for year, items in group_by_year(milestones):
        chunks = parts(items, size)
        for n, chunk in enumerate(chunks, 1):
            runs.append(Run(year, n if len(chunks) > 1 else 0, len(chunks), chunk, (year, chunk)))
    sheets = paginate(runs, size, url, url, texts)
    return [(s.url, s.milestones, s.shown, s.pager) for s in sheets]


def tracks_of(
    milestones: tuple[Milestone, ...], frameworks: Iterable[Framework]
) -> dict[str, tuple[Milestone, ...]]:
    """Each track's milestones among these, as `milestones_by_framework` gives them."""
    tracks: dict[str, list[Milestone]] = {fw.id: [] for fw in frameworks}
    for m in milestones:
        for fw_id in m.tracks:
            tracks[fw_id].append(m)
    return {fw_id: tuple(items) for fw_id, items in tracks.items()}


def milestone_pages(
    milestones: tuple[Milestone, ...],
    by_framework: Mapping[str, tuple[Milestone, ...]],
    memo: Memo,
    places: Mapping[int, str],
) -> list[Route]:
    before_in: dict[int, Milestone] = {}  # by id(): a milestone's hash reads every field
    after_in: dict[int, Milestone] = {}
    for fw_id, listed in by_framework.items():
        own = [m for m in listed if m.framework == fw_id]  # neighbours on its own track
        for before, after in itertools.pairwise(own):
            before_in[id(after)], after_in[id(before)] = before, after
    routes = []
    count = len(milestones)
    befores, afters = (None, *milestones)[:count], (*milestones[1:], None)[:count]
    days = {fw_id: [DAY(m) for m in listed] for fw_id, listed in by_framework.items()}
    for m, before, after in zip(milestones, befores, afters, strict=True):
        here = id(m)  # the key (kept alive by its entry); the neighbours are checked below
        around = (before, after, before_in.get(here), after_in.get(here))
        others = meanwhile(m, by_framework, days)
        place = places.get(here, "/")
        kept = memo.find(here)
        if (
            kept is None
            or any(map(operator.is_not, kept.context["neighbours"], around))
            or not same_meanwhile(kept.context["meanwhile"], others)
            or kept.context["place"] != place
        ):
            kept = memo.keep(here, m, milestone_page(m, Neighbours(*around), others, place))
        routes.append(kept)
    return routes


Meanwhile = tuple[tuple[str, Milestone | None, Milestone | None], ...]


def meanwhile(
    m: Milestone, by_framework: Mapping[str, tuple[Milestone, ...]], days: Mapping[str, list]
) -> Meanwhile:
    """For each other track: its last milestone on or before `m`'s date, and its first after."""
    around = []
    for fw_id, listed in by_framework.items():
        if fw_id in m.tracks or not listed:
            continue
        i = bisect.bisect_right(days[fw_id], DAY(m))
        around.append((fw_id, listed[i - 1] if i else None, listed[i] if i < len(listed) else None))
    return tuple(around)


def same_meanwhile(kept: Meanwhile, new: Meanwhile) -> bool:
    return len(kept) == len(new) and all(
        a == c and b is d and e is f for (a, b, e), (c, d, f) in zip(kept, new, strict=True)
    )


def milestone_page(
    m: Milestone, around: Neighbours, others: Meanwhile = (), place: str = "/"
) -> Route:
    """`place` is the timeline page its card is on."""
    return page(
        f"/milestones/{m.id}/",
        "milestone.html",
        milestone=m,
        neighbours=around,
        meanwhile=others,
        place=place,
    )


def source_page(source: Source, uses: tuple[Use, ...]) -> Route:
    return page(f"/sources/{source.id}/", "source.html", source=source, uses=uses)


def group_by_year(milestones: tuple[Milestone, ...]) -> YearRuns:
    """(year, milestones) pairs of date-ordered milestones, for the timeline's year markers."""
    years = [m.date.year for m in milestones]
    groups, start = [], 0
    for year, run in itertools.groupby(years):
        end = start + len(list(run))
        groups.append((year, milestones[start:end]))
        start = end
    return tuple(groups)


def citations_by_source(content: Content, memo: Memo | None = None) -> dict[str, list[Use]]:
    """For each source id, every statement on the site that cites it, in page order. A
    milestone's citations are kept in `memo` while it is the same object."""
    memo = memo or Memo()
    uses: dict[str, list[Use]] = defaultdict(list)

    def cite(title: str, url: str, text: str, sources: Iterable[Citation]) -> None:
        for c in sources:
            if c.source:
                uses[c.source].append(Use(title, url, text, c.quote))

    def cite_fact(title: str, url: str, fact: Fact) -> None:
        cite(title, url, " ".join([fact.text, *fact.items]).strip(), fact.sources)

    site = content.site
    if site.intro:
        cite_fact(site.title, "/", site.intro)
    for fw in content.frameworks:
        for fact in fw.facts:
            cite_fact(fw.name, site.track_path(fw.id), fact)
    for m in content.milestones:
        for source_id, use in memo.get(("uses", id(m)), m, partial(milestone_uses, m)):
            uses[source_id].append(use)
    for title, url, text, citation in page_uses(content):
        cite(title, url, text, (citation,))
    if (f := content.foundation) is not None:
        url, texts = "/foundation/", content.texts or Texts()
        for fact in (f.summary, f.board, f.principles, f.purposes, f.governance, f.philosophy):
            cite_fact(f.name, url, fact)
        part_of = texts.plain("part_of_short", parent=f.parent.name)
        cite(f.parent.name, url, part_of, f.parent.sources)
        cite(f.name, url, f.announcement.text, f.announcement.sources)
        for s in f.statements:
            cite(f"{s.speaker}, {s.role}", url, s.text, s.sources)
    return uses


def milestone_uses(m: Milestone) -> list[tuple[str, Use]]:
    """Where a milestone cites each source: (source id, use), in the order it cites them."""
    url = f"/milestones/{m.id}/"
    return [(c.source, Use(m.title, url, m.summary, c.quote)) for c in m.sources if c.source]


def shape(m: Milestone) -> tuple:
    """All of a milestone that decides where it goes and which pages list it: two
    milestones of one shape differ only in what those pages show of them."""
    return (m.id, m.date, m.framework, m.also, m.tags, m.draft, tuple(c.source for c in m.sources))


def swap_uses(old: int, new: Milestone, memo: Memo) -> dict[int, Use] | None:
    """For milestones of one shape, the old one's uses (as `citations_by_source` kept them
    in `memo`, under the old one's id) by id, each paired with the new one's; None when
    they were not kept."""
    before = memo.find(("uses", old))
    if before is None:
        return None
    memo.forget(("uses", old))
    memo.forget(old)  # its page's route: holds the old milestone, which it would keep alive
    after = memo.keep(("uses", id(new)), new, milestone_uses(new))
    return {id(b): a for (_, b), (_, a) in zip(before, after, strict=True)}


def holders(routes: Iterable[Route]) -> dict[int, list[str]]:
    """For each value a route's context holds, at any depth, the outputs of the routes that
    hold it, by the value's id (plain tuples, lists and dicts are looked into, not listed)."""
    held: dict[int, list[str]] = defaultdict(list)
    for route in routes:
        seen: set[int] = set()
        todo = list(route.context.values())
        while todo:
            value = todo.pop()
            kind = type(value)
            if kind is str or kind is int or id(value) in seen:
                continue
            seen.add(id(value))
            if kind is dict:
                todo += value.values()
            elif isinstance(value, (tuple, list)):
                todo += value
            if kind is not tuple and kind is not list and kind is not dict:
                held[id(value)].append(route.output)
    return held


class Replacer:
    """Swaps values (by id) for others, wherever tuples, lists and dicts hold them, making
    a new container only where something inside changed, once for all that share it."""

    def __init__(self, swaps: Mapping[int, Any]) -> None:
        self.swaps = swaps
        self.done: dict[int, Any] = {}

    def __call__(self, value: Any) -> Any:
        new = self.swaps.get(id(value))
        if new is not None:
            return new
        kind = type(value)
        if kind is not dict and not issubclass(kind, (tuple, list)):
            return value
        done = self.done.get(id(value))
        if done is None:
            done = self.done[id(value)] = self._inside(value, kind)
        return done

    def _inside(self, value: Any, kind: type) -> Any:
        if kind is dict:
            items = {key: self(item) for key, item in value.items()}
            same = all(map(operator.is_, items.values(), value.values()))
            return value if same else items
        if any(issubclass(k, (tuple, list, dict)) for k in set(map(type, value))):
            items = [self(item) for item in value]
        else:  # the milestones of a listing, say: found in C, one pass, no call per item
            items = list(value)
            for i in itertools.compress(
                itertools.count(), map(self.swaps.__contains__, map(id, value))
            ):
                items[i] = self.swaps[id(items[i])]
        if all(map(operator.is_, items, value)):
            return value
        return kind(*items) if hasattr(kind, "_fields") else kind(items)


def replace_in_routes(
    routes: Mapping[str, Route], held: Mapping[int, list[str]], replace: Replacer
) -> list[Route]:
    """The routes that hold a value `replace` swaps, with it swapped."""
    outputs = sorted({o for old in replace.swaps for o in held.get(old, ())})
    changed = []
    for output in outputs:
        route = routes[output]
        context = replace(route.context)
        if context is not route.context:
            changed.append(route._replace(context=context))
    return changed


def static_routes(templates_dir: Path) -> list[Route]:
    """The theme's assets (see `sitegen.theme`), copied byte for byte under `/static/`."""
    return [
        Route(f"/{STATIC_DIR}/{rel}", f"{STATIC_DIR}/{rel}", static=path)
        for rel, path in static_files(templates_dir)
    ]


def fingerprint(path: Path) -> str:
    """A short content hash, so a changed asset gets a new URL past every cache."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]
