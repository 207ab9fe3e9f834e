"""Stage 4: render every route to bytes in memory, through Jinja (autoescaped, strict)."""

from __future__ import annotations

import html
import json
import os
import re
import traceback
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from .diagnostics import Diagnostic, SiteError
from .markup import render_inline, render_markdown
from .model import Content, Milestone, PartialDate
from .routes import STATIC_DIR, Route, fingerprint


@dataclass(frozen=True)
class Page:
    """A rendered output file."""

    output: str
    data: bytes


def make_environment(site_dir: Path, content: Content) -> jinja2.Environment:
    """The Jinja environment for one build: autoescaped, strict, with the site's helpers."""
    templates_dir = site_dir / "templates"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
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
            hashes[path] = fingerprint(templates_dir / path)
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
        timeline_json=lambda milestones: timeline_json(milestones, base),
    )
    env.filters["markdown"] = lambda text: Markup(render_markdown(text, base))
    env.filters["inline"] = lambda text: Markup(render_inline(text, base))
    env.filters["plain"] = plain_text
    return env


def check_templates(env: jinja2.Environment, site_dir: Path) -> list[Diagnostic]:
    """Compile every template up front, so all syntax errors are reported together."""
    problems = []
    for name in env.list_templates(filter_func=lambda n: not n.startswith(f"{STATIC_DIR}/")):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            problems.append(template_error(error, site_dir, f"templates/{name}"))
    return problems


def render_pages(routes: Iterable[Route], env: jinja2.Environment, site_dir: Path) -> list[Page]:
    """Every route rendered; raises SiteError with every template problem found."""
    problems = check_templates(env, site_dir)
    if problems:
        raise SiteError(problems)
    pages = []
    for route in routes:
        try:
            pages.append(Page(route.output, render_route(route, env)))
        except Exception as error:  # any template failure is the author's to fix, not a crash
            problems.append(template_error(error, site_dir, f"templates/{route.template}"))
    if problems:
        raise SiteError(problems)
    return pages


def render_route(route: Route, env: jinja2.Environment) -> bytes:
    """One route's bytes."""
    if route.static is not None:
        return route.static.read_bytes()
    if not route.template:
        return b""
    context = {**route.context, "page_url": route.url}
    return env.get_template(route.template).render(context).encode()


def plain_text(markdown: str) -> str:
    """Markdown as one line of plain text, for meta descriptions and JSON-LD."""
    html_text = re.sub(r"<[^>]*>", "", render_inline(" ".join(markdown.split())))
    return html.unescape(html_text)


def atom_date(date: PartialDate) -> str:
    """RFC 3339, as Atom requires; a date known to the month or year starts on its first day."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


def tag_uri(title: str, path: str) -> str:
    """A stable Atom id for a site that has no absolute address yet."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, title + path)}"


def timeline_json(milestones: Iterable[Milestone], base_url: str) -> str:
    """The milestones in TimelineJS3's JSON format; dates keep their precision.

    TimelineJS shows `headline` and `text` as HTML, so both are escaped or sanitised here.
    """
    events = []
    for m in milestones:
        start = {"year": m.date.year}
        start.update({"month": m.date.month} if m.date.month else {})
        start.update({"day": m.date.day} if m.date.day else {})
        events.append(
            {
                "unique_id": m.id,
                "group": m.framework,
                "start_date": start,
                "text": {
                    "headline": html.escape(m.title),
                    "text": render_markdown(m.summary, base_url),
                },
            }
        )
    return json.dumps({"events": events}, indent=2, ensure_ascii=False, sort_keys=True)


def template_error(error: Exception, site_dir: Path, fallback: str) -> Diagnostic:
    """Point at the template line that failed, found in Jinja's rewritten traceback."""
    templates = os.path.abspath(site_dir / "templates") + os.sep
    path, line = fallback, 0
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        path, line = _relative(error.filename, site_dir), error.lineno
    else:
        frames = [
            f
            for f in traceback.extract_tb(error.__traceback__)
            if os.path.abspath(f.filename).startswith(templates)
        ]
        if frames:
            path, line = _relative(frames[-1].filename, site_dir), frames[-1].lineno or 0
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
