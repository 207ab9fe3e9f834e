"""Stage 3: plan every output file: its URL, its path, its template, exactly what it shows,
and the inputs that decide it.

A `Plan` plans one route when asked for it, so a rebuild plans only the routes whose inputs
changed (see `sitegen.depends`). A route's `inputs` name the fact files whose values its
context shows and the site-wide facts (see `Plan.facts`) its planning read; rendering adds
what the templates read.

The `Plan` says which outputs there are, which of them show a value, and which function
plans each: its own methods for the feed, the sitemap, `timeline.json`, the foundation's
page and each milestone's and source's page, `sitegen.listings` for the listings,
`sitegen.cards` for the social cards, over what `sitegen.layout` (where each milestone is
listed) and `sitegen.citations` (who cites what) work out. A route's value, and the keys
of the site-wide inputs, are `sitegen.route`'s.
"""

from __future__ import annotations

import bisect
import dataclasses
import operator
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from . import cards
from .citations import statements_of, uses_of
from .i18n import Texts
from .layout import (
    FOUNDATION_TAG,
    Layout,
    Run,
    Spans,
    YearRuns,
    lay_out,
    meanwhile,
    meanwhile_of,
    neighbours,
    pages_showing,
    place,
    year_spans,
)
from .listings import docs, tag_pages, timeline, track_pages, where_listed
from .model import Content, Milestone, Source
from .pages import nav_entries
from .route import (
    CARDS,
    COUNT,
    NAV,
    ORDER,
    PAGES,
    TEXTS,
    Paths,
    Planned,
    Route,
    output_of,
    page,
)
from .theme import STATIC_DIR, scan
from .theme_settings import ThemeSettings, theme_settings
from .write import refuse_shared_outputs

FONT = cards.FONT_INPUT  # the social cards' font, whose coming or going adds outputs
Theme = Mapping[str, Path]  # each static file and font by its path in the theme → its file


def plan_routes(content: Content, paths: Paths, templates_dir: Path) -> list[Route]:
    """Every route of the site, in URL order."""
    found = scan(templates_dir)
    theme = {**found.static, **found.templates, **found.fonts}
    plan = Plan(content, paths, theme, settings=theme_settings(templates_dir))
    return sorted(map(plan.route, plan.outputs), key=operator.attrgetter("url"))


ID = operator.attrgetter("id")
DEFAULTS = ThemeSettings()  # a theme without settings


class Known(NamedTuple):
    """What the last good build's plan found, for the next to reuse, and the milestones
    given a new date since, if nothing else changed that decides the outputs (see
    `assemble.content_of`): None when not known."""

    outputs: frozenset[str] = frozenset()
    listed_outputs: frozenset[str] = frozenset()  # those of them the listings make
    values: Mapping[str, object] = {}  # its site-wide values (see `facts`), by key
    moved: Sequence[Milestone] | None = None


NOTHING_KNOWN = Known()


