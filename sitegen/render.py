"""Stage 4: render routes to bytes, through Jinja (see `sitegen.environment`), over forked
processes where it pays; each page comes back with the inputs it read."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import jinja2

from . import cards
from .diagnostics import Diagnostic, SiteError
from .environment import Environment, Renderer
from .markup import plain_text, render_markdown
from .parallel import PARALLEL_MIN, can_fork, even_batches, in_workers
from .routes import STATIC_DIR, Route
from .theme import FONTS_DIR, missing_templates, shown_file, theme_problems

__all__ = ["Page", "Rendered", "plain_text", "prerender_markdown", "render_pages"]


class Page(NamedTuple):
    """A rendered output file."""

    output: str
    data: bytes


def check_templates(env: Environment, site_dir: Path) -> list[Diagnostic]:
    """Check the theme's files and compile every template up front, so that all problems
    are reported together."""
    problems = theme_problems(site_dir / "templates")
    assets = (f"{STATIC_DIR}/", f"{FONTS_DIR}/")  # not templates
    for name in env.list_templates(filter_func=lambda n: not n.startswith(assets)):
        try:
            env.get_template(name)
        except (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound) as error:  # not a disk error
            problems.append(template_error(error, site_dir, f"templates/{name}"))
    return problems or missing_templates(env.tree, site_dir / "templates")


class Rendered(NamedTuple):
    """What rendering gave: each output's delivery and the inputs it read, and the seconds
    spent (summed over processes) rendering and delivering."""

    delivered: dict[str, Any]
    reads: dict[str, tuple[str, ...]]  # each output's inputs, in no order
    render_seconds: float
    deliver_seconds: float


Chunks = Iterable[bytes]  # a file rendered as it is written, piece by piece


class Chunked(tuple[bytes, ...]):
    """A file held in memory as the chunks it was rendered in; `bytes()` joins them."""

    def __bytes__(self) -> bytes:
        return b"".join(self)


Held = bytes | Chunked  # a file as a build in memory holds it (see `keep_bytes`)


def keep_bytes(output: str, data: bytes | Chunks) -> Held:
    """A rendered file as held in memory: whole, or if it came in chunks (a data file
    larger than one) as they came, not copied into one: `timeline.json` is tens of
    megabytes, and the chunks of its years that did not change are the last build's."""
    if isinstance(data, bytes):
        return data
    chunks = tuple(data)
    return chunks[0] if len(chunks) == 1 else Chunked(chunks)


def render_pages(
    routes: Iterable[Route],
    renderer: Renderer,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    deliver: Callable[[str, bytes | Chunks], Any] = keep_bytes,
) -> Rendered:
    """Every route rendered, over `jobs` processes where it pays; raises SiteError with every
    template problem found (syntax errors are `check_templates`'s). Each page goes to
    `deliver(output, data)` in the process that rendered it (to be written there, say), and
    what that returns comes back with the inputs it read, in route order. `progress` hears
    how many pages each finished batch held."""
    routes = list(routes)
    render = partial(_render_batch, routes, renderer, deliver)
    if jobs > 1 and len(routes) >= PARALLEL_MIN and can_fork():
        batches = in_workers(render, cost_balanced(routes, jobs * 8), jobs, progress)
    else:
        batches = []
        for start in range(0, len(routes), PARALLEL_MIN):
            batches.append(render(list(range(start, min(start + PARALLEL_MIN, len(routes))))))
            if progress:
                progress(len(batches[-1][0]))
    delivered, reads, problems = {}, {}, []
    for index, outcome, read in sorted((r for b in batches for r in b[0]), key=lambda r: r[0]):
        if isinstance(outcome, Diagnostic):
            problems.append(outcome)
        else:
            delivered[routes[index].output] = outcome
            reads[routes[index].output] = tuple(map(sys.intern, read))  # one copy of each
    if problems:
        raise SiteError(problems)
    return Rendered(delivered, reads, sum(b[1] for b in batches), sum(b[2] for b in batches))


def _render_batch(
    routes: list[Route],
    renderer: Renderer,
    deliver: Callable[[str, bytes | Chunks], Any],
    indexes: list[int],
) -> tuple[list[tuple[int, Any, tuple[str, ...]]], float, float]:
    results: list[tuple[int, Any, tuple[str, ...]]] = []
    rendering = delivering = 0.0
    for i in indexes:
        route = routes[i]
        start = time.perf_counter()
        try:
            with renderer.reads.collect(route.inputs) as read:
                data = render_route(route, renderer.env)
                rendered = time.perf_counter()
                delivered = deliver(route.output, data)  # a stream renders as it goes
        except TemplateFailure as failure:
            error = failure.__cause__ or failure
            where = f"templates/{route.template}"
            results.append((i, template_error(error, renderer.site_dir, where), ()))
            continue
        results.append((i, delivered, tuple(read)))  # a tuple: a third of a set
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


def prerender_markdown(texts: Iterable[str], renderer: Renderer, jobs: int) -> None:
    """Render many Markdown texts into the renderer's, over `jobs` processes where it pays,
    so that the pages rendered next, each in some worker, find every one done."""
    if jobs < 2 or not can_fork():
        return  # rendered when first needed, in this process
    base = renderer.site.base_url
    todo = sorted({t for t in texts if ("block", t, base) not in renderer.markdown})
    if len(todo) < PARALLEL_MIN:
        return

    def render(batch: list[int]) -> list[tuple[int, str]]:
        return [(i, render_markdown(todo[i], base)) for i in batch]

    for done in in_workers(render, even_batches(len(todo), jobs * 4), jobs):
        renderer.markdown.update((("block", todo[i], base), html_text) for i, html_text in done)


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
            last = env.encoded.setdefault(route.output, {}) if env.encoded is not None else None
            return streamed(template.generate(context), last)
        return template.render(context).encode()
    except Exception as error:
        raise TemplateFailure from error


def streamed(pieces: Iterator[str], last: dict[str, bytes] | None = None) -> Chunks:
    """Jinja's output pieces as bytes, about 64 KiB at a time; a piece that large alone,
    rather than copied into a batch (a year of `timeline.json` is megabytes). `last`:
    such pieces of the file's last rendering, by their text (the bytes are a function of
    it alone), to use again; it then holds this rendering's, once the file is whole."""
    try:
        batch: list[str] = []
        size = 0
        large: dict[str, bytes] = {}
        for piece in pieces:
            if len(piece) >= CHUNK:
                if batch:
                    yield "".join(batch).encode()
                known = last.get(piece) if last else None  # a cached fragment: hashed once
                large[piece] = piece.encode() if known is None else known
                yield large[piece]
                batch, size = [], 0
                continue
            batch.append(piece)
            size += len(piece)
            if size >= CHUNK:
                yield "".join(batch).encode()
                batch, size = [], 0
        yield "".join(batch).encode()
    except Exception as error:
        raise TemplateFailure from error
    if last is not None:
        last.clear()
        last.update(large)


CHUNK = 1 << 16  # characters


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
