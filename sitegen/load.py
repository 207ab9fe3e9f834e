"""Stage 1: read the fact files into YAML node trees that keep every line and column.

Fact files are YAML, and the pages under `content/pages/` Markdown with YAML front matter:
the front matter is composed like a fact file, at its own lines, and the body kept as text.

Nothing is constructed into Python objects here: composing (not loading) keeps the
positions for diagnostics and means no YAML tag can ever run code. The checks that
belong to YAML itself (syntax, tags, aliases, duplicate keys) are made here, in the words
of `sitegen.yaml_diagnostics`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .diagnostics import Diagnostic, did_you_mean
from .vocabulary import DEFAULT, SITE_FILES, Words, chosen
from .yaml_diagnostics import (
    at,
    character_error,
    check_nodes,
    describe,
    note_comments,
    syntax_error,
)

# libyaml's parser is several times faster; the pure-Python one gives the same nodes.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 1024 * 1024
SINGLE_FILES = ("site", "foundation")
PAGES = "pages"  # content/pages/**/*.md
YAML_SUFFIXES = (".yaml", ".yml")
FACT_SUFFIXES = (*YAML_SUFFIXES, ".md")  # what is read under content/ (archives aside)


@dataclass(frozen=True)
class Document:
    """One fact file: its kind (`site`, `milestones`, ...), its path and its root node; for
    a page, its front matter's node, and its body with the line the body starts on."""

    kind: str
    path: str
    node: yaml.MappingNode
    text: str = field(default="", repr=False)  # the file's text, to find links in it
    body: str = ""  # a page's Markdown, after its front matter
    body_line: int = 0


def find_fact_files(content: Path) -> list[str]:
    """YAML and Markdown files below `content/` as paths relative to it
    (`milestones/x.yaml`, `pages/about.md`), sorted, skipping hidden files and editor
    droppings.

    Linked folders are followed (a shared folder of sources is a fair thing to link in), each
    real folder once, so a link that loops back is read only the first time round. Folders
    named like YAML files are returned too: reading them reports the mistake.
    """
    found = []
    visited: set[str] = set()
    for root, dirs, files in os.walk(content, followlinks=True):
        visited.add(os.path.realpath(root))
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and os.path.realpath(os.path.join(root, d)) not in visited
        )
        folder = os.path.relpath(root, content).replace(os.sep, "/")
        prefix = "" if folder == "." else folder + "/"
        found += [
            prefix + name
            for name in (*files, *dirs)
            if name.endswith(FACT_SUFFIXES) and not name.startswith((".", "#"))
        ]
    return sorted(found, key=lambda path: path.split("/"))


def read_words(site_dir: Path) -> Words:
    """What `content/site.yaml` calls the site's tracks (see `sitegen.vocabulary`), read
    before the other files since it decides how they are read: the defaults where it names
    none, or names them wrongly (checking site.yaml then reports why)."""
    for name in SITE_FILES:
        try:
            data = read_fact_file(name, site_dir / "content" / name)
            text = data.decode("utf-8-sig") if isinstance(data, bytes) else ""
            node = yaml.compose(text, Loader=Loader) if text else None
        except (OSError, ValueError, yaml.YAMLError):
            continue
        given = {}
        if isinstance(node, yaml.MappingNode):
            given = {
                key.value: value.value
                for key, value in node.value
                if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode)
            }
        return chosen(given.get("track"), given.get("tracks")) or DEFAULT
    return DEFAULT


def document_kind(relative: str, words: Words = DEFAULT) -> str | None:
    """`site`, `foundation` or a folder's kind, from where the file sits under `content/`:
    the tracks' folder, named by the site's `words`, holds kind `frameworks`."""
    parts = relative.split("/")
    if relative.endswith(".md") or parts[0] == PAGES:  # Markdown in pages/, and only there
        return PAGES if parts[0] == PAGES and len(parts) > 1 and relative.endswith(".md") else None
    if len(parts) == 1 and parts[0].rsplit(".", 1)[0] in SINGLE_FILES:
        return parts[0].rsplit(".", 1)[0]
    if len(parts) == 2:
        return folder_kinds(words).get(parts[0])
    return None


def folder_kinds(words: Words) -> dict[str, str]:
    """Each content folder's name → the kind of file it holds."""
    return {"sources": "sources", words.tracks: "frameworks", "milestones": "milestones"}


def read_document(kind: str, path: str, file: Path) -> tuple[Document | None, list[Diagnostic]]:
    """Read, decode and compose one file (the theme's settings, say); a file that cannot be
    read is a diagnostic."""
    try:
        data = read_fact_file(path, file)
    except OSError as error:
        hint = "check that the file exists and is readable"
        return None, [Diagnostic(path, 0, 0, f"cannot read file: {error.strerror}", hint)]
    if isinstance(data, Diagnostic):
        return None, [data]
    return parse_document(kind, path, data)


def read_fact(
    path: str, name: str, file: Path, words: Words = DEFAULT
) -> tuple[str, bytes] | Diagnostic:
    """One fact file's kind and bytes (`path` is `content/` + `name`), or a diagnostic
    saying why it cannot be read: misplaced, unreadable, not a plain file, too big. The
    site's `words` name the tracks' folder."""
    kind = document_kind(name, words)
    if kind is None:
        return _misplaced(path, name, words)
    try:
        data = read_fact_file(path, file)
    except OSError as error:
        hint = "check that the file exists and is readable"
        return Diagnostic(path, 0, 0, f"cannot read file: {error.strerror}", hint)
    return data if isinstance(data, Diagnostic) else (kind, data)