class Plan:
    """The routes of one content model, each planned when asked for (`route`), and which
    of them show a given value (`shown_on`)."""

    def __init__(
        self,
        content: Content,
        paths: Paths,
        theme: Theme,
        layout: Layout | None = None,
        settings: ThemeSettings = DEFAULTS,
        known: Known = NOTHING_KNOWN,
    ) -> None:
        self.content, self.paths, self.theme = content, paths, theme
        self.known_layout = layout  # the last plan's, when its milestones sit as these do
        self.known = known
        self.listed_outputs: frozenset[str] = frozenset()  # found with `outputs`
        self.size = settings.timeline_page_size  # milestones a listing's page shows
        self.cards = settings.social_cards and cards.FONT in theme  # and the font is shipped
        self.texts = content.texts or Texts()
        self.tracks = content.site.tracks  # the tracks' folder in URLs
        self.families: dict[str, Planned] = {}  # see `listing`
        # Found as the listings are split (see `listings`): each one's page URLs by its first
        # page's URL, and what a split timeline's pages show of each other (`route.MARKS`).
        self.splits: dict[str, tuple[str, ...]] = {}
        self.marks: object = None

    @property
    def layout(self) -> Layout:
        if self.known_layout is None:
            self.known_layout = lay_out(self.content, self.paths)
        return self.known_layout

    @cached_property
    def outputs(self) -> frozenset[str]:
        """Every output of the site; SiteError if two would be one file."""
        listed = [o for family in LISTINGS for o in self.listing(family)]  # not planned yet
        self.listed_outputs = now = frozenset(listed)
        known = self.known
        if known.moved and known.listed_outputs:  # only the listings' pages may come or go
            if now == known.listed_outputs:
                return known.outputs
            rest = known.outputs - known.listed_outputs
            if len(now) == len(listed) and rest.isdisjoint(now):
                return rest | now
        c = self.content
        found = [o for o in ONE_OF_A_KIND if o != "foundation/index.html" or c.foundation]
        found += [f"milestones/{v.id}/index.html" for v in c.milestones]
        found += [f"sources/{v.id}/index.html" for v in c.sources]
        found += listed
        found += [name for name in self.theme if name.startswith(f"{STATIC_DIR}/")]
        if self.cards:
            found += (
                ["cards/index.png", "cards/foundation.png"] if c.foundation else ["cards/index.png"]
            )
            found += [f"cards/{self.tracks}/{v.id}.png" for v in c.frameworks]
            found += [f"cards/milestones/{v.id}.png" for v in c.milestones]
        unique = frozenset(found)
        if len(unique) < len(found):
            refuse_shared_outputs(found)
        return unique

    def route(self, output: str) -> Route:
        """The route of one of `outputs`."""
        kind, _, rest = output.partition("/")
        if kind in PER_VALUE and rest.count("/") == 1 and rest.endswith("/index.html"):
            return PER_VALUE[kind](self, self.value(kind, rest.removesuffix("/index.html")))
        family = self.family(output)
        if family is not None:
            return self.listing(family)[output]()
        if kind == STATIC_DIR and rest:
            return Route(
                f"/{output}", output, static=self.theme[output], inputs=(f"templates/{output}",)
            )
        if kind == "cards":
            return cards.card_route(self, rest.removesuffix(".png"))
        return ONE_OF_A_KIND[output](self)

    def facts(self, digests: Mapping[str, object], pages: bool) -> dict[str, object]:
        """The site-wide values pages may read, by key (see `sitegen.depends`): each value
        of the site's config, the tracks in order, the frameworks' and sources' files, whether
        there is a foundation and are social cards, the texts, the navigation, and (when
        `pages`: only a plan of every output changes them) every page's URL and where each
        milestone and page is listed."""
        c = self.content
        site = {f"site:{f.name}": getattr(c.site, f.name) for f in dataclasses.fields(c.site)}
        listed = {
            f"list:{kind}": tuple((p, digests.get(p)) for p in self.files(kind, values))
            for kind, values in (("frameworks", c.frameworks), ("sources", c.sources))
        }
        has = {"has:foundation": c.foundation is not None, CARDS: self.cards}
        has[ORDER] = tuple(map(ID, c.frameworks))
        texts = self.texts
        counts = {f"count:{fw}": cards.count(ms, texts) for fw, ms in self.by_framework.items()}
        counts[COUNT] = cards.count(c.milestones, texts)
        shared = {TEXTS: texts, NAV: nav_entries(c)}
        placed = where_listed(self) if pages else {}
        return {**site, **listed, **has, **counts, **shared, **placed}

    @cached_property
    def pages(self) -> tuple[str, ...]:
        """The URL of every output named `index.html`, sorted: the sitemap's list."""
        outputs, pages = self.known.outputs, self.known.values.get(PAGES)
        if isinstance(pages, tuple) and (outputs is self.outputs or outputs == self.outputs):
            return pages  # the last plan's outputs: not sorted again (a milestone moved)
        static = f"{STATIC_DIR}/"
        return tuple(
            sorted(
                "/" + (o if o.startswith(static) else o.removesuffix("index.html"))
                for o in self.outputs
                if o.endswith("index.html")
            )
        )

    def files(self, kind: str, values: Iterable[Any]) -> tuple[str, ...]:
        return tuple(map(self.paths.get(kind, {}).__getitem__, map(ID, values)))

    def shown_on(self, kind: str, value: Any) -> list[str]:
        """The outputs that show a value read from a fact file (so a file that starts being
        shown somewhere is planned there too, though that route did not read it before)."""
        cited = [
            f"sources/{c.source}/index.html"
            for *_, citations in statements_of(kind, value, self.texts, self.tracks)
            for c in citations
            if c.source
        ]
        if kind == "sources":
            return [f"sources/{value.id}/index.html", *cited]
        if kind == "frameworks":
            return [output_of(self.content.site.track_path(value.id)), *cited]
        if kind == "pages":
            listed = self.showing.get(("pages", value.path), [])
            return [output_of(value.url), *listed, *cited]
        if kind != "milestones":
            return ["foundation/index.html", *cited] if kind == "foundation" else cited
        m = value
        if m.id not in self.layout.index:
            return []  # a draft left out
        ms, layout = self.content.milestones, self.layout
        around = [f"milestones/{n.id}/index.html" for n in neighbours(layout, ms, m) if n]
        around += [f"milestones/{x.id}/index.html" for x in meanwhile_of(layout, ms, m)]
        listed = self.listed_on(m)
        extra = ["foundation/index.html"] if self.on_foundation_page(m) else []
        own = ["feed.xml", "timeline.json", f"milestones/{m.id}/index.html"]
        return [*own, *around, *listed, *extra, *cited]

    def listed_on(self, m: Milestone) -> list[str]:
        """The listings' outputs that show a milestone (as `showing` has them, without
        planning every listing): on the timeline and on each of its tracks' and tags' pages,
        its year's page, and the first page where that shows its year."""
        c, layout, size = self.content, self.layout, self.size
        # Each listing of it but the timeline: its first page's URL (its year pages' prefix
        # too), and its milestones' indexes among all.
        tracks = [(c.site.track_path(fw), layout.tracks[fw]) for fw in m.tracks]
        tags = [(f"/tags/{tag}/", layout.tags[tag]) for tag in m.tags if tag in layout.tags]
        i = layout.index[m.id]
        urls = list(pages_showing("/", "/years/", layout.years, size, i))
        for home, at in [*tracks, *tags]:
            urls += pages_showing(home, home, self.years_of(at), size, bisect.bisect_left(at, i))
        return list(map(output_of, urls))

    def on_foundation_page(self, m: Milestone) -> bool:
        return self.content.foundation is not None and FOUNDATION_TAG in m.tags

    # The routes ----------------------------------------------------------------------------

    @cached_property
    def listings(self) -> dict[str, Route]:
        """The routes that list milestones a page of them at a time past the page size
        (the timeline, each track, each tag), the tags' index and the documentation pages,
        by output; `showing` has which of them show each milestone and page."""
        return {o: plan() for family in LISTINGS for o, plan in self.listing(family).items()}

    def listing(self, family: str) -> Planned:
        """One family of `listings`: each output and what plans it, found when first asked
        for, so that a rebuild rendering a track's pages, or one page of the timeline, does
        not lay out the whole timeline."""
        if family not in self.families:
            # Planners hold the plan weakly: no cycle keeps a plan and its listings alive
            # past its build, for the garbage collector to find them after every rebuild.
            self.families[family] = LISTINGS[family](weakref.proxy(self))
        return self.families[family]

    def family(self, output: str) -> str | None:
        """Which family of `listings` an output is of, if any."""
        folder = output.partition("/")[0]
        if output in self.doc_outputs:  # first: a page may sit in a listing's folder
            return "docs"
        if output == "index.html" or folder == "years":
            return "timeline"
        return {self.tracks: "tracks", "tags": "tags"}.get(folder)

    @cached_property
    def doc_outputs(self) -> frozenset[str]:
        return frozenset(output_of(p.url) for p in self.content.pages)

    @cached_property
    def showing(self) -> dict[tuple[str, str], list[str]]:
        """(kind, id) → the listings (see `listings`) that show that milestone or page."""
        found: dict[tuple[str, str], list[str]] = defaultdict(list)
        for output, route in self.listings.items():
            for m in route.context.get("milestones", ()):
                found[("milestones", m.id)].append(output)
            for p in route.context.get("pages", ()):
                found[("pages", p.path)].append(output)
        return found

    def feed(self) -> Route:
        ms = self.content.milestones
        return page("/feed.xml", "feed.xml", (*self.listed, ORDER), milestones=ms)

    def timeline_json(self) -> Route:
        ms, inputs = self.content.milestones, (*self.listed, ORDER)
        return page("/timeline.json", "timeline.json", inputs, milestones=ms, years=self.years)

    def sitemap(self) -> Route:
        return page("/sitemap.xml", "sitemap.xml", (PAGES,), urls=self.pages)

    def milestone(self, m: Milestone) -> Route:
        ms, layout = self.content.milestones, self.layout
        around, others = neighbours(layout, ms, m), meanwhile(layout, self.by_framework, m)
        shown = [m, *filter(None, around), *(x for _, *pair in others for x in pair if x)]
        inputs = (*self.files("milestones", shown), ORDER, f"place:{m.id}")
        return page(
            f"/milestones/{m.id}/",
            "milestone.html",
            inputs,
            milestone=m,
            neighbours=around,
            meanwhile=others,
            place=place(layout, ms, m, self.size),
        )

    def source(self, source: Source) -> Route:
        citing = self.at(self.layout.citing.get(source.id, ()))
        uses, shown = uses_of(source.id, self.content, self.paths, citing, self.texts, self.tracks)
        inputs = (*self.files("sources", [source]), *shown, TEXTS)
        return page(f"/sources/{source.id}/", "source.html", inputs, source=source, uses=uses)

    def foundation(self) -> Route:
        listed = self.at(self.layout.tagged)
        inputs = (*self.paths["foundation"].values(), *self.files("milestones", listed))
        f = self.content.foundation
        return page("/foundation/", "foundation.html", inputs, foundation=f, milestones=listed)

    # What the routes share, worked out once per plan when first needed --------------------

    @cached_property
    def listed(self) -> tuple[str, ...]:
        """The files of all milestones, which the listings of them all show."""
        return self.layout.files

    @cached_property
    def years(self) -> YearRuns:
        ms, files = self.content.milestones, self.layout.files
        return tuple(
            (year, Run.with_files(ms[start:end], files[start:end]))
            for year, start, end in self.layout.years
        )

    @property
    def spans(self) -> dict[str, tuple[int, int]]:
        """Where each track's first and last milestone stand among all."""
        return {fw: (found[0], found[-1]) for fw, found in self.layout.tracks.items() if found}

    @cached_property
    def by_framework(self) -> dict[str, tuple[Milestone, ...]]:
        """Each framework's milestones in date order, cross-track ones on every track."""
        return {fw: self.at(indexes) for fw, indexes in self.layout.tracks.items()}

    def years_of(self, at: Sequence[int]) -> Spans:
        """Where each year stands in a listing of the milestones at these indexes."""
        return year_spans(at, self.layout.years)

    def at(self, indexes: Iterable[int]) -> tuple[Milestone, ...]:
        return tuple(map(self.content.milestones.__getitem__, indexes))

    def value(self, kind: str, ident: str) -> Any:
        """The milestone, framework or source with this id."""
        if kind == "milestones":
            return self.content.milestones[self.layout.index[ident]]
        return next(v for v in getattr(self.content, kind) if v.id == ident)


ONE_OF_A_KIND: dict[str, Callable[[Plan], Route]] = {
    "404.html": lambda _: page("/404.html", "404.html"),
    "robots.txt": lambda _: page("/robots.txt", "robots.txt"),
    ".nojekyll": lambda _: Route("/.nojekyll", ".nojekyll"),  # GitHub Pages: publish as is
    "feed.xml": Plan.feed,
    "timeline.json": Plan.timeline_json,
    "sitemap.xml": Plan.sitemap,
    "foundation/index.html": Plan.foundation,
}
LISTINGS: dict[str, Callable[[Plan], Planned]] = {
    "timeline": timeline,
    "tracks": track_pages,
    "tags": tag_pages,
    "docs": docs,
}
PER_VALUE: dict[str, Callable[[Plan, Any], Route]] = {
    "milestones": Plan.milestone,
    "sources": Plan.source,
}
