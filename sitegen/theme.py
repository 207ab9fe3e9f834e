"""Where templates and static files come from: the site's `templates/` folder.

- **Static files** are the files under `templates/static/`, published byte for byte under
  `/static/` (`templates/static/style.css` → `/static/style.css`).
- **Fonts** are the files under `templates/fonts/`, read by the build (to draw social
  cards) and not published.
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
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .diagnostics import Diagnostic

STATIC_DIR = "static"  # under templates/: the theme's stylesheets, scripts and images
FONTS_DIR = "fonts"  # under templates/: fonts the build draws with, not published
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


@dataclass(frozen=True)
class Theme:
    """What `templates/` holds: each template and static file by its path there
    (`base.html`, `static/style.css`) → the file to read (links followed), and what is
    wrong with the rest."""

    templates: dict[str, Path] = field(default_factory=dict)
    static: dict[str, Path] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)


def scan(templates_dir: Path) -> Theme:
    """The theme in `templates_dir` (empty when there is none), by the rules above."""
    theme = Theme()
    if templates_dir.is_dir():
        root = os.path.realpath(templates_dir)
        walk(templates_dir, "", root, {root}, theme)
    return theme


def template_names(templates_dir: Path) -> list[str]:
    return sorted(scan(templates_dir).templates)


def static_files(templates_dir: Path) -> list[tuple[str, Path]]:
    """(path under `static/`, file to read) of each static file, sorted."""
    prefix = f"{STATIC_DIR}/"
    return [
        (name.removeprefix(prefix), path)
        for name, path in sorted(scan(templates_dir).static.items())
    ]


def theme_problems(templates_dir: Path) -> list[Diagnostic]:
    return scan(templates_dir).problems


def walk(folder: Path, relative: str, root: str, seen: set[str], theme: Theme) -> None:
    """Sort what `folder` (at `relative` under the theme) holds into `theme`."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    for name in names:
        if is_ignored(name):
            continue
        path, where = folder / name, f"{relative}{name}"
        problem = name_problem(name) or link_problem(path, root)
        if problem:
            theme.problems.append(Diagnostic(f"templates/{shown(where)}", 0, 0, *problem))
            continue
        real = os.path.realpath(path)
        try:
            kind = os.stat(path).st_mode
        except OSError:
            continue  # gone meanwhile
        if stat.S_ISDIR(kind):
            if real not in seen:  # a link back up is walked once
                walk(path, f"{where}/", root, seen | {real}, theme)
        elif not stat.S_ISREG(kind):
            problem = ("not a regular file (a pipe, socket or device)", HINT_PLAIN)
            theme.problems.append(Diagnostic(f"templates/{shown(where)}", 0, 0, *problem))
        elif where.startswith(f"{STATIC_DIR}/"):
            theme.static[where] = Path(real)
        elif where.startswith(f"{FONTS_DIR}/"):
            continue  # read by `cards`, which opens only the font it names
        else:
            add_template(where, Path(real), theme)


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


def add_template(name: str, path: Path, theme: Theme) -> None:
    """A template, if its bytes are UTF-8 text; else a problem at the first bad byte."""
    try:
        data = read_plain(path)
        data.decode("utf-8")
    except OSError as error:
        message = f"cannot read it: {error.strerror}"
        theme.problems.append(Diagnostic(f"templates/{name}", 0, 0, message))
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        message = f"not valid UTF-8 (byte 0x{data[error.start]:02x})"
        theme.problems.append(Diagnostic(f"templates/{name}", line, col, message, NOT_UTF8_HINT))
    else:
        theme.templates[name] = path


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
    """Jinja's loader for the theme's templates, and nothing else under `templates/`: an
    editor's swap file or a link out of the theme is no template, whatever its name."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self._templates: dict[str, Path] | None = None  # scanned when first asked

    def templates(self) -> dict[str, Path]:
        if self._templates is None:
            self._templates = scan(self.templates_dir).templates
        return self._templates

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
        return source, str(self.templates_dir / template), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.templates())
