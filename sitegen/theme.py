"""Where templates, static files and fonts come from: the site's `templates/` folder over
the theme that ships inside the package, file by file (as MkDocs' `custom_dir` and Hugo's
theme lookup do). A site may override just `milestone.html` or just `static/style.css`; a
site with no `templates/` at all builds with the packaged theme. The packaged theme is the
repository's top-level `templates/`, which the wheel's build takes in as
`sitegen/default_theme/` (see pyproject.toml).

Within each folder:

- **Static files** are the files under `templates/static/`, published byte for byte under
  `/static/` (`templates/static/style.css` → `/static/style.css`).
- **Fonts** are the files under `templates/fonts/`, read by the build (to draw social
  cards) and not published.
- **Texts** are the files under `templates/i18n/`: the theme's message catalogue, one
  `<language>.yaml` a language (see `sitegen.i18n`), read by the build, not published.
- **Settings**: `templates/theme.yaml`, read by the build (see `sitegen.theme_settings`).
- **Templates** are all the other files under `templates/`, named by their path there
  (`milestone.html`, `partials/card.html`), and must be UTF-8 text.
- **Ignored**, wherever they are: hidden files and everything inside hidden folders (a name
  starting with `.`: `.DS_Store`, `.git/`, vim's `.base.html.swp`, Emacs' `.#base.html`
  lock links), editor backups and temporaries (`base.html~`, `#base.html#`, `*.swp`,
  `*.swo`, `*.swx`, vim's `4913`, JetBrains' `*___jb_tmp___` and `*___jb_old___`), and the
  system files `Thumbs.db` and `desktop.ini`.
- **Refused**, each with an error naming it: a link that leads out of the theme folder
  (it could publish `/proc/self/environ` or `~/.ssh/id_rsa`), a link to nothing or to
  itself, a named pipe, socket or device, a name that is not UTF-8, and a template that is
  not UTF-8 text. Links within the theme folder are followed.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.meta
from jinja2 import nodes

from .diagnostics import Diagnostic, did_you_mean

STATIC_DIR = "static"  # under templates/: the theme's stylesheets, scripts and images
FONTS_DIR = "fonts"  # under templates/: fonts the build draws with, not published
I18N_DIR = "i18n"  # under templates/: the theme's texts, one file a language
SETTINGS = "theme.yaml"  # in templates/: what the theme decides (see `sitegen.theme_settings`)
EDITOR_SUFFIXES = (".swp", ".swo", ".swx", "~", "___jb_tmp___", "___jb_old___")
IGNORED_NAMES = {"4913", "Thumbs.db", "desktop.ini"}  # vim's write test, and system files
NOT_UTF8_HINT = "save it as UTF-8; images and other files to publish go in templates/static/"


def is_ignored(name: str) -> bool:
    """Whether a file or folder of this name is an editor's or the system's, not the site's."""
    return (
        name.startswith(".")
        or name.endswith(EDITOR_SUFFIXES)
        or (name.startswith("#") and name.endswith("#"))
        or name in IGNORED_NAMES
    )


PACKAGE = Path(__file__).resolve().parent
SITE_LABEL = "templates"  # how messages name the site's own theme files: templates/base.html


@functools.cache
def packaged_theme() -> Path:
    """The theme inside the package: `sitegen/default_theme/` in an installed wheel; in a
    source checkout (an editable install), the repository's `templates/`, its one source."""
    installed = PACKAGE / "default_theme"
    return installed if installed.is_dir() else PACKAGE.parent / "templates"


def layers(templates_dir: Path) -> list[tuple[Path, str]]:
    """The folders a site's theme is read from, the site's own first, each with how
    messages name its files: `templates/...` for the site's, the full path for the packaged
    theme's. Just one when the site's templates are the packaged theme (this repository's
    own site)."""
    own = (templates_dir, SITE_LABEL)
    packaged = packaged_theme()
    if os.path.realpath(packaged) == os.path.realpath(templates_dir):
        return [own]
    return [own, (packaged, str(packaged))]


@dataclass(frozen=True)
class Theme:
    """A site's theme: each template, static file and font by its path in the theme
    (`base.html`, `static/style.css`, `fonts/Inter-Bold.otf`) → the file to read (links
    followed), from the site's `templates/` where it has one, else from the packaged
    theme; `named` has each file as its folder names it, and `problems` what is wrong."""

    templates: dict[str, Path] = field(default_factory=dict)
    static: dict[str, Path] = field(default_factory=dict)
    fonts: dict[str, Path] = field(default_factory=dict)
    texts: dict[str, Path] = field(default_factory=dict)  # `i18n/fr.yaml` → file
    named: dict[str, Path] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)


def scan(templates_dir: Path) -> Theme:
    """The theme of a site whose own templates are in `templates_dir` (which need not
    exist): the packaged theme's files, each replaced by the site's file of that name."""
    theme = Theme()
    for folder, label in reversed(layers(templates_dir)):
        if folder.is_dir():
            root = os.path.realpath(folder)
            walk(folder, "", root, {root}, theme, label)
    return theme


