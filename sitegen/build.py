"""The pipeline, chained: load → validate → plan → render → write, each stage timed.

`SiteBuilder` keeps the last good build (a `State`: the files as read, the content they
make and the dependency record; in memory, and under `.sitegen-cache/` between runs), so
a rebuild re-reads only the files that changed and re-plans and re-renders only the
outputs that read an input that changed (see `sitegen.depends`); `build_site` is one build.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Collection, Mapping, Set
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from . import cache, render
from .assemble import content_of
from .cache import Body, Kept, StaleCache, State, shelved
from .catalogue import language_warnings, with_texts
from .colors import color_warnings
from .contentlinks import check_site_links
from .diagnostics import Diagnostic, SiteError
from .drafts import draft_url, links_to_drafts
from .environment import NOT_TEMPLATES, Fragments, Renderer, in_use
from .layout import relaid
from .model import Content
from .options import Options, apply_options, site_url_warnings
from .outdir import claimed
from .parallel import PARALLEL_MIN
from .quotes import QuoteReport, check_quotes
from .render import Page, Rendered, check_templates, keep_bytes, prerender_markdown, render_pages
from .routes import FONT, Known, Paths, Plan
from .scan import Scanned, Stat, differing, scan_content, scan_theme
from .search import Renew, renewal
from .tags import tag_warnings
from .theme import SETTINGS, STATIC_DIR, unused_templates
from .theme_settings import theme_settings
from .timing import counter, note_cpu, stage_timer
from .write import OnDisk, output_stats, write_changed


@dataclass
class BuildResult:
    shown: Callable[[], Content]  # the content as built (see `content`)
    outputs: Collection[str]  # every output file
    files: dict[str, render.Held]  # output path → its bytes, for a build in memory (else empty)
    rendered: int  # outputs rendered afresh; the rest were the last build's
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    quotes: QuoteReport = field(default_factory=QuoteReport)
    why: dict[str, str] = field(default_factory=dict)  # each output rendered afresh → why

    @cached_property
    def content(self) -> Content:
        """The content as built, with the command line's options: made when first asked
        for by a build that found nothing changed, which need not load the last one's."""
        return self.shown()

    @property
    def pages(self) -> list[Page]:
        """The files built in memory, in output order."""
        return [Page(o, bytes(self.files[o])) for o in sorted(self.outputs) if o in self.files]


