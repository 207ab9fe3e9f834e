"""The pipeline, chained: load → validate → plan → render → write, each stage timed.

`SiteBuilder` keeps what the last build read and rendered (in memory, and under
`.sitegen-cache/` between runs), so a rebuild re-reads only the files that changed and
re-renders only the pages whose inputs changed; `build_site` is one build.
"""

from __future__ import annotations

import dataclasses
import operator
import os
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from . import markup
from .cache import (
    BuildCache,
    Stat,
    checked_files,
    load_cache,
    read_files,
    restore_markdown,
    save_cache,
    templates_digest,
)
from .diagnostics import Diagnostic, SiteError
from .load import missing_content
from .memo import Memo
from .model import Content, Site
from .render import Page, make_environment, prerender_markdown, render_pages
from .routes import Route, plan_routes
from .validate import assemble
from .write import write_site


@dataclass(frozen=True)
class Options:
    """What the command line may override in `content/site.yaml`, and how to build."""

    base_url: str | None = None
    site_url: str | None = None
    jobs: int = 0  # processes rendering pages; 0 means one per CPU
    cache: bool = True  # keep what a build computed under .sitegen-cache/ for the next run
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


@dataclass
class BuildResult:
    content: Content
    routes: list[Route]
    files: dict[str, bytes]  # output path → bytes; only those written, when written to disk
    rendered: int  # pages rendered afresh; the rest were reused from the previous build
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def pages(self) -> list[Page]:
        """The files in route order."""
        return [Page(r.output, self.files[r.output]) for r in self.routes if r.output in self.files]


class SiteBuilder:
    """Builds one site again and again, reusing every file and page whose inputs did not
    change (see `sitegen.cache` for what "did not change" means)."""

    def __init__(self, site_dir: Path, options: Options | None = None) -> None:
        self.site_dir = site_dir
        self.options = options or Options()
        self.cache: BuildCache | None = None  # loaded on the first build
        self.saved = False  # whether this builder saved the cache to disk yet
        self.pages: dict[str, bytes] = {}  # the last build's pages, by output path
        self._env: jinja2.Environment | None = None
        self._fragments = Memo()  # pieces of pages, for `_env` only
        self._routes = Memo()  # routes of single milestones and sources
        self._complete = False  # whether the last build succeeded

    def build(
        self, out_dir: Path | None = None, changed: Collection[str] | None = None
    ) -> BuildResult:
        """Build in memory, and write to `out_dir` when given; SiteError on any problem.

        `changed` is for a file watcher: every path (relative to the site) changed since the
        last build, so that the fact files it does not name need not be looked at. It is
        used only after a build that succeeded: a failed one may not have read them all."""
        timings: dict[str, float] = {}
        timed = stage_timer(timings)
        site_dir, options = self.site_dir, self.options
        problems = check_folders(site_dir, out_dir)
        if problems:
            raise SiteError(problems)
        cache = self._cache()
        hint, self._complete = changed if self._complete else None, False
        with timed("load"):
            read = read_files(site_dir, cache.files, hint)
        known = cache.files
        files_changed = len(read) != len(known) or list(map(known.get, read)) != list(read.values())
        with timed("validate"):
            cache.files = checked_files(read)
            del read  # the YAML node trees: the biggest thing a build holds after its pages
            content = assemble([f.checked for f in cache.files.values()])
            content = apply_options(content, options)
        with timed("plan"):
            templates = templates_digest(site_dir / "templates")
            if not files_changed and templates == cache.templates and cache.routes:
                routes = list(cache.routes.values())  # the same content plans the same routes
            else:
                self._routes.next_build()
                routes = plan_routes(content, site_dir / "templates", self._routes)
            shared = site_wide(content)
            same_theme = templates == cache.templates and shared == cache.shared
            before = cache.routes if same_theme else {}
            on_disk = output_record(cache, out_dir)
            fresh, kept = [], {}
            for r in routes:
                if before.get(r.output) != r:
                    fresh.append(r)
                elif r.output in self.pages:
                    kept[r.output] = self.pages[r.output]
                elif r.output not in on_disk:
                    fresh.append(r)
        jobs = options.jobs or os.cpu_count() or 1
        with timed("markdown"):
            base = content.site.base_url
            prerender_markdown((m.summary for m in content.milestones), base, jobs)
        if fresh:  # else the templates are those of the last build, which compiled them all
            with timed("templates"):
                env = self._environment(content, same_theme)
                progress = counter(len(fresh), options.progress)
                for page in render_pages(fresh, env, site_dir, jobs, progress):
                    kept[page.output] = page.data
        self.pages = kept if out_dir is None or len(kept) == len(routes) else {}
        cache.routes = dict(zip(map(OUTPUT, routes), routes, strict=True))
        cache.templates, cache.shared = templates, shared
        wrote = False
        if out_dir is not None:
            with timed("write"):
                wrote = write_changed(routes, kept, on_disk, out_dir, cache)
        if len(markup.rendered) > 2 * len(content.milestones) + 1000:
            keep_markdown(cache, content)  # a long-running dev server must not grow
        if options.cache and not self.saved and (fresh or files_changed or wrote):
            # Saved once per builder: the dev server's rebuilds stay in memory, rather than
            # writing the cache to disk again on every edit.
            with timed("cache"):
                keep_markdown(cache, content)
                save_cache(site_dir, cache)
            self.saved = True
        warnings = site_url_warnings(content.site)
        self._complete = True
        return BuildResult(content, routes, kept, len(fresh), timings, warnings)

    def _environment(self, content: Content, same_theme: bool) -> jinja2.Environment:
        """The last build's Jinja environment while its templates and globals still hold:
        its compiled templates and cached fragments are most of what a small rebuild would
        otherwise spend."""
        if self._env is None or not same_theme:
            self._fragments = Memo()
            self._env = make_environment(self.site_dir, content, self._fragments)
        self._fragments.next_build()
        return self._env

    def _cache(self) -> BuildCache:
        if self.cache is None:
            self.cache = load_cache(self.site_dir) if self.options.cache else BuildCache()
            restore_markdown(self.cache)
        return self.cache


