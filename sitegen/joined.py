"""Listings joined from cached pieces: `timeline_json(years)` and `item_list_ld(years)` in
templates, each milestone encoded once and each year joined once, as fragments (see
`Renderer.fragment`), so that a change costs one year and the whole is copied once.

It stands alone because it is one technique, used by two globals, that needs of the
renderer only its fragments, its Markdown and the site's values.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from .model import Milestone

if TYPE_CHECKING:  # `environment` imports this module
    from .environment import Renderer


def timeline_json(renderer: Renderer, years: Years) -> Pieces:
    """The milestones in TimelineJS3's JSON format, one event a line; dates keep their
    precision. TimelineJS shows `headline` and `text` as HTML: both are made safe.
    Iterated (as the theme's timeline.json does) a year at a time, so that the file is
    written as it is made; as text, the whole."""
    head, tail = '{"events": [\n', "\n]}"  # the template ends the file
    punctuation = (head, ",\n", tail)
    event = partial(timeline_event, renderer)
    return Pieces(partial(pieces, renderer, "timeline.json", years, punctuation, event))


def timeline_event(renderer: Renderer, m: Milestone) -> str:
    start = {"year": m.date.year}
    start.update({"month": m.date.month} if m.date.month else {})
    start.update({"day": m.date.day} if m.date.day else {})
    text = {"headline": html.escape(m.title), "text": renderer.html("block", m.summary)}
    event = {"unique_id": m.id, "group": m.framework, "start_date": start, "text": text}
    return json.dumps(event, sort_keys=True)


def item_list_ld(renderer: Renderer, years: Years) -> Markup:
    """The page's schema.org ItemList as a JSON-LD script: each item points to the
    milestone's own page, which describes it in full (the form for a summary page)."""
    years = tuple(years)
    listed = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": renderer.read("title"),
        "description": renderer.read("description"),
        "numberOfItems": sum(len(run[1]) for run in years),
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "itemListElement": [],  # last, so its items can go between its brackets below
    }

    def url(m: Milestone) -> str:
        return str(htmlsafe_json_dumps(renderer.absolute_url(f"/milestones/{m.id}/")))

    def item(url: str, position: int) -> str:  # a milestone moved shifts every later one
        return f'{{"@type": "ListItem", "position": {position}, "url": {url}}}'

    listing = str(htmlsafe_json_dumps(listed))  # a plain str: Markup would escape the tag
    head = '<script type="application/ld+json">' + listing.removesuffix("]}")
    tail = "]}</script>\n"
    return Markup("".join(pieces(renderer, "item_list", years, (head, ", ", tail), url, item)))


def pieces(
    renderer: Renderer,
    kind: str,
    years: Years,
    punctuation: tuple[str, str, str],
    encode: Callable[[Milestone], str],
    number: Callable[[str, int], str] | None = None,
) -> Iterator[str]:
    """`head + separator.join(encode(m) ...) + tail` over the milestones of every year,
    where `punctuation` is (head, separator, tail). Each milestone is encoded once and
    each year joined once, as fragments: a change costs one year, and the whole (tens
    of megabytes for a large site) is copied once. `number`, if given, puts each encoded
    milestone at its position (from 1), outside the milestone's fragment."""
    head, separator, tail = punctuation
    yield head
    start = 1
    for n, run in enumerate(years):
        ms, first = run[1], start if number else 0
        start += len(ms)

        def join(ms: tuple[Milestone, ...] = ms, first: int = first) -> str:
            encoded = [renderer.fragment((kind, m), partial(encode, m)) for m in ms]
            if number is not None:
                encoded = list(map(number, encoded, range(first, first + len(ms))))
            return separator.join(encoded)

        if n:
            yield separator  # apart: prefixed, each year (a megabyte or more) is copied
        yield renderer.fragment((kind, first, ms), join)
    yield tail


Years = Iterable[tuple[Any, ...]]  # (year, milestones, ...) runs, as routes' `years` hold them


class Pieces:
    """Text made piece by piece: iterated, the pieces as they are made; as text, the whole."""

    def __init__(self, make: Callable[[], Iterator[str]]) -> None:
        self.make = make

    def __iter__(self) -> Iterator[str]:
        return self.make()

    def __str__(self) -> str:
        return "".join(self.make())
