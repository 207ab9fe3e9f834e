"""The pipeline, chained: load → validate → plan → render → write. Each stage is timed."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .diagnostics import Diagnostic, SiteError
from .load import load_content
from .model import Content
from .render import Page, make_environment, render_pages
from .routes import Route, plan_routes
from .validate import validate
from .write import write_site

T = TypeVar("T")


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
    timings: dict[str, float] = field(default_factory=dict)


def build_site(site_dir: Path, out_dir: Path | None, options: Options = Options()) -> BuildResult:
    """Build the site in `site_dir`; write it to `out_dir` unless that is None (a check)."""
    timings: dict[str, float] = {}

    def timed(stage: str, run: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return run()
        finally:
            timings[stage] = time.perf_counter() - start

    problems = check_folders(site_dir, out_dir)
    if problems:
        raise SiteError(problems)
    documents = timed("load", lambda: load_content(site_dir))
    content = apply_options(timed("validate", lambda: validate(documents)), options)
    routes = timed("plan", lambda: plan_routes(content, site_dir / "templates"))
    env = make_environment(site_dir, content)
    pages = timed("render", lambda: render_pages(routes, env, site_dir))
    if out_dir is not None:
        timed("write", lambda: write_site(pages, out_dir))
    return BuildResult(content, routes, pages, timings)


def apply_options(content: Content, options: Options) -> Content:
    site = content.site
    if options.base_url is not None:
        site = dataclasses.replace(site, base_url=options.base_url)
    if options.site_url is not None:
        site = dataclasses.replace(site, site_url=options.site_url.rstrip("/"))
    return dataclasses.replace(content, site=site)


def check_folders(site_dir: Path, out_dir: Path | None) -> list[Diagnostic]:
    """The site's folders exist, and the output folder can be replaced without loss."""
    problems = []
    if not (site_dir / "templates").is_dir():
        problems.append(
            Diagnostic(
                "templates",
                0,
                0,
                "no templates/ folder here",
                "add templates/ beside content/, or name the site with --site DIR",
            )
        )
    if out_dir is None:
        return problems
    out, site = out_dir.resolve(), site_dir.resolve()
    if out.exists() and not out.is_dir():
        problems.append(
            Diagnostic(
                str(out_dir),
                0,
                0,
                "the output folder is a file",
                "remove the file or choose another --out",
            )
        )
    for kept in (site, site / "content", site / "templates"):
        if out == kept or out in kept.parents or (kept != site and kept in out.parents):
            problems.append(
                Diagnostic(
                    str(out_dir),
                    0,
                    0,
                    f"the output folder would replace or sit inside {kept.name}/",
                    "choose an output folder of its own, such as output/",
                )
            )
    return problems