OUTPUT = operator.attrgetter("output")


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


def site_wide(content: Content) -> tuple:
    """What every page may read besides its route: the globals of `render.make_environment`."""
    return (content.site, content.frameworks, content.sources, content.foundation is not None)


def output_record(cache: BuildCache, out_dir: Path | None) -> dict[str, Stat]:
    """The files the last build wrote to `out_dir` that are still there as it left them."""
    if out_dir is None:
        return {}
    record = cache.outputs.pop(str(out_dir.resolve()), {})
    return {o: stat for o, stat in record.items() if output_stat(out_dir / o) == stat}


def write_changed(
    routes: list[Route],
    pages: dict[str, bytes],
    on_disk: dict[str, Stat],
    out_dir: Path,
    cache: BuildCache,
) -> bool:
    """Write the site unless `out_dir` holds it already. The pages in `pages` are written,
    unless the same bytes are there already; the others are in `on_disk` (files the last
    build wrote there, unchanged since). Files already there are linked, not rewritten.
    Remembers what it wrote in `cache.outputs`; True if it wrote."""
    outputs = [r.output for r in routes]
    linked = {o for o in outputs if o not in pages or same_bytes(out_dir, o, pages[o], on_disk)}
    record = {o: on_disk[o] for o in linked}
    where = str(out_dir.resolve())
    if len(linked) == len(outputs) and holds_exactly(out_dir, linked):
        cache.outputs[where] = record
        return False
    write_site((Page(o, pages.get(o, b"")) for o in outputs), out_dir, linked)
    for output in outputs:
        if output not in linked and (stat := output_stat(out_dir / output)) is not None:
            record[output] = stat
    cache.outputs[where] = record
    return True


def same_bytes(out_dir: Path, output: str, data: bytes, on_disk: dict[str, Stat]) -> bool:
    """Whether a page rendered again came out as the file the last build left there."""
    stat = on_disk.get(output)
    if stat is None or stat[2] != len(data):
        return False
    try:
        return (out_dir / output).read_bytes() == data
    except OSError:
        return False


def output_stat(path: Path) -> Stat | None:
    """What changes when a file is rewritten or edited by hand."""
    try:
        s = os.stat(path)
    except OSError:
        return None
    return (s.st_mtime_ns, s.st_ctime_ns, s.st_size, s.st_ino)


def holds_exactly(out_dir: Path, outputs: set[str]) -> bool:
    """Whether `out_dir` holds these files and nothing else (no file, folder or link more)."""
    folders = {os.path.dirname(o) for o in outputs}
    folders |= {f for o in folders for f in parents(o)}
    found_files, found_folders = set(), set()
    for root, dirs, files in os.walk(out_dir):
        relative = os.path.relpath(root, out_dir)
        prefix = "" if relative == "." else relative + "/"
        found_folders.update(prefix + d for d in dirs)
        found_files.update(prefix + f for f in files)
    return found_files == outputs and found_folders == folders - {""}


def parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def keep_markdown(cache: BuildCache, content: Content) -> None:
    """Keep the rendered summaries in use for the next run, and forget the others."""
    base = content.site.base_url
    keys = {(m.summary, base, False) for m in content.milestones}
    cache.markdown = {k: markup.rendered[k] for k in keys if k in markup.rendered}
    if len(markup.rendered) > 2 * len(keys) + 1000:
        markup.rendered.clear()
        markup.rendered.update(cache.markdown)


def counter(total: int, report: Callable[[int, int], None] | None) -> Callable[[int], None] | None:
    """Turn "n more pages done" into `report(done, total)`."""
    if report is None:
        return None
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        report(done, total)

    return advance


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
    if not (site_dir / "content").is_dir():
        problems.append(missing_content(site_dir))
    if not (site_dir / "templates").is_dir():
        hint = "add templates/ beside content/, or name the site with --site DIR"
        problems.append(Diagnostic("templates", 0, 0, "no templates/ folder here", hint))
    if out_dir is None:
        return problems
    out, site = out_dir.resolve(), site_dir.resolve()
    where, hint = str(out_dir), "choose an output folder of its own, such as output/"
    if out.exists() and not out.is_dir():
        hint = "remove the file or choose another --out"
        problems.append(Diagnostic(where, 0, 0, "the output folder is a file", hint))
    elif out == site or out in site.parents:
        problems.append(Diagnostic(where, 0, 0, "the output folder would replace the site", hint))
    else:
        for kept in (site / "content", site / "templates"):
            if out == kept or kept in out.parents:
                message = f"the output folder would sit inside {kept.name}/"
                problems.append(Diagnostic(where, 0, 0, message, hint))
    return problems
