"""Stage 3: plan every output file: its URL, its path, its template, exactly what it shows,
and the inputs that decide it.

A `Plan` plans one route when asked for it, so a rebuild plans only the routes whose inputs
changed (see `sitegen.depends`). A route's `inputs` name the fact files whose values its
context shows and the site-wide facts (see `Plan.facts`) its planning read; rendering adds
what the templates read.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from .model import DAY, Citation, Content, Era, Fact, Milestone, Source
from .write import refuse_shared_outputs

STATIC_DIR = "static"  # under templates/: the theme's stylesheets, scripts and images
FOUNDATION_TAG = "foundation"  # milestones with this tag are listed on the foundation page
ORDER = "order:frameworks"  # the tracks' order, which orders milestones of one date
PAGES = "list:pages"  # every page's URL, for the sitemap


class Route(NamedTuple):
    """One output file: rendered from `template` and `context`, or `static` copied as it is,
    or (with neither) empty. Immutable, like all it holds."""

    url: str
    output: str
    template: str = ""
    context: Mapping[str, Any] = {}  # shared, and never changed: routes are values
    static: Path | None = None
    inputs: tuple[str, ...] = ()  # fact files and site-wide facts the context comes from


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
Paths = Mapping[str, Mapping[str, str]]  # kind → id → the fact file's path (see `paths`)


def page(url: str, template: str, inputs: tuple[str, ...] = (), **context: Any) -> Route:
    """A folder-style HTML page (`/x/` → `x/index.html`), or a file when the URL names one."""
    return Route(url, output_of(url), template, context, None, inputs)


def output_of(url: str) -> str:
    output = url.strip("/")
    if url.endswith("/"):
        return f"{output}/index.html" if output else "index.html"
    return output


def paths(checked: Iterable[Any]) -> dict[str, dict[str, str]]:
    """For each kind of fact file, the path of the file defining each id."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for c in checked:
        found[c.kind][getattr(c.value, "id", "")] = c.path
    return dict(found)


def plan_routes(content: Content, paths: Paths, templates_dir: Path) -> list[Route]:
    """Every route of the site, in URL order."""
    plan = Plan(content, paths, templates_dir / STATIC_DIR)
    return sorted(map(plan.route, plan.makers), key=URL)


URL = operator.attrgetter("url")
ID = operator.attrgetter("id")


