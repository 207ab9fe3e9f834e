"""Stage 3: plan every output file: its URL, its path, its template and exactly what it shows.

A route's context holds only what its page shows, so a page whose context and template
did not change renders to the same bytes: the dev server and the cache rely on that.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from .model import Citation, Content, Era, Fact, Milestone

STATIC_DIR = "static"  # under templates/: the theme's stylesheets, scripts and images


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


def page(url: str, template: str, **context: Any) -> Route:
    """A folder-style HTML page (`/x/` → `x/index.html`), or a file when the URL names one."""
    output = url.strip("/")
    if url.endswith("/"):
        output = f"{output}/index.html" if output else "index.html"
    return Route(url, output, template, context)


def plan_routes(content: Content, templates_dir: Path) -> list[Route]:
    """Every route of the site, in URL order."""
    milestones = content.milestones
    era_starts = place_eras(milestones, content.site.eras)
    by_framework: dict[str, tuple[Milestone, ...]] = {fw.id: () for fw in content.frameworks}
    for fw_id, items in itertools.groupby(
        sorted(milestones, key=lambda m: m.framework), key=lambda m: m.framework
    ):
        by_framework[fw_id] = tuple(items)  # sorted() is stable: still in date order
    routes = [
        page(
            "/",
            "timeline.html",
            milestones=milestones,
            years=timeline_years(milestones, era_starts),
            eras_after=era_starts.get("", ()),
            by_framework=by_framework,
        ),
        page("/404.html", "404.html"),
        page("/robots.txt", "robots.txt"),
        Route("/.nojekyll", ".nojekyll"),  # tells GitHub Pages to publish as it is
        page("/feed.xml", "feed.xml", milestones=milestones),
        page("/timeline.json", "timeline.json", milestones=milestones),
    ]
    routes += milestone_pages(milestones)
    for fw in content.frameworks:
        own = by_framework[fw.id]
        routes.append(
            page(
                f"/frameworks/{fw.id}/",
                "framework.html",
                framework=fw,
                milestones=own,
                years=group_by_year(own),
            )
        )
    uses = citations_by_source(content)
    for source in content.sources:
        routes.append(
            page(
                f"/sources/{source.id}/", "source.html", source=source, uses=tuple(uses[source.id])
            )
        )
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
    routes += static_routes(templates_dir / STATIC_DIR)
    html_urls = tuple(sorted(r.url for r in routes if r.output.endswith("index.html")))
    routes.append(page("/sitemap.xml", "sitemap.xml", urls=html_urls))
    return sorted(routes, key=operator.attrgetter("url"))


def milestone_pages(milestones: tuple[Milestone, ...]) -> Iterator[Route]:
    by_framework: dict[str, list[Milestone]] = defaultdict(list)
    position = []  # each milestone's index among its framework's (list.index is quadratic)
    for m in milestones:
        position.append(len(by_framework[m.framework]))
        by_framework[m.framework].append(m)
    for i, m in enumerate(milestones):
        siblings, j = by_framework[m.framework], position[i]
        around = Neighbours(
            previous=milestones[i - 1] if i else None,
            next=milestones[i + 1] if i + 1 < len(milestones) else None,
            previous_in_framework=siblings[j - 1] if j else None,
            next_in_framework=siblings[j + 1] if j + 1 < len(siblings) else None,
        )
        yield page(f"/milestones/{m.id}/", "milestone.html", milestone=m, neighbours=around)


def group_by_year(milestones: Iterable[Milestone]) -> tuple[tuple[int, tuple[Milestone, ...]], ...]:
    """(year, milestones) pairs in date order, for the timeline's year markers."""
    years: dict[int, list[Milestone]] = defaultdict(list)
    for m in milestones:
        years[m.date.year].append(m)
    return tuple((year, tuple(items)) for year, items in sorted(years.items()))


def timeline_years(
    milestones: tuple[Milestone, ...], starts: Mapping[str, tuple[Era, ...]]
) -> tuple[tuple[int, tuple[Milestone, ...], tuple[tuple[str, tuple[Era, ...]], ...]], ...]:
    """(year, milestones, eras) for each year on the timeline, where `eras` pairs the id of
    a milestone with the eras (from `place_eras`) whose labels go before it. Each year is a
    value of its own, so a template can cache it whole (see `render.Fragments`)."""
    return tuple(
        (year, items, tuple((m.id, starts[m.id]) for m in items if m.id in starts))
        for year, items in group_by_year(milestones)
    )


def place_eras(milestones: Iterable[Milestone], eras: Iterable[Era]) -> dict[str, tuple[Era, ...]]:
    """Where each era's label goes: before the first milestone on or after its start (keyed by
    that milestone's id), or under '' when it starts after the last milestone."""
    ordered = sorted(milestones, key=lambda m: m.date)
    placed: dict[str, list[Era]] = defaultdict(list)
    for era in sorted(eras, key=lambda e: e.start):
        first = next((m for m in ordered if m.date >= era.start), None)
        placed[first.id if first else ""].append(era)
    return {key: tuple(value) for key, value in placed.items()}


def citations_by_source(content: Content) -> dict[str, list[Use]]:
    """For each source id, every statement on the site that cites it, in page order."""
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
            cite_fact(fw.name, f"/frameworks/{fw.id}/", fact)
    for m in content.milestones:
        cite(m.title, f"/milestones/{m.id}/", m.summary, m.sources)
    if (f := content.foundation) is not None:
        url = "/foundation/"
        for fact in (f.summary, f.board, f.principles, f.purposes, f.governance, f.philosophy):
            cite_fact(f.name, url, fact)
        cite(f.parent.name, url, f"Part of the {f.parent.name}.", f.parent.sources)
        cite(f.name, url, f.announcement.text, f.announcement.sources)
        for s in f.statements:
            cite(f"{s.speaker}, {s.role}", url, s.text, s.sources)
    return uses


def static_routes(static_dir: Path) -> list[Route]:
    """The theme's assets, copied byte for byte under `/static/`."""
    if not static_dir.is_dir():
        return []
    files = sorted(p for p in static_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [
        Route(f"/{STATIC_DIR}/{rel}", f"{STATIC_DIR}/{rel}", static=p)
        for p in files
        for rel in [p.relative_to(static_dir).as_posix()]
    ]


def fingerprint(path: Path) -> str:
    """A short content hash, so a changed asset gets a new URL past every cache."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]