def text_files(templates_dir: Path) -> dict[str, Path]:
    """The theme's catalogue files (`i18n/fr.yaml` → file), by the rules above, the site's
    replacing the packaged theme's: a walk of the `i18n/` folders alone, cheap enough for
    every build."""
    theme = Theme()
    for templates, label in reversed(layers(templates_dir)):
        folder = templates / I18N_DIR
        root = os.path.realpath(templates)
        if folder.is_dir() and not link_problem(folder, root):
            walk(folder, f"{I18N_DIR}/", root, {root, os.path.realpath(folder)}, theme, label)
    return theme.texts


def settings_file(templates_dir: Path) -> tuple[Path, str] | None:
    """The theme's settings (`theme.yaml`): the site's, else the packaged theme's, with how
    messages name it; None when neither has one."""
    for folder, label in layers(templates_dir):
        if (folder / SETTINGS).is_file():
            return folder / SETTINGS, f"{label}/{SETTINGS}"
    return None


def template_names(templates_dir: Path) -> list[str]:
    return sorted(scan(templates_dir).templates)


def static_files(templates_dir: Path) -> list[tuple[str, Path]]:
    """(path under `static/`, file to read) of each static file, sorted."""
    prefix = f"{STATIC_DIR}/"
    return [
        (name.removeprefix(prefix), path)
        for name, path in sorted(scan(templates_dir).static.items())
    ]


def find(templates_dir: Path, name: str) -> Path | None:
    """The file to read for a static file or font (`static/style.css`,
    `fonts/Inter-Bold.otf`): the site's, else the packaged theme's; None if neither has it."""
    theme = scan(templates_dir)
    return theme.static.get(name) or theme.fonts.get(name)


def theme_problems(templates_dir: Path) -> list[Diagnostic]:
    return scan(templates_dir).problems


def shown_file(filename: str, templates_dir: Path) -> str | None:
    """How messages name a file of the theme (`templates/base.html` for the site's own, the
    full path for the packaged theme's); None for a file of neither."""
    absolute = os.path.abspath(filename)
    for folder, label in layers(templates_dir):
        inside = os.path.relpath(absolute, os.path.abspath(folder))
        if not inside.startswith(os.pardir):
            return f"{label}/{Path(inside).as_posix()}"
    return None


def walk(folder: Path, relative: str, root: str, seen: set[str], theme: Theme, label: str) -> None:
    """Sort what `folder` (at `relative` under the theme folder `root`, which messages
    call `label`) holds into `theme`, replacing what an earlier folder gave."""
    try:
        with os.scandir(folder) as listing:  # each entry's kind without a call of its own
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    real_folder = os.path.realpath(folder)  # once: only a link needs its own
    for entry in entries:
        name = entry.name
        if is_ignored(name):
            continue
        path, where, linked = folder / name, f"{relative}{name}", entry.is_symlink()
        problem = name_problem(name) or (link_problem(path, root) if linked else None)
        if problem:
            theme.problems.append(Diagnostic(f"{label}/{shown(where)}", 0, 0, *problem))
            continue
        real = os.path.realpath(path) if linked else os.path.join(real_folder, name)
        if entry.is_dir():
            if real not in seen:  # a link back up is walked once
                walk(path, f"{where}/", root, seen | {real}, theme, label)
        elif not entry.is_file():
            problem = ("not a regular file (a pipe, socket or device)", HINT_PLAIN)
            theme.problems.append(Diagnostic(f"{label}/{shown(where)}", 0, 0, *problem))
        elif where.startswith(f"{STATIC_DIR}/"):
            theme.static[where], theme.named[where] = Path(real), path
        elif where.startswith(f"{FONTS_DIR}/"):
            theme.fonts[where], theme.named[where] = Path(real), path  # see `cards`
        elif where.startswith(f"{I18N_DIR}/"):
            theme.texts[where], theme.named[where] = Path(real), path
        elif where == SETTINGS:
            continue  # read by `theme_settings` (see `settings_file`)
        else:
            add_template(where, path, theme, label)


HINT_PLAIN = "templates and static files are plain files: move it out of templates/"


def name_problem(name: str) -> tuple[str, str] | None:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return ("the file name is not valid UTF-8", "rename it")
    return None


def link_problem(path: Path, root: str) -> tuple[str, str] | None:
    """Why a link may not be followed: it leads nowhere, or out of the theme folder."""
    if not path.is_symlink():
        return None
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return ("a link that loops back on itself", "remove the link")
        target = os.readlink(path)
        return (f"a link to nothing ({target})", "remove the link, or restore what it points to")
    real = os.path.realpath(path)
    if real != root and not real.startswith(root + os.sep):
        hint = "copy what it points to into the theme folder, or remove the link"
        return (f"a link out of the theme folder (to {os.readlink(path)})", hint)
    return None


