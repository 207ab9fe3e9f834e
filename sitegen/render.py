"""Stage 4: render every route to bytes in memory, through Jinja (autoescaped, strict)."""

from __future__ import annotations

import html
import json
import os
import re
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from . import cards, i18n, markup, pages, tags
from .diagnostics import Diagnostic, SiteError
from .markup import render_inline, render_markdown
from .memo import Memo, value_key
from .model import Content, Milestone, PartialDate, Site
from .parallel import PARALLEL_MIN, can_fork, even_batches, in_workers
from .routes import STATIC_DIR, Route, fingerprint
from .theme import FONTS_DIR, ThemeLoader, find, missing_templates, shown_file, theme_problems


class Page(NamedTuple):
    """A rendered output file."""

    output: str
    data: bytes


def make_environment(
    site_dir: Path, content: Content, fragments: Memo | None = None
) -> jinja2.Environment:
    """The Jinja environment for one build: autoescaped, strict, with the site's helpers.

    `fragments` keeps pieces of pages between builds with this environment: they may depend
    on its globals and templates, so an environment with other ones needs a new Memo."""
    fragments = fragments or Memo()
    templates_dir = site_dir / "templates"
    env = jinja2.Environment(
        loader=ThemeLoader(templates_dir),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a changed template means a new environment (see SiteBuilder)
    )
    site = content.site
    base = site.base_url

    def url(path: str) -> str:
        """A site path under the base URL: `/milestones/x/` → `/REPO/milestones/x/`."""
        return base + path.lstrip("/")

    def absolute_url(path: str) -> str:
        """The full URL when the site's address is known, else the base-relative one."""
        return site.site_url + url(path)

    hashes: dict[str, str] = {}

    def asset(path: str) -> str:
        """A static file's URL with a content hash, so browsers never keep a stale copy."""
        if path not in hashes:
            hashes[path] = fingerprint(find(templates_dir, path) or templates_dir / path)
        return f"{url(path)}?v={hashes[path]}"

    env.globals.update(
        site=site,
        frameworks=content.frameworks,
        framework_by_id={f.id: f for f in content.frameworks},
        source_by_id={s.id: s for s in content.sources},
        url=url,
        absolute_url=absolute_url,
        asset=asset,
        atom_date=atom_date,
        atom_id=lambda path: absolute_url(path) if site.site_url else tag_uri(site.title, path),
        has_foundation=content.foundation is not None,
        social_cards=cards.card_font(templates_dir) is not None,
        timeline_json=lambda years: TimelineJson(years, base, fragments),
        item_list_ld=lambda years: item_list_ld(years, site, absolute_url, fragments),
        cached=partial(cached, fragments),
    )
    i18n.install(env, content.texts)  # `t(key)`, dates and lists in the site's language
    tags.install(env, content)  # `tag_label(id)`
    pages.install(env, content)  # `nav`, `page_body(page)`
    env.filters["markdown"] = lambda text: Markup(render_markdown(text, base))
    env.filters["inline"] = lambda text: Markup(render_inline(text, base))
    env.filters["plain"] = lambda text: plain_text(text, base)
    return env


def cached(fragments: Memo, macro: jinja2.runtime.Macro, *args: Any) -> Any:
    """`{{ cached(card, m) }}`: the macro's output, rendered once for these arguments (like
    Hugo's partialCached). Only for macros imported without context, whose output depends on
    their arguments and the site-wide values alone."""
    try:
        key = (macro, *map(value_key, args))
    except TypeError:  # a mutable or unknown value: rendered every time
        return macro(*args)
    return fragments.get(key, args, lambda: macro(*args))


