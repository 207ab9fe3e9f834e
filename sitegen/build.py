"""The pipeline, chained: load → validate → plan → render → write, each stage timed.

`SiteBuilder` keeps the last build in memory, so the dev server's rebuilds re-render only
the pages whose template or context changed; `build_site` is one build from scratch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .diagnostics import Diagnostic, SiteError
from .load import load_content
from .model import Content, Site
from .render import Page, make_environment, render_pages
from .routes import Route, plan_routes
from .validate import validate
from .write import write_site


@dataclass(frozen=True)
class Options:
    """What the command line may override in `content/site.yaml`."""

    base_url: str | None = None
    site_url: str | None = None


@dataclass
class BuildResult:
    content: Content
    routes: list[Route]
    pages: list[Page]
    rendered: int  # pages rendered afresh; the rest were reused from the previous build
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)


class SiteBuilder:
    """Builds one site again and again, reusing every page whose inputs did not change."""

    def __init__(self, site_dir: Path, options: Options | None = None) -> None:
        self.site_dir = site_dir
        self.options = options or Options()
        self._previous: dict[str, tuple[Route, bytes]] = {}
        self._previous_theme = ""

    def build(self, out_dir: Path | None = None) -> BuildResult:
        """Build in memory, and write to `out_dir` when given; SiteError on any problem."""
        timings: dict[str, float] = {}
        timed = stage_timer(timings)
        site_dir = self.site_dir
        problems = check_folders(site_dir, out_dir)
        if problems:
            raise SiteError(problems)
        with timed("load"):
            documents = load_content(site_dir)
        with timed("validate"):
            content = apply_options(validate(documents), self.options)
        with timed("plan"):
            routes = plan_routes(content, site_dir / "templates")
        theme = theme_fingerprint(site_dir / "templates", content)
        if theme != self._previous_theme:
            self._previous = {}
        fresh = [r for r in routes if r.static or self._previous.get(r.url, (None,))[0] != r]
        with timed("render"):
            env = make_environment(site_dir, content)
            rendered = {p.output: p for p in render_pages(fresh, env, site_dir)}
        pages = [rendered.get(r.output) or Page(r.output, self._previous[r.url][1]) for r in routes]
        if out_dir is not None:
            with timed("write"):
                write_site(pages, out_dir)
        self._previous = {r.url: (r, p.data) for r, p in zip(routes, pages, strict=True)}
        self._previous_theme = theme
        warnings = site_url_warnings(content.site)
        return BuildResult(content, routes, pages, len(fresh), timings, warnings)


def build_site(site_dir: Path, out_dir: Path | None, options: Options | None = None) -> BuildResult:
    """Build the site in `site_dir` from scratch; write it to `out_dir` unless that is None."""
    return SiteBuilder(site_dir, options).build(out_dir)


def stage_timer(timings: dict[str, float]) -> Callable[[str], AbstractContextManager[None]]:
    @contextmanager
    def timed(stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start

    return timed


def theme_fingerprint(templates_dir: Path, content: Content) -> str:
    """What every page may show: the templates and the site-wide values they are given
    (the globals of `render.make_environment`)."""
    shared = (content.site, content.frameworks, content.sources, content.foundation is not None)
    digest = hashlib.sha256(repr(shared).encode())
    for path in sorted(templates_dir.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(templates_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def apply_options(content: Content, options: Options) -> Content:
    """The content with the command line's overrides, and `site_url` cut to its origin."""
    site = content.site
    if options.base_url is not None:
        site = dataclasses.replace(site, base_url=options.base_url)
    if options.site_url is not None:
        site = dataclasses.replace(site, site_url=options.site_url.rstrip("/"))
    where = "--site-url" if options.site_url is not None else "content/site.yaml"
    site = dataclasses.replace(site, site_url=site_origin(site, where))
    return dataclasses.replace(content, site=site)


def site_origin(site: Site, where: str) -> str:
    """The `scheme://host` every absolute URL starts with (the base URL follows it).

    `site_url` may include the base path, as GitHub's configure-pages gives it
    (`https://USER.github.io/REPO`), but no other path: that would be a second base URL.
    """
    if not site.site_url:
        return ""
    parts = urlsplit(site.site_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/") + "/"
    if path not in ("/", site.base_url):
        message = f"site_url '{site.site_url}' is under {path}, but the base URL is {site.base_url}"
        hint = f"build with --base-url {path}, or give site_url without a path: {origin}"
        raise SiteError([Diagnostic(where, 0, 0, message, hint)])
    return origin


def site_url_warnings(site: Site) -> list[Diagnostic]:
    """Without the site's address, the outputs that need absolute URLs make do without."""
    if site.site_url:
        return []
    message = (
        "no site_url, so sitemap.xml and feed.xml use relative URLs, "
        "robots.txt has no Sitemap line and pages have no canonical link"
    )
    hint = "add site_url: https://USER.github.io/REPO here, or build with --site-url URL"
    return [Diagnostic("content/site.yaml", 0, 0, message, hint, severity="warning")]


def check_folders(site_dir: Path, out_dir: Path | None) -> list[Diagnostic]:
    """The site's folders exist, and the output folder can be replaced without loss."""
    problems = []
    if not (site_dir / "templates").is_dir():
        hint = "add templates/ beside content/, or name the site with --site DIR"
        problems.append(Diagnostic("templates", 0, 0, "no templates/ folder here", hint))
    if out_dir is None:
        return problems
    out, site = out_dir.resolve(), site_dir.resolve()
    where = str(out_dir)
    if out.exists() and not out.is_dir():
        hint = "remove the file or choose another --out"
        problems.append(Diagnostic(where, 0, 0, "the output folder is a file", hint))
    for kept in (site, site / "content", site / "templates"):
        if out == kept or out in kept.parents or (kept != site and kept in out.parents):
            message = f"the output folder would replace or sit inside {kept.name}/"
            hint = "choose an output folder of its own, such as output/"
            problems.append(Diagnostic(where, 0, 0, message, hint))
    return problems
