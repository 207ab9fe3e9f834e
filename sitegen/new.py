"""`sitegen new`: a small starter site that builds and passes `sitegen check` at once.

The starter's files are in `sitegen/starter/`, with placeholders: `__TITLE__`, `__TRACK__`
and `__TRACKS__` (the site's words, also in the tracks' folder name) and `__SITEGEN__`, the
requirement that installs the sitegen making the site (in its README and its deploy
workflow). No `templates/`: the site uses the packaged theme until it overrides a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

from . import __version__
from .diagnostics import Diagnostic
from .vocabulary import Words

STARTER = Path(__file__).resolve().parent / "starter"
WORKFLOW = ".github/workflows/pages.yml"
YAML_SUFFIXES = (".yaml", ".yml")


class FolderInUse(Exception):
    """The folder for a new site holds something already: `new` writes nothing there."""


class Made(NamedTuple):
    """What `new` wrote (paths relative to the site), and what is worth saying about it."""

    files: list[str]
    requirement: str
    warnings: list[Diagnostic]


def folder_problem(folder: Path) -> str:
    """Why a new site cannot go in `folder` ('' when it can: missing, or an empty folder)."""
    if not os.path.lexists(folder):
        return ""
    if not folder.is_dir():
        return f"'{folder}' is a file, not a folder"
    if any(folder.iterdir()):
        return f"'{folder}' is not empty: a new site goes in a new or empty folder"
    return ""


def make_site(folder: Path, title: str, words: Words, requirement: str = "") -> Made:
    """Write the starter site into `folder` (made if missing). Raises FolderInUse, having
    written nothing, when the folder holds anything; never replaces a file."""
    problem = folder_problem(folder)
    if problem:
        raise FolderInUse(problem)
    warnings = []
    if not requirement:
        requirement, origin = installed_requirement()
        if origin:
            warnings.append(unreachable(origin, requirement, folder))
    files = starter_files(title, words, requirement)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as file:  # "x": never over another's file
            file.write(text)
    return Made(sorted(files), requirement, warnings)


def starter_files(title: str, words: Words, requirement: str) -> dict[str, str]:
    """The starter's files by path, placeholders filled in; in YAML files the title and
    requirement are quoted, so any text reads back as itself."""
    files = {}
    for path in sorted(STARTER.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(STARTER).as_posix().replace("__TRACKS__", words.tracks)
        quoted = name.endswith(YAML_SUFFIXES)
        text = path.read_text(encoding="utf-8")
        text = text.replace("__TRACKS__", words.tracks).replace("__TRACK__", words.track)
        for placeholder, value in (("__TITLE__", title), ("__SITEGEN__", requirement)):
            text = text.replace(placeholder, quote(value) if quoted else value)
        files[name] = text
    return files


def quote(text: str) -> str:
    """`text` as a double-quoted YAML string (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def installed_requirement() -> tuple[str, str]:
    """The requirement that installs this sitegen elsewhere (in CI, say), and, when it
    came from a place only this machine can reach (a local folder or file), that place.

    From a package index: `sitegen==VERSION`. From a git repository: `sitegen @
    git+URL@COMMIT`. From a URL: `sitegen @ URL`. (PEP 610's direct_url.json says which.)"""
    from importlib import metadata  # here: loading it costs every command a little

    try:
        distribution = metadata.distribution("sitegen")
        origin = json.loads(distribution.read_text("direct_url.json") or "null")
        version = distribution.version
    except (metadata.PackageNotFoundError, ValueError):
        return f"sitegen=={__version__}", "an unknown place"
    if not isinstance(origin, dict):
        return f"sitegen=={version}", ""  # from a package index
    url, vcs = str(origin.get("url", "")), origin.get("vcs_info")
    if isinstance(vcs, dict) and url.startswith(("https://", "http://", "ssh://")):
        return f"sitegen @ {vcs.get('vcs', 'git')}+{url}@{vcs.get('commit_id', '')}", ""
    if url.startswith(("https://", "http://")):
        return f"sitegen @ {url}", ""
    return f"sitegen=={version}", url or "an unknown place"


def unreachable(origin: str, requirement: str, folder: Path) -> Diagnostic:
    """The warning for a sitegen installed from a place the deploy workflow cannot reach."""
    message = (
        f"this sitegen was installed from {origin}, which GitHub's runners cannot reach: "
        f"the workflow installs '{requirement}' from the package index instead"
    )
    hint = "set SITEGEN there to a git URL or index that has this sitegen, or use --sitegen"
    line = workflow_line("SITEGEN:")
    where = (folder / WORKFLOW).as_posix()
    return Diagnostic(where, line, 3 if line else 0, message, hint, severity="warning")


def workflow_line(text: str) -> int:
    """The line of the starter's workflow that holds `text` (0 if none does)."""
    lines = (STARTER / WORKFLOW).read_text(encoding="utf-8").splitlines()
    return next((i for i, line in enumerate(lines, 1) if text in line), 0)