class SiteBuilder:
    """Builds one site again and again, each time re-rendering only the outputs that read
    an input that changed since the last good build."""

    def __init__(
        self, site_dir: Path, options: Options | None = None, lasting: bool = True
    ) -> None:
        self.site_dir = site_dir
        self.options = options or Options()
        self.lasting = lasting  # whether it will build again, as the dev server's does
        self.last: State | None = None  # the last good build; loaded on the first build
        self.pages: dict[str, render.Held] = {}  # its pages, when it was built in memory
        self.whole: Set[str] | None = None  # the outputs of which `pages` holds every one
        self.pending: set[str] | None = None  # paths changed since then, if known
        self.renderer: Renderer | None = None  # made, with its fragments, when first needed
        self.markdown_loaded: dict = {}  # the rendered Markdown the last run left
        self.texts: dict = {}  # the theme's texts as last read (see `catalogue.with_texts`)
        self.saved = False  # whether this builder saved its state to disk yet
        self.good = False  # whether a build of this builder succeeded yet

    def build(
        self, out_dir: Path | None = None, changed: Collection[str] | None = None
    ) -> BuildResult:
        """Build in memory, and write to `out_dir` when given; SiteError on any problem.

        `changed` is for a file watcher: every path (relative to the site) changed since the
        last build, so that the fact files it does not name need not be looked at. Until a
        build succeeds, the next one is told what changed since the last that did.

        Garbage collection waits until the build is done: a build makes many lasting
        objects and no garbage cycles (rendering leaves none), so a collection during it
        would walk the whole model again and again for nothing."""
        if changed is None or self.pending is None:
            self.pending = None
        else:
            self.pending |= set(changed)
        with cache.gc_paused(), claimed(self.site_dir, out_dir, self.options.force) as listed:
            try:
                result = self._build(out_dir, self.pending, listed)
            except StaleCache:  # read before the build changed anything: start afresh
                self.last = State()
                result = self._build(out_dir, None, listed)
        self.pending = set()
        return result

    def _build(
        self, out_dir: Path | None, changed: Collection[str] | None, listed: frozenset[str] | None
    ) -> BuildResult:
        timings: dict[str, float] = {}
        timed = stage_timer(timings)
        last = self._last()
        # A loaded state's checks and site-wide facts hold for the same files and theme
        # (the watcher or the stat tells) unless the command line's URLs differ from its.
        first = not self.good and last.urls != self._urls()
        jobs = self.options.jobs or os.cpu_count() or 1
        templates_dir = self.site_dir / "templates"
        with timed("load"):  # read and check each fact file that changed; stat the outputs
            facts = scan_content(self.site_dir, last.facts, changed, jobs)
            if changed is not None and not any(map(in_theme, changed)):
                theme, theme_problems = last.theme, []  # a good build's: it had no problems
            else:
                theme, theme_problems = scan_theme(templates_dir, last.theme)
            on_disk = None if out_dir is None else OnDisk(out_dir, self._on_disk(out_dir), listed)
        if facts.words != last.facts.words:  # new folders and URLs: plan anew
            last = State(outputs=last.outputs)
        files, docs = facts.files, facts.docs  # the docs are loaded only if read (see `shelf`)
        edited, retheme = differing(last.facts.files, files), differing(last.theme, theme)
        unchanged = not (edited or retheme or first or theme_problems)
        if unchanged and self._stands(last, on_disk):
            return self._as_before(last, files, theme, on_disk, timings)
        with timed("validate"):  # across files: ids, references, quotes, drafts
            # The last report while no fact file changed and its archives hold what they
            # held (reading every file's quotes would load them all: see `shelf`).
            quotes = last.quotes
            if edited or not quotes.holds(self.site_dir):
                quotes = check_quotes(self.site_dir, docs.values())
            known, where, moved_ones = content_of(
                last.content, last.paths, last.facts.docs, docs, edited, quotes
            )
            rearranged = moved_ones != []  # put together anew (None), or milestones moved
            if not self.options.drafts and (edited or first):  # nothing published links to one
                values = {path: c.value for path, c in docs.items()}
                drafts_linked = links_to_drafts(values, self.site_dir)
                if drafts_linked:
                    raise SiteError(drafts_linked)
            content = self._shown(known)
        with timed("plan"):  # the outputs that read an input that changed, planned again
            layout = relaid(last.layout, content, moved_ones) if rearranged else last.layout
            shipped = {p.removeprefix("templates/"): s.file for p, s in theme.items()}
            was = Known(last.made, last.listed, last.record.values, None if retheme else moved_ones)
            plan = Plan(content, where, shipped, layout, theme_settings(templates_dir), was)
            now, touched = dict(last.record.values), [*edited, *retheme]
            now.update((p, f.digest) for p in touched if (f := files.get(p) or theme.get(p)))
            for path in (p for p in touched if p not in files and p not in theme):
                del now[path]
            new_outputs = (
                rearranged
                or not last.record.inputs
                or f"templates/{SETTINGS}" in retheme  # the page size, whether there are cards
                or any(p.startswith(OUTPUTS) for p in retheme if (p in theme) != (p in last.theme))
            )
            if edited or first or new_outputs or retheme:
                now.update(site_wide := plan.facts(now, pages=new_outputs))
                touched += site_wide
            outputs = plan.outputs if new_outputs else last.made
            # Milestones moved: pages may show a file now that they did not read before. (Else
            # every page showing one read it; with no record, every output is new anyway.)
            moved = touched if rearranged and last.record.inputs else []
            shown = {p: plan.shown_on(c.kind, c.value) for p in moved if (c := docs.get(p))}
            held = on_disk.files if on_disk else (None if self.whole is outputs else self.pages)
            came = new_outputs and outputs != last.made  # outputs came or went
            fresh, gone, why = last.record.affected(now, touched, shown, outputs, came, held)
            routes = [plan.route(o) for o in sorted(fresh)]
        check = (
            not last.record.inputs
            or bool(theme_problems)
            or any(not t.startswith(ASSETS) for t in retheme)
        )
        renderer = self._renderer(content, now, where, shipped) if routes or check else None
        if renderer is not None and check:
            problems = check_templates(renderer.env, self.site_dir)  # every syntax error
            if problems:
                raise SiteError(problems)
        if edited or first or new_outputs or retheme:
            with timed("links"):  # every link in content leads to a page (see contentlinks)
                bind = partial(self._renderer, content, now, where, shipped)
                drafts = self.options.drafts  # then every file is shown
                shown = [c for c in docs.values() if drafts or not draft_url(c.value)]
                check_site_links(shown, plan.route, outputs, content, lambda: bind().env)
        if renderer is not None and len(routes) >= PARALLEL_MIN:  # else rendered in place
            with timed("markdown"):
                prerender_markdown((m.summary for m in content.milestones), renderer, jobs)
        rendered, written = self._render(
            routes, outputs, gone, renderer, on_disk, jobs, timings, content.site.language
        )
        record = last.record.updated(now, rendered.reads, gone)
        outputs_written = {**last.held(out_dir, bool(routes or gone)), **written}
        anew = not last.record.inputs  # the warnings below are the last build's, else
        untagged = tuple(tag_warnings(known)) if edited or anew else last.untagged
        trees = renderer and renderer.env.tree  # the templates' syntax trees, if made
        unused = tuple(unused_templates(templates_dir, trees)) if retheme or anew else last.unused
        warnings = (
            site_url_warnings(content.site)
            + language_warnings(content.texts)
            + [*untagged, *unused]
            + color_warnings(content.frameworks, where.get("frameworks", {}))
        )
        self.last = State(
            files,
            facts.words,
            theme,
            outputs_written,
            outputs,
            plan.listed_outputs if new_outputs else last.listed,
            quotes,
            self.options.drafts,
            self._urls(),
            untagged,
            unused,
            tuple(warnings),
            Kept(Body(known, where, record, plan.known_layout, shelved(docs, known))),
        )
        self.good = True
        save = self.options.cache and self.options.save_cache and not self.saved
        if save and (routes or edited or retheme or written):
            # Saved once per builder: the dev server's rebuilds stay in memory, rather than
            # writing the cache to disk again on every edit.
            with timed("cache"):
                self._save(content)
            self.saved = True
        built = self.pages if out_dir is None else {}
        return BuildResult(
            lambda: content, outputs, built, len(routes), timings, warnings, quotes, why
        )

    def _render(
        self,
        routes: list,
        outputs: Set[str],
        gone: set[str],
        renderer: Renderer | None,
        on_disk: OnDisk | None,
        jobs: int,
        timings: dict[str, float],
        language: str,
    ) -> tuple[Rendered, dict[str, Mapping[str, Stat]]]:
        """Render the routes into memory, or into `out_dir` along with the files kept there
        and then its search index (made again only in the parts where a page changed); what
        they read, and the stat of what was written to `out_dir`."""
        progress = counter(len(routes), self.options.progress)

        def render_routes(deliver: Callable[[str, bytes], Any] = keep_bytes) -> Rendered:
            if renderer is None:  # nothing to render
                return Rendered({}, {}, 0.0, 0.0)
            return render_pages(routes, renderer, jobs, progress, deliver)

        templates = stage_timer(timings)("templates")
        if on_disk is None:
            with templates:
                rendered = note_cpu(timings, render_routes())
            pages = {**self.pages, **rendered.delivered}
            for output in gone:
                pages.pop(output, None)
            self.pages, self.whole = pages, outputs  # rendered what it did not hold
            return rendered, {}
        self.pages, self.whole = {}, None  # the pages are in out_dir: no need to hold them
        done: list[Rendered] = []

        def render_into(deliver: Callable[[str, bytes], Stat]) -> dict[str, Stat]:
            with templates:
                done.append(note_cpu(timings, render_routes(deliver=deliver)))
            return done[0].delivered

        start, (out_dir, kept, listed) = time.perf_counter(), on_disk
        fresh = {r.output for r in routes}
        kept_index, renew = renewal(out_dir, kept, listed, outputs, fresh, gone)

        def index(renew: Renew, staging: Path) -> dict[str, bytes]:
            with stage_timer(timings)("search"):
                return renew(staging, language, jobs)

        outputs = outputs | kept_index
        derive = None if renew is None else partial(index, renew)
        record = write_changed(outputs, fresh, {}, kept, out_dir, render_into, derive, listed)
        spent = timings.get("templates", 0.0) + timings.get("search", 0.0)
        timings["write"] = time.perf_counter() - start - spent
        rendered = done[0] if done else Rendered({}, {}, 0.0, 0.0)
        if record is None:  # out_dir held the site already
            return rendered, {}
        # Stat again once the old site is gone: removing it unlinked the files linked from
        # it, which changed their ctime since `write_changed` took their stat.
        final = output_stats(out_dir, record)
        return rendered, {str(out_dir.resolve()): {o: s for o, s in final.items() if s}}

    def _on_disk(self, out_dir: Path) -> dict[str, Stat]:
        """The files the last good build wrote to `out_dir` that are still as it left them."""
        written = self._last().outputs.get(str(out_dir.resolve()), {})
        now = output_stats(out_dir, written)
        return {o: stat for o, stat in written.items() if now[o] == stat}

    def _stands(self, last: State, on_disk: OnDisk | None) -> bool:
        """Whether, its inputs unchanged, the last good build's site is there as it left
        it (in memory, or in `out_dir` with nothing else), and its quotes' archives hold
        what they held."""
        if not last.made or not last.quotes.holds(self.site_dir):
            return False
        if on_disk is None:
            return self.whole is last.made  # its pages are all in memory
        return last.left_whole(*on_disk)

    def _as_before(
        self,
        last: State,
        files: Mapping[str, Scanned],
        theme: Mapping[str, Scanned],
        on_disk: OnDisk | None,
        timings: dict[str, float],
    ) -> BuildResult:
        """The last good build's result, for a build that found nothing changed. Files read
        again (their stat too recent to trust), with the bytes they had, are noted on disk
        too: else every later run would read them again."""
        if files != last.files or theme != last.theme:
            last = dataclasses.replace(last, files=files, theme=theme)
            if self.options.cache and self.options.save_cache and not self.saved:
                with stage_timer(timings)("cache"):  # the body unread: its file holds it
                    cache.save_state(self.site_dir, last)
                self.saved = True
        self.last, self.good = last, True
        built, warned = self.pages if on_disk is None else {}, list(last.warnings)
        return BuildResult(
            lambda: self._shown(last.content), last.made, built, 0, timings, warned, last.quotes
        )

    def _shown(self, content: Content | None) -> Content:
        """The content as built: with the command line's options, in its language."""
        assert content is not None  # a good build's, or one just put together
        templates = self.site_dir / "templates"
        return with_texts(apply_options(content, self.options), templates, self.texts)

    def _urls(self) -> tuple[str | None, str | None]:
        return self.options.base_url, self.options.site_url

    def _last(self) -> State:
        if self.last is None:
            loaded = cache.load_state(self.site_dir) if self.options.cache else None
            good = isinstance(loaded, State) and loaded.drafts == self.options.drafts
            self.last = loaded if good else State()
        return self.last

    def _renderer(
        self, content: Content, now: Mapping[str, object], where: Paths, theme: Mapping[str, Path]
    ) -> Renderer:
        """The builder's renderer, bound to this build; made (with what the last run left
        of Markdown and, for a builder that builds again, fragments) when first needed."""
        if self.renderer is None:
            self.renderer = renderer = Renderer(self.site_dir, self.lasting)
            if self.options.cache:
                markdown = cache.load(self.site_dir, "markdown")
                self.markdown_loaded = markdown if isinstance(markdown, dict) else {}
                renderer.markdown = dict(self.markdown_loaded)
            fragments = cache.load(self.site_dir, "fragments") if self.lasting else None
            if self.options.cache and isinstance(fragments, Fragments):
                renderer.fragments = fragments
        self.renderer.bind(content, now, where, theme)
        return self.renderer

    def _save(self, content: Content) -> None:
        """Keep the last good build, and what its renderer made, for the next run."""
        cache.save_state(self.site_dir, self.last)
        if self.renderer is not None:
            markdown = in_use(self.renderer.markdown, content)
            if markdown != self.markdown_loaded:
                cache.save(self.site_dir, "markdown", markdown)
            if self.lasting:
                cache.save(self.site_dir, "fragments", self.renderer.fragments)


ASSETS = tuple(f"templates/{p}" for p in NOT_TEMPLATES)  # assets, fonts, texts and settings
OUTPUTS = (f"templates/{STATIC_DIR}/", FONT)  # theme files whose coming or going adds outputs


def in_theme(path: str) -> bool:
    """Whether a changed path (relative to the site) may change the theme: the packaged
    theme changes only with sitegen, which no record outlives (see `cache.code_digest`)."""
    return path == "templates" or path.startswith("templates/")


def build_site(site_dir: Path, out_dir: Path | None, options: Options | None = None) -> BuildResult:
    """Build the site in `site_dir` once; write it to `out_dir` unless that is None."""
    return SiteBuilder(site_dir, options, lasting=False).build(out_dir)
