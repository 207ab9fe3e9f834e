"""The site's Jinja environment: autoescaped, strict, with the site's helpers, and every read
recorded (see `sitegen.depends`).

One `Renderer` lives as long as its `SiteBuilder`. Its compiled templates are kept while
their sources keep the digests they were compiled from, and its helpers read the build
they are bound to (`bind`), so nothing in it is trusted beyond the inputs' values:

- the loader records each template a page loads (`extends`, `include` and `import` too):
  Jinja asks the loader's `uptodate` on every use of a compiled template, not only the first;
- the globals record what a page reads (see `sitegen.recorded`): each value of `site`
  (`site:title`), each framework and source looked up by id (its file), the lists of
  frameworks and sources, and the assets it links (their hash is in the link);
- `cached(macro, args...)` keeps the macro's output under the template, the macro and its
  arguments (model values by their file), with the inputs it read and their values: it is
  reused in any later page, build or run while those are unchanged; the listings that
  templates join (`timeline_json`, `item_list_ld`) are kept the same way, a milestone and
  a year at a time (see `sitegen.joined`).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import uuid
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.loaders import split_template_path
from markupsafe import Markup

from .depends import Reads
from .fragments import Fragments, value_key
from .i18n import Texts
from .joined import item_list_ld, timeline_json
from .markup import render_inline, render_markdown, words_of
from .model import Content, Page, PartialDate, Site
from .pages import TOC_MIN, Body, nav_entries, render_body
from .recorded import ById, Flag, Listed, Recorded, SiteValues, TextsRead
from .route import CARDS, NAV, TEXTS, Paths
from .scan import digest
from .theme import FONTS_DIR, I18N_DIR, SETTINGS, STATIC_DIR, read_plain

# The theme's other files: assets, fonts, texts and settings.
NOT_TEMPLATES = (f"{STATIC_DIR}/", f"{FONTS_DIR}/", f"{I18N_DIR}/", SETTINGS)


class Loader(jinja2.BaseLoader):
    """The theme's templates (by the rules of `sitegen.theme`: no asset, font, editor's
    file or link out of the theme is a template), read as a page asks for each one."""

    def __init__(self, folder: Path, reads: Reads) -> None:
        self.folder, self.reads = folder, reads
        self.now: Mapping[str, object] = {}  # the build's inputs (templates by digest)
        self.files: Mapping[str, Path] = {}  # the theme's files by name, links followed
        self.loads: dict[str, set[str]] = {}  # template → templates it loads itself
        self.names: dict[str, str] = {}  # file name → template, for `Renderer.cached`

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        name = "/".join(split_template_path(template))
        found = self.files.get(name)
        if found is None or name.startswith(NOT_TEMPLATES):
            self.reads.add(f"templates/{name}")  # a template added later is read then
            raise jinja2.TemplateNotFound(template)
        try:
            data = read_plain(found)
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raise jinja2.TemplateNotFound(template) from None  # changed since: found anew
        own = posixpath.join(self.folder.as_posix(), name)  # as messages name it
        file = own if os.path.realpath(own) == os.path.realpath(found) else str(found)
        self.names[file] = name
        self.reads.update(self.keys(name))
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as open() reads
        return text, file, partial(self.uptodate, name, digest(data), self.now)

    def uptodate(self, name: str, source: bytes, then: Mapping[str, object]) -> bool:
        """Whether a template compiled from a source of digest `source`, in a build whose
        inputs were `then`, is still good: it, and every template it loads (its module
        keeps theirs), has the digest it had then."""
        keys = self.keys(name)
        self.reads.update(keys)
        now = self.now
        return now.get(keys[0]) == source and all(now.get(k) == then.get(k) for k in keys)

    def keys(self, name: str) -> list[str]:
        """The inputs a template stands for: itself, then what it loads, all the way down."""
        found, todo = {name: None}, [name]
        while todo:
            for loaded in self.loads.get(todo.pop(), ()):
                if loaded not in found:
                    found[loaded] = None
                    todo.append(loaded)
        return [f"templates/{n}" for n in found]

    def list_templates(self) -> list[str]:
        return sorted(n for n in self.files if not n.startswith(NOT_TEMPLATES))


class Environment(jinja2.Environment):
    """Notes which template loads which (an import's module is made once, so the pages
    that import it later must hear of what it loaded from the loader), and keeps each
    template's syntax tree, so that the theme's checks (see `sitegen.theme`) need not
    parse again what compiling parsed."""

    loader: Loader

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.trees: dict[str, tuple[str, nodes.Template]] = {}  # template → source, tree
        # Each data file's large pieces as last encoded, for a renderer that renders again
        # (see `render.streamed`): in memory, the same bytes that the pages held there hold.
        self.encoded: dict[str, dict[str, bytes]] | None = None

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if name is not None:
            self.trees[name] = (source, tree)
        return tree

    def tree(self, source: str, name: str) -> nodes.Template:
        """A template's syntax tree: the one compiled from this source, else parsed."""
        known = self.trees.get(name)
        return known[1] if known is not None and known[0] == source else self.parse(source, name)

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:
        if parent is not None and isinstance(name, str):
            loaded = "/".join(split_template_path(name))
            self.loader.loads.setdefault("/".join(split_template_path(parent)), set()).add(loaded)
        return super().get_template(name, parent, globals)