class Plan:
    """The routes of one content model, each planned when asked for (`route`), and which
    of them show a given value (`shown_on`)."""

    def __init__(self, content: Content, paths: Paths, static_dir: Path) -> None:
        self.content, self.paths, self.static_dir = content, paths, static_dir

    @cached_property
    def static(self) -> list[str]:
        return static_files(self.static_dir)

    @cached_property
    def makers(self) -> dict[str, tuple[Callable[[Any], Route], Any]]:
        """Every output, with what plans its route: (a method, the value it is given)."""
        c = self.content
        made: list[tuple[str, tuple[Callable[[Any], Route], Any]]] = [
            ("index.html", (self.timeline, None)),
            ("404.html", (lambda _: page("/404.html", "404.html"), None)),
            ("robots.txt", (lambda _: page("/robots.txt", "robots.txt"), None)),
            (".nojekyll", (lambda _: Route("/.nojekyll", ".nojekyll"), None)),  # Pages: as is
            ("feed.xml", (self.feed, None)),
            ("timeline.json", (self.timeline_json, None)),
            ("sitemap.xml", (self.sitemap, None)),
        ]
        for prefix, values, make in (
            ("milestones", c.milestones, self.milestone),
            ("frameworks", c.frameworks, self.framework),
            ("sources", c.sources, self.source),
        ):
            outputs = [f"{prefix}/{v.id}/index.html" for v in values]
            made += zip(outputs, zip(itertools.repeat(make), values), strict=False)
        if c.foundation is not None:
            made.append(("foundation/index.html", (self.foundation, c.foundation)))
        made += ((f"{STATIC_DIR}/{name}", (self.asset, name)) for name in self.static)
        makers = dict(made)
        if len(makers) < len(made):
            refuse_shared_outputs(output for output, _ in made)
        return makers

    def route(self, output: str) -> Route:
        make, value = self.makers[output]
        return make(value)

    def facts(self, digests: Mapping[str, object]) -> dict[str, object]:
        """The site-wide values pages may read, by key (see `sitegen.depends`): each value
        of the site's config, the tracks in order, the frameworks' and sources' files, whether
        there is a foundation, and every page's URL."""
        c = self.content
        site = {f"site:{f.name}": getattr(c.site, f.name) for f in dataclasses.fields(c.site)}
        listed = {
            f"list:{kind}": tuple((p, digests.get(p)) for p in self.files(kind, values))
            for kind, values in (("frameworks", c.frameworks), ("sources", c.sources))
        }
        has = {"has:foundation": c.foundation is not None}
        return {**site, **listed, **has, ORDER: tuple(map(ID, c.frameworks)), PAGES: self.pages}

    @cached_property
    def pages(self) -> tuple[str, ...]:
        """The URL of every output named `index.html`, sorted: the sitemap's list."""
        c = self.content
        urls = ["/", *(f"/{STATIC_DIR}/{n}" for n in self.static if n.endswith("index.html"))]
        for prefix, values in (
            ("milestones", c.milestones),
            ("frameworks", c.frameworks),
            ("sources", c.sources),
        ):
            urls += (f"/{prefix}/{v.id}/" for v in values)
        urls += ["/foundation/"] if c.foundation is not None else []
        return tuple(sorted(urls))

    def files(self, kind: str, values: Iterable[Any]) -> tuple[str, ...]:
        return tuple(map(self.paths.get(kind, {}).__getitem__, map(ID, values)))

    def shown_on(self, kind: str, value: Any) -> list[str]:
        """The outputs that show a value read from a fact file (so a file that starts being
        shown somewhere is planned there too, though that route did not read it before)."""
        cited = self.cited_pages(c for *_, cs in statements_of(kind, value) for c in cs)
        if kind != "milestones":
            own = {
                "sources": "sources/{}/",
                "frameworks": "frameworks/{}/",
                "foundation": "foundation/",
            }
            page = own.get(kind, "").format(getattr(value, "id", ""))
            return [f"{page}index.html", *cited] if page else cited
        m = value
        around = [f"milestones/{n.id}/index.html" for n in self.neighbours(m) if n]
        tracks = [f"frameworks/{fw}/index.html" for fw in m.tracks]
        extra = ["foundation/index.html"] if self.on_foundation_page(m) else []
        own = ["index.html", "feed.xml", "timeline.json", f"milestones/{m.id}/index.html"]
        return [*own, *around, *tracks, *extra, *cited]

    @staticmethod
    def cited_pages(citations: Iterable[Citation]) -> list[str]:
        return [f"sources/{c.source}/index.html" for c in citations if c.source]

    def on_foundation_page(self, m: Milestone) -> bool:
        return self.content.foundation is not None and FOUNDATION_TAG in m.tags

    # The routes ----------------------------------------------------------------------------

    def timeline(self, _: None) -> Route:
        ms = self.content.milestones
        eras = place_eras(ms, self.content.site.eras)
        return page(
            "/",
            "timeline.html",
            (*self.files("milestones", ms), "site:eras", ORDER),
            milestones=ms,
            years=timeline_years(self.years, eras),
            eras_after=eras.get("", ()),
            by_framework=self.by_framework,
        )

    def feed(self, _: None) -> Route:
        ms = self.content.milestones
        return page("/feed.xml", "feed.xml", (*self.files("milestones", ms), ORDER), milestones=ms)

    def timeline_json(self, _: None) -> Route:
        ms = self.content.milestones
        inputs = (*self.files("milestones", ms), ORDER)
        return page("/timeline.json", "timeline.json", inputs, milestones=ms, years=self.years)

    def sitemap(self, _: None) -> Route:
        return page("/sitemap.xml", "sitemap.xml", (PAGES,), urls=self.pages)

    def milestone(self, m: Milestone) -> Route:
        around = self.neighbours(m)
        inputs = (*self.files("milestones", [m, *filter(None, around)]), ORDER)
        return page(
            f"/milestones/{m.id}/", "milestone.html", inputs, milestone=m, neighbours=around
        )

    def framework(self, fw: Any) -> Route:
        own = self.by_framework[fw.id]
        inputs = (*self.files("frameworks", [fw]), *self.files("milestones", own), ORDER)
        return page(
            f"/frameworks/{fw.id}/",
            "framework.html",
            inputs,
            framework=fw,
            milestones=own,
            years=group_by_year(own),
        )

    def source(self, source: Source) -> Route:
        uses, shown = self.uses(source.id)
        inputs = (*self.files("sources", [source]), *shown)
        return page(f"/sources/{source.id}/", "source.html", inputs, source=source, uses=uses)

    def asset(self, name: str) -> Route:
        key, file = f"templates/{STATIC_DIR}/{name}", self.static_dir / name
        return Route(f"/{STATIC_DIR}/{name}", f"{STATIC_DIR}/{name}", static=file, inputs=(key,))

    def foundation(self, foundation: Any) -> Route:
        listed = tuple(m for m in self.content.milestones if self.on_foundation_page(m))
        inputs = (*self.paths["foundation"].values(), *self.files("milestones", listed))
        return page(
            "/foundation/", "foundation.html", inputs, foundation=foundation, milestones=listed
        )

    # What the routes share, worked out once per plan when first needed --------------------

    @cached_property
    def years(self) -> YearRuns:
        return group_by_year(self.content.milestones)

    @cached_property
    def by_framework(self) -> dict[str, tuple[Milestone, ...]]:
        return milestones_by_framework(self.content)

    @cached_property
    def places(self) -> dict[str, tuple[tuple[Milestone, ...], dict[str, int]]]:
        """All milestones and each track's own (its neighbours are on its own track), each
        with every milestone's index in it; the whole list under ''."""
        ms = self.content.milestones
        found = {"": (ms, dict(zip(map(ID, ms), itertools.count())))}
        for fw_id, listed in self.by_framework.items():
            own = tuple(m for m in listed if m.framework == fw_id)
            found[fw_id] = (own, dict(zip(map(ID, own), itertools.count())))
        return found

    def neighbours(self, m: Milestone) -> Neighbours:
        (every, at), (own, at_own) = self.places[""], self.places[m.framework]
        return Neighbours(*around(every, at[m.id]), *around(own, at_own[m.id]))

    def uses(self, source_id: str) -> tuple[tuple[Use, ...], list[str]]:
        """Every statement citing a source, in page order (the intro, the frameworks' facts,
        the milestones, the foundation), and the files they come from."""
        c, found, files = self.content, [], []

        def add(path: str, statements: Iterable[Statement]) -> None:
            cited = [
                Use(title, url, text, x.quote)
                for title, url, text, citations in statements
                for x in citations
                if x.source == source_id
            ]
            if cited:
                found.extend(cited)
                files.append(path)

        for kind, values in (("site", [c.site]), ("frameworks", c.frameworks)):
            for value in values:
                add(self.paths[kind][getattr(value, "id", "")], statements_of(kind, value))
        for m in self.citing.get(source_id, ()):
            add(self.paths["milestones"][m.id], statements_of("milestones", m))
        if c.foundation is not None:
            add(self.paths["foundation"][""], statements_of("foundation", c.foundation))
        return tuple(found), files

    @cached_property
    def citing(self) -> dict[str, list[Milestone]]:
        """For each source id, the milestones citing it, in date order."""
        found: dict[str, list[Milestone]] = defaultdict(list)
        for m in self.content.milestones:
            cited = [c.source for c in m.sources if c.source]
            for source_id in cited if len(cited) < 2 else dict.fromkeys(cited):
                found[source_id].append(m)
        return found