def check_templates(env: jinja2.Environment, site_dir: Path) -> list[Diagnostic]:
    """Check the theme's files and compile every template up front, so that all problems
    are reported together."""
    problems = theme_problems(site_dir / "templates")
    assets = (f"{STATIC_DIR}/", f"{FONTS_DIR}/")  # not templates
    for name in env.list_templates(filter_func=lambda n: not n.startswith(assets)):
        try:
            env.get_template(name)
        except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as error:  # not a disk error
            problems.append(template_error(error, site_dir, f"templates/{name}"))
    return problems or missing_templates(env, site_dir / "templates")


class Rendered(NamedTuple):
    """What rendering gave: each output's delivery, and the seconds spent (summed over
    processes) rendering and delivering."""

    delivered: dict[str, Any]
    render_seconds: float
    deliver_seconds: float


Chunks = Iterable[bytes]  # a file rendered as it is written, piece by piece


def keep_bytes(output: str, data: bytes | Chunks) -> bytes:
    """A rendered file, whole (a stream is joined)."""
    return data if isinstance(data, bytes) else b"".join(data)


def render_pages(
    routes: Iterable[Route],
    env: jinja2.Environment,
    site_dir: Path,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    deliver: Callable[[str, bytes | Chunks], Any] = keep_bytes,
) -> Rendered:
    """Every route rendered, over `jobs` processes where it pays; raises SiteError with every
    template problem found. Each page goes to `deliver(output, data)` in the process that
    rendered it (to be written there, say), and what that returns comes back, in route
    order. `progress` hears how many pages each finished batch held."""
    routes = list(routes)
    problems = check_templates(env, site_dir)
    if problems:
        raise SiteError(problems)
    render = partial(_render_batch, routes, env, site_dir, deliver)
    if jobs > 1 and len(routes) >= PARALLEL_MIN and can_fork():
        batches = in_workers(render, cost_balanced(routes, jobs * 8), jobs, progress)
    else:
        batches = []
        for start in range(0, len(routes), PARALLEL_MIN):
            batches.append(render(list(range(start, min(start + PARALLEL_MIN, len(routes))))))
            if progress:
                progress(len(batches[-1][0]))
    delivered, problems = {}, []
    for index, outcome in sorted((r for batch in batches for r in batch[0]), key=lambda r: r[0]):
        if isinstance(outcome, Diagnostic):
            problems.append(outcome)
        else:
            delivered[routes[index].output] = outcome
    if problems:
        raise SiteError(problems)
    return Rendered(delivered, sum(b[1] for b in batches), sum(b[2] for b in batches))


def _render_batch(
    routes: list[Route],
    env: jinja2.Environment,
    site_dir: Path,
    deliver: Callable[[str, bytes | Chunks], Any],
    indexes: list[int],
) -> tuple[list[tuple[int, Any]], float, float]:
    results: list[tuple[int, Any]] = []
    rendering = delivering = 0.0
    for i in indexes:
        route = routes[i]
        start = time.perf_counter()
        try:
            data = render_route(route, env)
            rendered = time.perf_counter()
            results.append((i, deliver(route.output, data)))  # a stream renders as it goes
        except TemplateFailure as failure:
            error = failure.__cause__ or failure
            results.append((i, template_error(error, site_dir, f"templates/{route.template}")))
            continue
        rendering += rendered - start
        delivering += time.perf_counter() - rendered
    return results, rendering, delivering


class TemplateFailure(Exception):
    """A template failed (its cause says how): the author's to fix, not a crash."""


def cost(route: Route) -> int:
    """About how long a page takes to render: one, plus one for each item it lists."""
    return 1 + sum(len(v) for v in route.context.values() if isinstance(v, tuple))