class Renderer:
    """A site's Jinja environment with its helpers, kept from build to build."""

    def has_foundation(self) -> bool:
        return self.content.foundation is not None

    def __init__(self, site_dir: Path, lasting: bool = True) -> None:
        self.site_dir = site_dir
        self.lasting = lasting  # whether it renders again: else fragments are not kept
        self.reads = Reads()
        self.env = Environment(
            loader=Loader(site_dir / "templates", self.reads),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=True,  # so that each use of a template asks `Loader.uptodate`
        )
        self.env.encoded = {} if lasting else None
        self.fragments = Fragments()
        self.markdown: dict[tuple[str, str, str], str] = {}  # (kind, text, base URL) → HTML
        self.now: Mapping[str, object] = {}
        self.paths: Paths = {}
        self.content = Content(Site("", ""), (), (), ())
        self.site = self.content.site
        self.by_id: dict[str, dict[str, Any]] = {}
        self.hashes: dict[str, str] = {}
        self.env.filters.update(
            markdown=lambda text: Markup(self.html("block", text)),
            inline=lambda text: Markup(self.html("inline", text)),
            plain=lambda text: self.html("plain", text),
        )
        self.env.globals.update(
            url=self.url,
            absolute_url=self.absolute_url,
            asset=self.asset,
            atom_date=atom_date,
            atom_id=self.atom_id,
            timeline_json=partial(timeline_json, self),
            item_list_ld=partial(item_list_ld, self),
            cached=self.cached,
            site=SiteValues(self),
            frameworks=Listed(self, "frameworks"),
            framework_by_id=ById(self, "frameworks"),
            source_by_id=ById(self, "sources"),
            has_foundation=Flag(self, "has:foundation", self.has_foundation),
            social_cards=Flag(self, CARDS, lambda: bool(self.now.get(CARDS))),
            t=TextsRead(self),
            tag_label=self.tag_label,
            nav=Recorded(self, NAV, lambda: nav_entries(self.content)),
            page_body=self.page_body,
            TOC_MIN=TOC_MIN,
        )
        self.env.filters.update(
            human=lambda date: self.texts().date(date),
            and_list=lambda items: self.texts().list(items),
        )

    def bind(
        self, content: Content, now: Mapping[str, object], paths: Paths, theme: Mapping[str, Path]
    ) -> None:
        """Give the helpers one build's content, inputs and theme files (by name)."""
        self.now = self.env.loader.now = now
        self.env.loader.files = theme
        self.paths, self.content, self.site, self.hashes = paths, content, content.site, {}
        self.by_id = {
            "frameworks": {fw.id: fw for fw in content.frameworks},
            "sources": {s.id: s for s in content.sources},
        }
        self.fragments.next_build(now)
        if len(self.markdown) > 2 * len(content.milestones) + 1000:  # a long session's edits
            self.markdown = in_use(self.markdown, content)

    def texts(self) -> Texts:
        """The theme's texts in the site's language, read recorded."""
        self.reads.add(TEXTS)
        return self.content.texts or Texts()

    def tag_label(self, tag_id: str) -> str:
        """The label site.yaml gives a tag, else the tag itself."""
        known = {t.id: t for t in self.read("tags")}
        return known[tag_id].label if tag_id in known else tag_id

    def page_body(self, p: Page) -> Body:
        """A documentation page's HTML, headings and links (see `sitegen.pages`)."""
        return render_body(p.body, self.read("base_url"), p.path, p.body_line)

    def read(self, name: str) -> Any:
        """One value of the site's config, recorded."""
        self.reads.add(f"site:{name}")
        return getattr(self.site, name)

    def url(self, path: str) -> str:
        """A site path under the base URL: `/milestones/x/` → `/REPO/milestones/x/`."""
        return self.read("base_url") + path.lstrip("/")

    def absolute_url(self, path: str) -> str:
        """The full URL when the site's address is known, else the base-relative one."""
        return self.read("site_url") + self.url(path)

    def asset(self, path: str) -> str:
        """A static file's URL with a content hash, so browsers never keep a stale copy."""
        self.reads.add(f"templates/{path}")
        if path not in self.hashes:
            file = self.env.loader.files.get(path, self.site_dir / "templates" / path)
            self.hashes[path] = fingerprint(file)
        return f"{self.url(path)}?v={self.hashes[path]}"

    def atom_id(self, path: str) -> str:
        if self.read("site_url"):
            return self.absolute_url(path)
        return tag_uri(self.read("title"), path)

    def html(self, kind: str, text: str) -> str:
        """Markdown as block HTML, inline HTML or plain text (see `sitegen.markup`)."""
        base = self.read("base_url")
        key = (kind, text, base)
        found = self.markdown.get(key)
        if found is None:
            found = self.markdown[key] = MARKDOWN[kind](text, base, self.html)
        return found

    # Fragments -----------------------------------------------------------------------------

    def cached(self, macro: Any, *args: Any) -> Any:
        """`{{ cached(card, m) }}`: the macro's output for these arguments, made once and
        reused while what it read is unchanged (like Hugo's partialCached). For macros
        imported without context: their output depends on their arguments and the site."""
        loader = self.env.loader
        file = macro._func.__code__.co_filename
        name = loader.names.get(file, file)
        values = [a.items() if type(a) is Listed else a for a in args]

        def make() -> Any:  # reads the macro's template and what it loads (see `keys`)
            self.reads.update(loader.keys(name) if file in loader.names else ())
            return macro(*args)

        return self.fragment((name, macro.name, *values), make)

    def fragment(self, parts: tuple, make: Callable[[], Any]) -> Any:
        """`make()`, kept under a key made of `parts` (model values known by their file's
        digest: see `fragments.value_key`) with the other inputs it read; a part that may
        change (a dict, say) means it is made every time."""
        files: list[str] = []
        try:
            key = tuple([value_key(part, self.paths, self.now, files) for part in parts])
        except (TypeError, KeyError):
            return make()
        found = self.fragments.get(key, self.now)
        if found is None:
            with self.reads.collect() as read:
                value = make()
            found = [value, read.difference(files)]
            if self.lasting:  # a single build uses each fragment of a listing once
                found = self.fragments.put(key, value, found[1], self.now)
        self.reads.update(found[1])
        self.reads.update(files)
        return found[0]


MARKDOWN: dict[str, Callable[[str, str, Callable[[str, str], str]], str]] = {
    "block": lambda text, base, _: render_markdown(text, base),
    "inline": lambda text, base, _: render_inline(text, base),
    "plain": lambda text, base, html_of: words_of(html_of("block", text)),
}


def in_use(markdown: Mapping[tuple[str, str, str], str], content: Content) -> dict:
    """The rendered Markdown of the milestones' summaries (the few other texts render
    again quickly): what is worth keeping for the next build or run."""
    keys = {("block", m.summary, content.site.base_url) for m in content.milestones}
    return {key: markdown[key] for key in keys if key in markdown}


def fingerprint(path: Path) -> str:
    """A short content hash, so a changed asset gets a new URL past every cache."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def atom_date(date: PartialDate) -> str:
    """RFC 3339, as Atom requires; a date known to the month or year starts on its first day."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


def tag_uri(title: str, path: str) -> str:
    """A stable Atom id for a site that has no absolute address yet."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, title + path)}"