def around(items: tuple[Milestone, ...], i: int) -> tuple[Milestone | None, Milestone | None]:
    """The items before and after index `i`, or None at either end."""
    if not items:
        return None, None
    return (items[i - 1] if i > 0 else None), (items[i + 1] if i + 1 < len(items) else None)


Statement = tuple[str, str, str, tuple[Citation, ...]]  # (page title, url, text, citations)


def statements_of(kind: str, value: Any) -> list[Statement]:
    """The cited statements a fact file's value makes, in page order."""
    if kind == "milestones":
        return [(value.title, f"/milestones/{value.id}/", value.summary, value.sources)]
    if kind == "site":
        intro = value.intro
        return [(value.title, "/", fact_text(intro), intro.sources)] if intro else []
    if kind == "frameworks":
        url = f"/frameworks/{value.id}/"
        return [(value.name, url, fact_text(f), f.sources) for f in value.facts]
    if kind != "foundation":
        return []
    f, url = value, "/foundation/"
    facts = (f.summary, f.board, f.principles, f.purposes, f.governance, f.philosophy)
    found = [(f.name, url, fact_text(fact), fact.sources) for fact in facts]
    found.append((f.parent.name, url, f"Part of the {f.parent.name}.", f.parent.sources))
    found.append((f.name, url, f.announcement.text, f.announcement.sources))
    return found + [(f"{s.speaker}, {s.role}", url, s.text, s.sources) for s in f.statements]


