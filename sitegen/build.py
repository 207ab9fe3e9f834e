"""The pipeline, chained: load → validate → plan → render → write, each stage timed.

`SiteBuilder` keeps what the last build read and rendered (in memory, and under
`.sitegen-cache/` between runs), so a rebuild re-reads only the files that changed and
re-renders only the pages whose inputs changed; `build_site` is one build.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
import os
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import jinja2

from . import markup
from .assemble import assemble
from .cache import (
    BuildCache,
    FactFile,
    Stat,
    gc_paused,
    load_cache,
    read_files,
    restore_markdown,
    save_cache,
    templates_digest,
)
from .catalogue import language_warnings, with_texts
from .colors import color_warnings
from .contentlinks import content_link_problems
from .diagnostics import Diagnostic, SiteError
from .drafts import draft_url, links_to_drafts, published
from .memo import Memo
from .model import Content, Milestone, Site
from .outdir import claimed
from .pages import link_problems as page_link_problems
from .pages import nav_entries
from .parallel import PARALLEL_MIN
from .quotes import QuoteReport, check_quotes
from .render import Page, Rendered, make_environment, prerender_markdown, render_pages
from .routes import Replacer, Route, holders, plan_routes, replace_in_routes, shape, swap_uses
from .search import bundle_in, kept_bundle
from .tags import tag_warnings
from .theme import unused_templates
from .write import output_stat, refuse_shared_outputs, write_changed


@dataclass(frozen=True)
class Options:
    """What the command line may override in `content/site.yaml`, and how to build."""

    base_url: str | None = None
    site_url: str | None = None
    jobs: int = 0  # processes rendering pages; 0 means one per CPU
    cache: bool = True  # keep what a build computed under .sitegen-cache/ for the next run
    save_cache: bool = True  # `check` reads the cache but writes nothing
    force: bool = False  # replace an output folder that holds files sitegen did not write
    drafts: bool = False  # show milestones and pages marked `draft: true` (as `serve` does)
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


@dataclass
class BuildResult:
    content: Content
    routes: list[Route]
    files: dict[str, bytes]  # output path → bytes, for a build in memory (else empty)
    rendered: int  # pages rendered afresh; the rest were reused from the previous build
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    quotes: QuoteReport = field(default_factory=QuoteReport)
    why: dict[str, str] = field(default_factory=dict)  # each output rendered afresh → why

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
        self._held: dict[int, list[str]] | None = None  # `routes.holders` of cache.routes

    def build(
        self, out_dir: Path | None = None, changed: Collection[str] | None = None
    ) -> BuildResult:
        """Build in memory, and write to `out_dir` when given; SiteError on any problem.

        `changed` is for a file watcher: every path (relative to the site) changed since the
        last build, so that the fact files it does not name need not be looked at. It is
        used only after a build that succeeded: a failed one may not have read them all.

        Garbage collection waits until the build is done: a build makes many lasting
        objects and no garbage cycles (rendering leaves none), so a collection during it
        would walk the whole model again and again for nothing.

        The output folder is held from the start (see `outdir.claimed`): what is there is
        looked at, trusted and replaced by one build at a time."""
        with gc_paused(), claimed(self.site_dir, out_dir, self.options.force):
            return self._build(out_dir, changed)

    def _build(self, out_dir: Path | None, changed: Collection[str] | None) -> BuildResult:
        timings: dict[str, float] = {}
        timed = stage_timer(timings)
        cache = self._cache()
        jobs = self.options.jobs or os.cpu_count() or 1
        hint, self._complete = changed if self._complete else None, False
        with timed("load"):  # read, parse and check each fact file
            files = read_files(self.site_dir, cache.files, hint, jobs)
        known, cache.files = cache.files, files
        rewritten = changed_files(known, files)
        files_changed = len(files) != len(known) or bool(rewritten)
        # An edit the watcher saw that moves nothing: the new milestones take the old ones'
        # places, in the content and in the last plan (see `_replan`).
        swaps = same_shape_swaps(known, files, rewritten) if hint is not None else None
        replace = Replacer(swaps) if swaps and cache.content is not None else None
        with timed("validate"):  # across files: ids, references, quotes
            checked = [f.checked for f in files.values()]
            quotes = check_quotes(self.site_dir, checked)  # reads the archives every build
            if replace and cache.content is not None and not quotes.problems:
                milestones = replace(cache.content.milestones)  # no cross-file check differs
                cache.content = dataclasses.replace(cache.content, milestones=milestones)
            elif files_changed or cache.content is None or quotes.problems:
                cache.content = None  # until these files pass
                cache.content = assemble(checked, quotes.problems)
            content = apply_options(cache.content, self.options)
            if not self.options.drafts:  # no published text may link to what is left out
                values = {path: f.checked.value for path, f in files.items()}
                if problems := links_to_drafts(values, self.site_dir):
                    raise SiteError(problems)
            content = with_texts(content, self.site_dir / "templates")  # in its language
        with timed("plan"):
            plan = replace and self._replan(content, cache, replace)
            plan = plan or self._plan(content, cache, files_changed, out_dir)
        with timed("links"):  # every link in content leads to a page (see contentlinks)
            shown = (
                checked if self.options.drafts else [c for c in checked if not draft_url(c.value)]
            )
            if problems := content_link_problems(shown, plan.routes, content, self.site_dir):
                raise SiteError(problems)
            if problems := page_link_problems(content, map(OUTPUT, plan.routes)):
                raise SiteError(problems)  # a page's links, at their line in its file
        if len(plan.fresh) >= PARALLEL_MIN:  # else the few summaries needed render in place
            with timed("markdown"):
                base = content.site.base_url
                prerender_markdown((m.summary for m in content.milestones), base, jobs)
        wrote = self._render(plan, content, out_dir, jobs, timings)
        if out_dir is None and self._held is None:  # ready for the dev server's next edit
            with timed("plan"):
                self._held = holders(plan.routes)
        routes = dict(zip(map(OUTPUT, plan.routes), plan.routes, strict=True))
        if not plan.same_theme or routes != cache.routes:
            # Another folder's record holds only while the routes that wrote it are these.
            keep = str(out_dir.resolve()) if out_dir is not None else None
            cache.outputs = {k: v for k, v in cache.outputs.items() if k == keep}
        cache.routes = routes
        cache.templates, cache.shared = plan.templates, plan.shared
        if len(markup.rendered) > 2 * len(content.milestones) + 1000:
            keep_markdown(cache, content)  # a long-running dev server must not grow
        save = self.options.cache and self.options.save_cache and not self.saved
        if save and (plan.fresh or files_changed or wrote):
            # Saved once per builder: the dev server's rebuilds stay in memory, rather than
            # writing the cache to disk again on every edit.
            with timed("cache"):
                keep_markdown(cache, content)
                save_cache(self.site_dir, cache)
            self.saved = True
        self._complete = True
        warnings = (
            site_url_warnings(content.site)
            + language_warnings(content.texts)
            + tag_warnings(cache.content)  # drafts too: a tag only a draft carries is used
            + unused_templates(self.site_dir / "templates", plan.templates)
            + color_warnings(
                content.frameworks,
                {f.checked.value.id: p for p, f in files.items() if f.checked.kind == "frameworks"},
            )
        )
        return BuildResult(
            content, plan.routes, plan.kept, len(plan.fresh), timings, warnings, quotes, plan.why
        )

    def _plan(
        self, content: Content, cache: BuildCache, files_changed: bool, out_dir: Path | None
    ) -> Plan:
        """Every route, and which of them must be rendered: those not equal to the last
        build's, or rendered with other templates or site-wide values, or whose page is
        neither in memory nor in `out_dir` as the last build left it."""
        templates = templates_digest(self.site_dir / "templates")
        shared = site_wide(content, self.options)
        if (
            not files_changed
            and (templates, shared) == (cache.templates, cache.shared)
            and cache.routes
        ):
            routes = list(cache.routes.values())  # the same content plans the same routes
        else:
            self._routes.next_build()
            self._held = None
            routes = plan_routes(content, self.site_dir / "templates", self._routes)
            refuse_shared_outputs(map(OUTPUT, routes))
        same_theme = templates == cache.templates and shared == cache.shared
        before = cache.routes if same_theme else {}
        on_disk = output_record(cache, out_dir)
        fresh, kept, why = [], {}, {}
        for r in routes:
            if (old := before.get(r.output)) != r:
                fresh.append(r)
                why[r.output] = changed_why(old, bool(cache.routes), same_theme)
            elif r.output in self.pages:
                kept[r.output] = self.pages[r.output]
            elif r.output not in on_disk:
                fresh.append(r)
                why[r.output] = "the output folder does not hold it as the last build left it"
        return Plan(routes, fresh, kept, on_disk, templates, shared, same_theme, why)

    def _replan(self, content: Content, cache: BuildCache, replace: Replacer) -> Plan | None:
        """The last plan with milestones swapped for others of the same shape: only the
        routes that hold them change (see `routes.shape`), found without planning the site
        again. None when the last build did not leave every page in memory and its plan
        indexed (as the dev server's builds do), or the templates or site-wide values
        changed."""
        templates = templates_digest(self.site_dir / "templates")
        shared = site_wide(content, self.options)
        if templates != cache.templates or shared != cache.shared:
            return None
        if self._env is None or self._held is None or len(self.pages) != len(cache.routes):
            return None
        swaps = replace.swaps
        for old, new in list(swaps.items()):
            uses = swap_uses(old, new, self._routes)
            if uses is None:
                return None
            swaps.update(uses)
        fresh = replace_in_routes(cache.routes, self._held, replace)
        for old, new in swaps.items():  # the new values sit where the old ones did
            self._held[id(new)] = self._held.pop(old, [])
        routes = {**cache.routes, **{r.output: r for r in fresh}}
        kept = dict(self.pages)
        for r in fresh:
            del kept[r.output]
        why = dict.fromkeys((r.output for r in fresh), "a milestone it shows was reworded")
        return Plan(list(routes.values()), fresh, kept, {}, templates, shared, True, why)

    def _render(
        self,
        plan: Plan,
        content: Content,
        out_dir: Path | None,
        jobs: int,
        timings: dict[str, float],
    ) -> bool:
        """Render the fresh pages, into memory or into `out_dir`; True if it wrote there."""
        env = self._environment(content, plan.same_theme) if plan.fresh else None
        progress = counter(len(plan.fresh), self.options.progress)
        render = partial(render_pages, plan.fresh, env, self.site_dir, jobs, progress)
        if out_dir is not None:
            self.pages = {}  # the pages are in out_dir: this process need not hold them
            return self._write(plan, out_dir, render, timings, content.site.language)
        if plan.fresh:  # else the templates are those of the last build, which compiled them all
            with stage_timer(timings)("templates"):
                plan.kept.update(note_cpu(timings, render()).delivered)
        self.pages = plan.kept
        return False

    def _write(
        self,
        plan: Plan,
        out_dir: Path,
        render: Callable[..., Rendered],
        timings: dict[str, float],
        language: str,
    ) -> bool:
        """Write the site to `out_dir`, rendering the fresh pages into it, then its search
        index from it (the last one stays while no page changed); True if it wrote. The
        stat of every file written is remembered, to know them again next time."""

        def render_into(deliver: Callable[[str, bytes], Stat]) -> dict[str, Stat]:
            with stage_timer(timings)("templates"):
                return note_cpu(timings, render(deliver=deliver)).delivered

        def index(pages: set[str], staging: Path) -> dict[str, bytes]:
            with stage_timer(timings)("search"):
                return bundle_in(staging, pages, language)

        start = time.perf_counter()
        outputs, fresh = set(map(OUTPUT, plan.routes)), set(map(OUTPUT, plan.fresh))
        derive: Callable[[Path], dict[str, bytes]] | None = partial(index, set(outputs))
        kept = None if fresh or plan.kept else kept_bundle(out_dir, plan.on_disk)
        if kept is not None:
            outputs, derive = outputs | kept, None
        record = write_changed(
            outputs, fresh, plan.kept, plan.on_disk, out_dir, render_into, derive
        )
        done = timings.get("templates", 0.0) + timings.get("search", 0.0)
        timings["write"] = time.perf_counter() - start - done
        self._cache().outputs[str(out_dir.resolve())] = plan.on_disk if record is None else record
        return record is not None

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


def changed_files(known: Mapping[str, FactFile], files: Mapping[str, FactFile]) -> list[str]:
    """The paths of `files` read anew or added since `known` (unchanged ones are the same
    records)."""
    return list(
        itertools.compress(files, map(operator.is_not, map(known.get, files), files.values()))
    )


def same_shape_swaps(
    known: Mapping[str, FactFile], files: Mapping[str, FactFile], changed: list[str]
) -> dict[int, Milestone] | None:
    """When the only change is milestones rewritten in the same shape (see `routes.shape`),
    with no problem: each old milestone's id → the new milestone. Else None."""
    if len(known) != len(files):
        return None
    swaps = {}
    for path in changed:
        old, new = known.get(path), files[path]
        if old is None or old.checked.kind != "milestones" or new.checked.kind != "milestones":
            return None
        if new.checked.problems or shape(old.checked.value) != shape(new.checked.value):
            return None
        swaps[id(old.checked.value)] = new.checked.value
    return swaps


class Plan(NamedTuple):
    """What a build will do, worked out before rendering (see `SiteBuilder._plan`)."""

    routes: list[Route]
    fresh: list[Route]  # to render
    kept: dict[str, bytes]  # pages held in memory: the last build's, then the fresh ones
    on_disk: dict[str, Stat]  # files the last build wrote to the output folder, unchanged
    templates: bytes  # the templates folder's digest
    shared: tuple  # the site-wide values (see `site_wide`)
    same_theme: bool  # whether both are the last build's
    why: dict[str, str]  # each fresh route's output → why it is rendered afresh


def changed_why(old: Route | None, built_before: bool, same_theme: bool) -> str:
    """Why a route unlike the last build's is rendered afresh, for `--verbose`."""
    if not built_before:
        return "there is no earlier build to reuse"
    if not same_theme:
        return "the theme or the site-wide values changed"
    return "it is new" if old is None else "what it shows changed"


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


def site_wide(content: Content, options: Options) -> tuple:
    """What every page may read besides its route: the globals of `render.make_environment`,
    and whether drafts are shown (which changes what is planned)."""
    return (
        options.drafts,
        content.site,
        content.frameworks,
        content.sources,
        content.foundation is not None,
        content.texts,
        nav_entries(content),
    )


def output_record(cache: BuildCache, out_dir: Path | None) -> dict[str, Stat]:
    """The files the last build wrote to `out_dir` that are still there as it left them."""
    if out_dir is None:
        return {}
    record = cache.outputs.pop(str(out_dir.resolve()), {})
    return {o: stat for o, stat in record.items() if output_stat(out_dir / o) == stat}


def note_cpu(timings: dict[str, float], rendered: Rendered) -> Rendered:
    """Add how long the pages took to render and to write, over every process."""
    timings["render (cpu)"] = timings.get("render (cpu)", 0.0) + rendered.render_seconds
    timings["write (cpu)"] = timings.get("write (cpu)", 0.0) + rendered.deliver_seconds
    return rendered


def keep_markdown(cache: BuildCache, content: Content) -> None:
    """Keep the rendered summaries in use, for this process and the next run; forget the
    rest (the few other texts are rendered again when next needed)."""
    base = content.site.base_url
    keys = {(m.summary, base, False) for m in content.milestones}
    cache.markdown = {k: markup.rendered[k] for k in keys if k in markup.rendered}
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
    if not options.drafts:
        content = published(content)
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
