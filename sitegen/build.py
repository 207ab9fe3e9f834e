"""The pipeline, chained: load → validate → plan → render → write, each stage timed.

`SiteBuilder` keeps what the last build read and rendered (in memory, and under
`.sitegen-cache/` between runs), so a rebuild re-reads only the files that changed and
re-renders only the pages whose inputs changed; `build_site` is one build.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from . import markup
from .cache import (
    BuildCache,
    FactFile,
    Fingerprints,
    checked_files,
    digest,
    load_cache,
    read_files,
    restore_markdown,
    save_cache,
    templates_digest,
)
from .diagnostics import Diagnostic, SiteError
from .load import missing_content
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
    pages: list[Page]
    rendered: int  # pages rendered afresh; the rest were reused from the previous build
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)


class SiteBuilder:
    """Builds one site again and again, reusing every file and page whose inputs did not
    change (see `sitegen.cache` for what "did not change" means)."""

    def __init__(self, site_dir: Path, options: Options | None = None) -> None:
        self.site_dir = site_dir
        self.options = options or Options()
        self.cache: BuildCache | None = None  # loaded on the first build
        self.saved = False  # whether this builder saved the cache to disk yet
        self._env: jinja2.Environment | None = None
        self._env_key = b""

    def build(self, out_dir: Path | None = None) -> BuildResult:
        """Build in memory, and write to `out_dir` when given; SiteError on any problem."""
        timings: dict[str, float] = {}
        timed = stage_timer(timings)
        site_dir, options = self.site_dir, self.options
        problems = check_folders(site_dir, out_dir)
        if problems:
            raise SiteError(problems)
        cache = self._cache()
        with timed("load"):
            read = read_files(site_dir, cache.files)
        known = cache.files
        files_changed = len(read) != len(known) or any(
            known.get(p) is not f for p, f in read.items()
        )
        with timed("validate"):
            cache.files = checked_files(read)
            del read  # the YAML node trees: the biggest thing a build holds after its pages
            content = assemble([f.checked for f in cache.files.values()])
            content = apply_options(content, options)
        with timed("plan"):
            routes = plan_routes(content, site_dir / "templates")
            theme = templates_digest(site_dir / "templates")
            inputs = inputs_digest(cache.files, theme, options)
            if inputs is None or inputs != cache.inputs or len(cache.keys) != len(routes):
                cache.keys = page_keys(routes, content, cache.files, theme)
            cache.inputs = inputs or b""
            keys = cache.keys
        fresh = [r for r, key in zip(routes, keys, strict=True) if key not in cache.pages]
        jobs = options.jobs or os.cpu_count() or 1
        with timed("markdown"):
            base = content.site.base_url
            prerender_markdown((m.summary for m in content.milestones), base, jobs)
        rendered: dict[str, bytes] = {}
        if fresh:  # else the templates are those of the last build, which compiled them all
            with timed("templates"):
                env = self._environment(content, theme)
                progress = counter(len(fresh), options.progress)
                for page in render_pages(fresh, env, site_dir, jobs, progress):
                    rendered[page.output] = page.data
        pages = [
            Page(r.output, rendered[r.output] if r.output in rendered else cache.pages[k])
            for r, k in zip(routes, keys, strict=True)
        ]
        cache.pages = {k: p.data for k, p in zip(keys, pages, strict=True) if k is not None}
        wrote = False
        if out_dir is not None:
            with timed("write"):
                wrote = write_changed(pages, keys, out_dir, cache.outputs)
        keep_markdown(cache, content)
        if options.cache and not self.saved and (fresh or files_changed or wrote):
            # Saved once per builder: the dev server's rebuilds stay in memory, rather than
            # writing every page to disk again on every edit.
            with timed("cache"):
                save_cache(site_dir, cache)
            self.saved = True
        warnings = site_url_warnings(content.site)
        return BuildResult(content, routes, pages, len(fresh), timings, warnings)

    def _environment(self, content: Content, templates: bytes) -> jinja2.Environment:
        """The last build's Jinja environment while its templates and globals still hold:
        its compiled templates are most of what a small rebuild would otherwise spend."""
        shared = (content.site, content.frameworks, content.sources, content.foundation is not None)
        key = digest(templates, repr(shared).encode())
        if self._env is None or key != self._env_key:
            self._env, self._env_key = make_environment(self.site_dir, content), key
        return self._env

    def _cache(self) -> BuildCache:
        if self.cache is None:
            self.cache = load_cache(self.site_dir) if self.options.cache else BuildCache()
            restore_markdown(self.cache)
        return self.cache


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


def inputs_digest(files: dict[str, FactFile], templates: bytes, options: Options) -> bytes | None:
    """Everything a build reads: when it is what the last build read, so are the page keys
    (and working them out again would be most of a warm build). None when unknown."""
    if any(not f.digest for f in files.values()):
        return None  # files read by the loader's error path carry no digest
    parts = [templates, repr((options.base_url, options.site_url)).encode()]
    for path, f in files.items():
        parts += (path.encode(), f.digest)
    return digest(*parts)


def page_keys(
    routes: list[Route], content: Content, files: dict[str, FactFile], templates: bytes
) -> list[bytes | None]:
    """For each route, the digest of everything its page is rendered from (None: unknown,
    so always render): the templates, the site-wide values (the globals of
    `render.make_environment`) and the route itself."""
    fingerprints = Fingerprints(files)
    shared = (content.site, content.frameworks, content.sources, content.foundation is not None)
    theme = digest(templates, fingerprints.of(shared))
    keys: list[bytes | None] = []
    for r in routes:
        if r.static is not None:
            keys.append(digest(theme, r.output.encode(), r.static.read_bytes()))
            continue
        try:
            keys.append(fingerprints.of((theme, r.url, r.output, r.template, r.context)))
        except TypeError:
            keys.append(None)
    return keys


Written = dict[str, tuple[bytes | None, bytes, tuple[int, int, int] | None]]


def write_changed(
    pages: list[Page], keys: list[bytes | None], out_dir: Path, outputs: dict[str, Written]
) -> bool:
    """Write the site unless `out_dir` holds it already; files whose bytes did not change
    since the last write there are linked, not rewritten.

    `outputs` remembers, for each output folder, each file's page key, the digest of its
    bytes and its stat, so a page rendered again to the same bytes is not rewritten, and a
    file changed by hand since is. True if it wrote."""
    where = str(out_dir.resolve())
    before = outputs.pop(where, {})
    now: Written = {}
    unchanged = set()
    for page, key in zip(pages, keys, strict=True):
        known = before.get(page.output)
        reused = key is not None and known is not None and known[0] == key
        data = known[1] if reused and known else digest(page.data)
        stat = known[2] if known else None
        if known and known[1] == data and output_stat(out_dir / page.output) == stat:
            unchanged.add(page.output)
        else:
            stat = None  # until written: should the write fail, nothing is taken as done
        now[page.output] = (key, data, stat)
    outputs[where] = now
    if len(unchanged) == len(pages) and holds_exactly(out_dir, unchanged):
        return False
    write_site(pages, out_dir, unchanged)
    for output, (key, data, _) in now.items():
        if output not in unchanged:
            now[output] = (key, data, output_stat(out_dir / output))
    return True


def output_stat(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is rewritten (a hard link changes only its ctime)."""
    try:
        s = os.stat(path)
    except OSError:
        return None
    return (s.st_mtime_ns, s.st_size, s.st_ino)


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
    """Keep the rendered summaries for the next run, and forget the ones no longer used, so a
    long-running dev server does not grow with every edit."""
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