def read_fact_file(path: str, file: str | Path) -> bytes | Diagnostic:
    """A regular file's bytes, up to the size limit, or a diagnostic saying why not."""
    # O_NONBLOCK: opening a named pipe must not wait for a writer that never comes.
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return Diagnostic(path, 0, 0, "a folder, not a file", "rename it without '.yaml'")
        if not stat.S_ISREG(info.st_mode):
            hint = "fact files are plain files: move it out of content/"
            return Diagnostic(path, 0, 0, "not a regular file (a pipe, socket or device)", hint)
        data = b""  # read to the limit, not to the size: the file may grow meanwhile
        while len(data) <= MAX_FILE_BYTES and (chunk := os.read(fd, MAX_FILE_BYTES + 1)):
            data += chunk
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        size = max(info.st_size, len(data))
        message = f"file is {size:,} bytes, over the {MAX_FILE_BYTES // 1024} KiB limit"
        return Diagnostic(path, 0, 0, message, "keep one milestone a file")
    return data


def parse_document(kind: str, path: str, data: bytes) -> tuple[Document | None, list[Diagnostic]]:
    """Decode and compose one file's bytes into a checked mapping node."""
    text = decode(path, data)
    if isinstance(text, Diagnostic):
        return None, [text]
    body, body_line = "", 0
    if kind == PAGES:
        split = front_matter(path, text)
        if isinstance(split, Diagnostic):
            return None, [split]
        text, body, body_line = split
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as error:
        return None, [syntax_error(path, error, text)]
    except yaml.reader.ReaderError as error:
        return None, [character_error(path, error, text)]
    except yaml.YAMLError as error:  # an error without a position (rare)
        return None, [Diagnostic(path, 0, 0, f"invalid YAML: {error}")]
    if node is None and kind == PAGES:
        hint = "write 'title: ...' between the '---' lines"
        return None, [Diagnostic(path, 1, 1, "the front matter is empty", hint)]
    if node is None:
        hint = "write a mapping of keys to values, or delete the file"
        return None, [Diagnostic(path, 1, 1, "file is empty", hint)]
    problems = check_nodes(path, node)
    if not isinstance(node, yaml.MappingNode):
        message = (
            f"expected a mapping of keys to values at the top of the file, got {describe(node)}"
        )
        problems.append(at(path, node, message, "write 'key: value' lines at the top level"))
    if problems:
        return None, problems
    note_comments(node, text)  # once no alias is left: each node is visited once
    return Document(kind, path, node, text, body, body_line), []


def front_matter(path: str, text: str) -> tuple[str, str, int] | Diagnostic:
    """A page's front matter (as YAML text whose lines are the file's: the opening '---'
    becomes an empty line), its Markdown body, and the line the body starts on."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        hint = "begin the file with a line '---', then 'title: ...', then a line '---'"
        return Diagnostic(path, 1, 1, "a page starts with its front matter", hint)
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return "\n" + "\n".join(lines[1:end]), "\n".join(lines[end + 1 :]), end + 2
    hint = "end it with a line '---' before the text of the page"
    return Diagnostic(path, 1, 1, "the front matter is not closed", hint)


def decode(path: str, data: bytes) -> str | Diagnostic:
    """UTF-8 text (a byte-order mark is fine), or a diagnostic saying why not."""
    if b"\0" in data:
        hint = "fact files are UTF-8 YAML: move this file out of content/"
        return Diagnostic(path, 0, 0, "not a text file (it contains NUL bytes)", hint)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        message = f"not valid UTF-8 (byte 0x{data[error.start]:02x})"
        return Diagnostic(path, line, col, message, "save the file as UTF-8")


def _misplaced(path: str, relative: str, words: Words) -> Diagnostic:
    kinds = [*folder_kinds(words), PAGES]
    *folders, name = relative.split("/")
    stem = name.rsplit(".", 1)[0]
    if name.endswith(".md"):
        where = "/".join([*folders[1:], name] if folders[:1] == [PAGES] else [*folders, name])
        message = "a Markdown file outside content/pages/, where pages are"
        return Diagnostic(path, 0, 0, message, f"move it to content/pages/{where}")
    if folders[:1] == [PAGES]:
        message = "a YAML file in content/pages/, where pages are Markdown"
        hint = f"write it as content/{'/'.join([*folders, stem])}.md, its keys as front matter"
        return Diagnostic(path, 0, 0, message, hint)
    known = ", ".join(
        f"content/{place}" for place in (*(f"{s}.yaml" for s in SINGLE_FILES), *kinds)
    )
    first = relative.split("/")[0].removesuffix(".yml").removesuffix(".yaml")
    hint = did_you_mean(first, [*SINGLE_FILES, *kinds]) or (
        f"move it into one of those places (a page is content/pages/{stem}.md)"
        if not folders
        else "move it into one of those places"
    )
    return Diagnostic(path, 0, 0, f"fact file in an unknown place (known: {known})", hint)


def missing_content(site_dir: Path) -> Diagnostic:
    """The error for a site folder without content/: usually sitegen run in the wrong place."""
    hint = f"run sitegen in a site folder, or name one with --site DIR (looked in '{site_dir}')"
    return Diagnostic("content", 0, 0, "no content/ folder here", hint)