def cost_balanced(routes: list[Route], count: int) -> list[list[int]]:
    """Route indexes in about `count` batches of similar cost, the costliest first, so no
    worker is left rendering the timeline while the others wait."""
    costs = [cost(r) for r in routes]
    order = sorted(range(len(routes)), key=lambda i: -costs[i])
    budget = max(1, sum(costs) // count)
    batches: list[list[int]] = [[]]
    spent = 0
    for i in order:
        if spent >= budget:
            batches.append([])
            spent = 0
        batches[-1].append(i)
        spent += costs[i]
    return batches


def prerender_markdown(texts: Iterable[str], base_url: str, jobs: int) -> None:
    """Render many Markdown texts into the shared cache, over `jobs` processes where it pays,
    so that the pages rendered next, each in some worker, find every summary done."""
    if jobs < 2 or not can_fork():
        return  # rendered when first needed, in this process
    todo = sorted({t for t in texts if (t, base_url, False) not in markup.rendered})
    if len(todo) < PARALLEL_MIN:
        return

    def render(batch: list[int]) -> list[tuple[int, str]]:
        return [(i, render_markdown(todo[i], base_url)) for i in batch]

    for done in in_workers(render, even_batches(len(todo), jobs * 4), jobs):
        for i, html_text in done:
            markup.rendered[(todo[i], base_url, False)] = html_text


def render_route(route: Route, env: jinja2.Environment) -> bytes | Chunks:
    """One route's bytes; a data file (`timeline.json`, `sitemap.xml`: anything but a
    page), which may be large, as pieces made as they are asked for, so that it is
    written as it is generated. Raises TemplateFailure."""
    if route.static is not None:
        return route.static.read_bytes()
    if route.template == cards.TEMPLATE:
        return cards.render_card(dict(route.context))
    if not route.template:
        return b""
    context = {**route.context, "page_url": route.url}
    try:
        template = env.get_template(route.template)
        if not route.output.endswith(".html"):
            return streamed(template.generate(context))
        return template.render(context).encode()
    except Exception as error:
        raise TemplateFailure from error


def streamed(pieces: Iterator[str]) -> Chunks:
    """Jinja's output pieces as bytes, about 64 KiB at a time."""
    try:
        batch: list[str] = []
        size = 0
        for piece in pieces:
            batch.append(piece)
            size += len(piece)
            if size >= 1 << 16:
                yield "".join(batch).encode()
                batch, size = [], 0
        yield "".join(batch).encode()
    except Exception as error:
        raise TemplateFailure from error


@lru_cache(maxsize=1024)  # a page asks for its description several times
def plain_text(markdown: str, base_url: str = "/") -> str:
    """Markdown as one line of plain text, for meta descriptions and JSON-LD: the words of
    its HTML (rendered once for the page anyway), without the markup."""
    html_text = re.sub(r"<[^>]*>", "", render_markdown(markdown, base_url))
    return html.unescape(" ".join(html_text.split()))


def atom_date(date: PartialDate) -> str:
    """RFC 3339, as Atom requires; a date known to the month or year starts on its first day."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


def tag_uri(title: str, path: str) -> str:
    """A stable Atom id for a site that has no absolute address yet."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, title + path)}"


Years = Iterable[tuple[Any, ...]]  # (year, milestones, ...) runs, as routes' `years` hold them


class TimelineJson:
    """The milestones in TimelineJS3's JSON format, one event a line; dates keep their
    precision. Iterated, as the theme's timeline.json does, it gives a year at a time (each
    event rendered once and kept in `fragments`), so the file is written as it is made;
    as text (`{{ timeline_json(years) }}`), the whole.

    TimelineJS shows `headline` and `text` as HTML, so both are escaped or sanitised here.
    """

    def __init__(self, years: Years, base_url: str, fragments: Memo) -> None:
        self.years, self.base_url, self.fragments = tuple(years), base_url, fragments

    def __iter__(self) -> Iterator[str]:
        yield '{"events": [\n'
        separator = ""
        for run in self.years:
            if run[1]:
                yield separator + ",\n".join(map(self.event, run[1]))
                separator = ",\n"
        yield "\n]}"  # the template ends the file

    def event(self, m: Milestone) -> str:
        make = partial(timeline_event, m, self.base_url)
        return self.fragments.get(("timeline.json", id(m)), m, make)

    def __str__(self) -> str:
        return "".join(self)


def timeline_event(m: Milestone, base_url: str) -> str:
    start = {"year": m.date.year}
    start.update({"month": m.date.month} if m.date.month else {})
    start.update({"day": m.date.day} if m.date.day else {})
    event = {
        "unique_id": m.id,
        "group": m.framework,
        "start_date": start,
        "text": {"headline": html.escape(m.title), "text": render_markdown(m.summary, base_url)},
    }
    return json.dumps(event, sort_keys=True)


def item_list_ld(
    years: Years, site: Site, absolute_url: Callable[[str], str], fragments: Memo
) -> Markup:
    """The page's schema.org ItemList as a JSON-LD script: each item points to the
    milestone's own page, which describes it in full (the form for a summary page)."""
    years = tuple(years)
    listed = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": site.title,
        "description": site.description,
        "numberOfItems": sum(len(run[1]) for run in years),
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "itemListElement": [],  # last, so its items can go between its brackets below
    }

    def item(m: Milestone, position: int) -> str:
        url = absolute_url(f"/milestones/{m.id}/")
        return htmlsafe_json_dumps({"@type": "ListItem", "position": position, "url": url})

    listing = str(htmlsafe_json_dumps(listed))  # a plain str: Markup would escape the tag
    head = '<script type="application/ld+json">' + listing.removesuffix("]}")
    tail = "]}</script>\n"
    return Markup(joined(fragments, "item_list", years, (head, ", ", tail), item, numbered=True))