def fact_text(fact: Fact) -> str:
    return " ".join([fact.text, *fact.items]).strip()


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


def group_by_year(milestones: tuple[Milestone, ...]) -> YearRuns:
    """(year, milestones) pairs of date-ordered milestones, for the timeline's year markers."""
    years = [m.date.year for m in milestones]
    groups, start = [], 0
    for year, run in itertools.groupby(years):
        end = start + len(list(run))
        groups.append((year, milestones[start:end]))
        start = end
    return tuple(groups)


def timeline_years(
    years: YearRuns, starts: Mapping[str, tuple[Era, ...]]
) -> tuple[tuple[int, tuple[Milestone, ...], tuple[tuple[str, tuple[Era, ...]], ...]], ...]:
    """(year, milestones, eras) for each year of `group_by_year`, where `eras` pairs the id
    of a milestone with the eras (from `place_eras`) whose labels go before it. Each year is
    a value of its own, so a template can cache it whole (see `cached` in docs/templates.md)."""
    return tuple(
        (year, items, tuple((m.id, starts[m.id]) for m in items if m.id in starts))
        for year, items in years
    )


def place_eras(
    milestones: tuple[Milestone, ...], eras: Iterable[Era]
) -> dict[str, tuple[Era, ...]]:
    """Where each era's label goes among date-ordered milestones: before the first one on
    or after its start (keyed by that milestone's id), or under '' when it starts after the
    last milestone."""
    placed: dict[str, list[Era]] = defaultdict(list)
    for era in sorted(eras, key=lambda e: e.start):
        start = era.start
        i = bisect.bisect_left(milestones, (start.year, start.month, start.day), key=DAY)
        placed[milestones[i].id if i < len(milestones) else ""].append(era)
    return {key: tuple(value) for key, value in placed.items()}


def static_files(static_dir: Path) -> list[str]:
    """The theme's assets (paths under `static/`), copied byte for byte under `/static/`."""
    if not static_dir.is_dir():
        return []
    files = sorted(p for p in static_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [p.relative_to(static_dir).as_posix() for p in files]


def fingerprint(path: Path) -> str:
    """A short content hash, so a changed asset gets a new URL past every cache."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]