def add_template(name: str, path: Path, theme: Theme, label: str) -> None:
    """A template, if its bytes are UTF-8 text; else a problem at the first bad byte."""
    real = Path(os.path.realpath(path))
    try:
        data = read_plain(real)
        data.decode("utf-8")
    except OSError as error:
        message = f"cannot read it: {error.strerror}"
        theme.problems.append(Diagnostic(f"{label}/{name}", 0, 0, message))
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        message = f"not valid UTF-8 (byte 0x{data[error.start]:02x})"
        theme.problems.append(Diagnostic(f"{label}/{name}", line, col, message, NOT_UTF8_HINT))
    else:
        theme.templates[name], theme.named[name] = real, path


def read_plain(path: Path) -> bytes:
    """A plain file's bytes; opened without blocking, so a pipe swapped in cannot hang."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return f.read()


def shown(name: str) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 as `\\xe9`."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class ThemeLoader(jinja2.BaseLoader):
    """Jinja's loader for the theme's templates, the site's over the packaged theme's, and
    nothing else: an editor's swap file or a link out of the theme is no template,
    whatever its name."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self._theme: Theme | None = None  # scanned when first asked

    def theme(self) -> Theme:
        if self._theme is None:
            self._theme = scan(self.templates_dir)
        return self._theme

    def templates(self) -> dict[str, Path]:
        return self.theme().templates

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.templates().get(template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        try:
            source = read_plain(path).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raise jinja2.TemplateNotFound(template) from None  # changed since: found anew
        return source, str(self.theme().named[template]), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.templates())


LOADS = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


Parse = Callable[[str, str], nodes.Template]  # (source, name) → the template's syntax tree


def missing_templates(parse: Parse, templates_dir: Path) -> list[Diagnostic]:
    """Each `extends`, `include`, `import` and `from ... import` in the theme that names a
    template neither the site's `templates/` nor the packaged theme has, at its line.
    Names made at render time, and includes marked `ignore missing`, are left to Jinja."""
    theme = scan(templates_dir)
    problems = []
    for name, path in sorted(theme.templates.items()):
        try:
            tree = read_tree(parse, name, path)
        except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
            continue  # reported where the theme is scanned and compiled
        shown = shown_file(str(theme.named[name]), templates_dir) or name
        for node in tree.find_all(LOADS):
            wanted = loaded_names(node.template)
            if getattr(node, "ignore_missing", False) or not wanted:
                continue
            if not any(w in theme.templates for w in wanted):
                hint = did_you_mean(wanted[0], theme.templates) or (
                    "create it in templates/ or fix the name"
                )
                message = f"template '{wanted[0]}' not found"
                problems.append(Diagnostic(shown, node.lineno, 0, message, hint))
    return problems


def loaded_names(expression: nodes.Expr) -> list[str]:
    """The template names a load names when they are written out (`"base.html"`, or a
    list of them, the first found being used); [] for a name made at render time."""
    if isinstance(expression, nodes.Const) and isinstance(expression.value, str):
        return [expression.value]
    if isinstance(expression, (nodes.List, nodes.Tuple)):
        names = [loaded_names(item) for item in expression.items]
        return [n[0] for n in names] if all(names) else []
    return []


# The templates sitegen renders pages with (see `sitegen.routes`), whether or not this site
# has such pages; the templates they use are found in them.
PAGE_TEMPLATES = frozenset(
    {
        "timeline.html", "milestone.html", "framework.html", "source.html", "foundation.html",
        "tags.html", "tag.html", "page.html", "404.html", "feed.xml", "sitemap.xml",
        "robots.txt", "timeline.json",
    }
)  # fmt: skip


def read_tree(parse: Parse, name: str, path: Path) -> nodes.Template:
    """The syntax tree of a template file, its lines read as the loader reads them."""
    source = read_plain(path).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return parse(source, name)


def unused_templates(templates_dir: Path, parse: Parse | None = None) -> list[Diagnostic]:
    """A warning for each template sitegen renders no page with and no such template
    extends, imports or includes (`templates/about.html` makes no page: pages are Markdown
    in content/pages/). None when a template names another by a variable. `parse` is the
    site's environment's, which keeps the trees compiling made, when there is one."""
    parse = parse or jinja2.Environment().parse
    templates = scan(templates_dir).templates
    todo, seen = list(PAGE_TEMPLATES), set(PAGE_TEMPLATES)
    while todo:
        name = todo.pop()
        path = templates.get(name)
        try:
            tree = read_tree(parse, name, path) if path else None
        except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
            continue  # the build reports it
        for name in jinja2.meta.find_referenced_templates(tree) if tree else ():
            if name is None:
                return []  # chosen at render time: any template may be used
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return [
        Diagnostic(
            f"templates/{name}",
            0,
            0,
            "no page is rendered with this template, and no template uses it",
            f"a page of your own is Markdown: content/pages/{Path(name).stem}.md, say",
            "warning",
        )
        for name in sorted(set(templates) - seen)
    ]