def joined(
    fragments: Memo,
    kind: str,
    years: Years,
    punctuation: tuple[str, str, str],
    encode: Callable[..., str],
    *args: Any,
    numbered: bool = False,
) -> str:
    """`head + separator.join(encode(m, *args) ...) + tail` over the milestones of every
    year, where `punctuation` is (head, separator, tail). Each milestone is encoded once
    and each year joined once, kept in `fragments`: a change costs one year, and the whole
    (tens of megabytes for a large site) is copied once. `numbered` passes each
    milestone's position (from 1) to `encode` first."""
    head, separator, tail = punctuation
    runs, start = [], 1
    for run in years:
        ms, first = run[1], start if numbered else 0
        start += len(ms)

        def join(ms: tuple[Milestone, ...] = ms, first: int = first) -> str:
            pieces = []
            for i, m in enumerate(ms, first):
                numbers = (i,) if numbered else ()
                make = partial(encode, m, *numbers, *args)
                pieces.append(fragments.get((kind, id(m), *numbers), m, make))
            return separator.join(pieces)

        runs += (fragments.get((kind, first, *map(id, ms)), ms, join), separator)
    return "".join([head, *runs[:-1], tail])


def template_error(error: Exception, site_dir: Path, fallback: str) -> Diagnostic:
    """Point at the template line that failed, found in Jinja's rewritten traceback."""
    templates = site_dir / "templates"
    path, line = fallback, 0
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        path = shown_file(error.filename, templates) or _relative(error.filename, site_dir)
        line = error.lineno
    else:
        frames = [
            (shown, f.lineno or 0)
            for f in traceback.extract_tb(error.__traceback__)
            if (shown := shown_file(f.filename, templates)) is not None
        ]
        if frames:
            path, line = frames[-1]
    if isinstance(error, jinja2.TemplateNotFound):
        return Diagnostic(
            path,
            line,
            0,
            f"template '{error.name}' not found",
            "create it in templates/ or fix the name",
        )
    if isinstance(error, OSError):
        message = f"cannot read {error.filename}: {error.strerror}"
    else:
        message = getattr(error, "message", None) or str(error) or type(error).__name__
    kind = (
        "template syntax error"
        if isinstance(error, jinja2.TemplateSyntaxError)
        else "template error"
    )
    return Diagnostic(path, line, 0, f"{kind}: {message}")


def _relative(filename: str, site_dir: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(filename), os.path.abspath(site_dir))).as_posix()
