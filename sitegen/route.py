"""One route: an output file, what it is made from, and the inputs that decide it; the
keys of the site-wide inputs routes and templates read (see `sitegen.depends`); and how
an output and its address map to each other.

It stands alone, below `routes`, so that the modules that plan routes of one kind
(`listings`) and the renderer (`environment`) share these values without importing the
planner, which imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

ORDER = "order:frameworks"  # the tracks' order, which orders milestones of one date
PAGES = "list:pages"  # every page's URL, for the sitemap
TEXTS = "texts"  # the theme's texts in the site's language (see `sitegen.catalogue`)
NAV = "nav"  # the pages of the site's navigation, with their titles
PAGES_PLACED = "layout:pages"  # each documentation page's address, tags and order
TAGGED = "layout:tags"  # how many milestones each tag has
# What a listing's page reads of where the milestones are. Its one or first page counts
# them by year, so a milestone moved changes it only where its own listing's years change;
# a later page's pager holds no count, so it changes only where the years' pages change,
# and what it shows only where its own milestones do (a year's parts are cut anew when it
# gains or loses one, so a part can change though the milestone moved is not on it).
YEARS = "layout:years:"  # + a listing's first URL: where each year stands in it, page size
INDEX = "layout:index:"  # + a split listing's first URL: the URLs of its pages, in order
YEAR = "layout:year:"  # + a split listing's year page URL: the files of the milestones it shows
MARKS = "layout:marks"  # where each track's line ends and each era's label goes (timeline)
CARDS = "has:social_cards"  # whether there are cards: the theme ships the font and wants them
COUNT = "count:milestones"  # what the home page's card says of them

Paths = Mapping[str, Mapping[str, str]]  # kind → id → the fact file's path (`assemble.paths`)


class Route(NamedTuple):
    """One output file: rendered from `template` and `context`, or `static` copied as it is,
    or (with neither) empty. Immutable, like all it holds."""

    url: str
    output: str
    template: str = ""
    context: Mapping[str, Any] = {}  # shared, and never changed: routes are values
    static: Path | None = None
    inputs: tuple[str, ...] = ()  # fact files and site-wide facts the context comes from


Planned = dict[str, Callable[[], Route]]  # outputs, each with what plans its route


def planned(routes: Iterable[Route]) -> Planned:
    """Routes planned already, as a `Planned`."""
    return {route.output: (lambda route=route: route) for route in routes}


def page(url: str, template: str, inputs: tuple[str, ...] = (), **context: Any) -> Route:
    """A folder-style HTML page (`/x/` → `x/index.html`), or a file when the URL names one."""
    return Route(url, output_of(url), template, context, None, inputs)


def output_of(url: str) -> str:
    output = url.strip("/")
    if url.endswith("/"):
        return f"{output}/index.html" if output else "index.html"
    return output


class Addresses(Mapping[str, str]):
    """The site's addresses (`/x/`), each to its output (`x/index.html`): looked up rather
    than held, as a large site has tens of thousands and a link check needs a few."""

    def __init__(self, outputs: Collection[str]) -> None:
        self.outputs = outputs

    def __getitem__(self, url: str) -> str:
        output = output_of(url)
        if output in self.outputs and url_of(output) == url:
            return output
        raise KeyError(url)

    def __iter__(self) -> Iterator[str]:
        return map(url_of, self.outputs)

    def __len__(self) -> int:
        return len(self.outputs)


def url_of(output: str) -> str:
    """The address an output is served at: `x/index.html` → `/x/`."""
    if output == "index.html" or output.endswith("/index.html"):
        return "/" + output.removesuffix("index.html")
    return "/" + output
