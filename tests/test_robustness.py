"""The bad-input catalogue: one broken site per case, each refused with a clear message.

Every case starts from a good build, then breaks the site and builds again: exit code 1,
the full message (file, line:col where there is one, and a fix), and the previous output/
byte for byte. Cases the lead's tests/test_errors.py already covers are not repeated here.
Most run `sitegen.cli.main` in-process; a representative few run the real command.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sitegen.cache import cache_file
from sitegen.cli import main
from sitegen.diagnostics import SiteError
from sitegen.write import refuse_shared_outputs

from .conftest import MINIMAL_SITE, REPO, SiteFactory, html, sitegen, tree_bytes
from .test_errors import CASES as ERROR_CASES

MILESTONE = "content/milestones/alpha-1.yaml"


def milestone(**changes: str) -> str:
    """The minimal site's milestone with some `key: value` lines replaced."""
    lines = textwrap.dedent(MINIMAL_SITE[MILESTONE]).splitlines(keepends=True)
    for key, value in changes.items():
        lines = [f"{key}: {value}\n" if line.startswith(f"{key}:") else line for line in lines]
    return "".join(lines)


def billion_laughs() -> str:
    """Nine anchors, each a list of nine aliases of the one before: 9**9 leaves if expanded."""
    lines = ["title: T\n", "description: D\n", 'l0: &l0 ["lol"]\n']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)]
    return "".join(lines)


@dataclass(frozen=True)
class Case:
    """Files to write (bytes as they are, None deletes), an optional change no file can
    express, extra build arguments, and the exact stderr; `{site}` is the site folder."""

    files: dict[str, str | bytes | None]
    expected: str
    setup: Callable[[Path], None] | None = None
    args: tuple[str, ...] = field(default=())


def mkfifo(path: str) -> Callable[[Path], None]:
    return lambda site: os.mkfifo(site / path)


def mkdir(path: str) -> Callable[[Path], None]:
    return lambda site: (site / path).mkdir()


def symlink(path: str, target: str) -> Callable[[Path], None]:
    return lambda site: (site / path).symlink_to(target)


def remove(folder: str) -> Callable[[Path], None]:
    return lambda site: shutil.rmtree(site / folder)


def file_instead(folder: str) -> Callable[[Path], None]:
    def make(site: Path) -> None:
        shutil.rmtree(site / folder)
        (site / folder).write_text("not a folder\n")

    return make


ONE_ERROR = "1 error; nothing written\n"
URL_HINT = "  hint: for example 'https://pytorch.org/'\n"
SITE = "title: T\ndescription: D\n"
FRAMEWORK = textwrap.dedent(MINIMAL_SITE["content/frameworks/alpha.yaml"])
NOT_UTF8_HINT = (
    "  hint: save it as UTF-8; images and other files to publish go in templates/static/\n"
)
OUT_OF_THEME_HINT = "  hint: copy what it points to into the theme folder, or remove the link\n"
SLUG_HINT = "  hint: for example 'pytorch-2-0'\n"
DATE_HINT = "  hint: write the date at the precision you know, e.g. 2016 or 2022-09\n"
CONTROL_HINT = (
    "  hint: delete it: text may hold tabs and line breaks but no other control characters\n"
)

CASES = {
    "alias bomb (billion laughs)": Case(
        {"content/site.yaml": billion_laughs()},
        "".join(
            f"content/site.yaml:{line}:5: error: anchors and aliases are not supported\n"
            "  hint: write the value out in full\n"
            for line in range(3, 12)
        )
        + "9 errors; nothing written\n",
    ),
    "bytes that are not UTF-8": Case(
        {MILESTONE: milestone(title="Caf\xe9 1.0").encode("latin-1")},
        f"{MILESTONE}:4:11: error: not valid UTF-8 (byte 0xe9)\n  hint: save the file as UTF-8\n"
        + ONE_ERROR,
    ),
    "a 20 MB file": Case(
        {"content/milestones/huge.yaml": b"# padding\n" * 2_097_152},
        "content/milestones/huge.yaml: error: file is 20,971,520 bytes, over the 1024 KiB limit\n"
        "  hint: keep one milestone a file\n" + ONE_ERROR,
    ),
    "a binary file with a .yaml name": Case(
        {"content/milestones/logo.yaml": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))},
        "content/milestones/logo.yaml: error: not a text file (it contains NUL bytes)\n"
        "  hint: fact files are UTF-8 YAML: move this file out of content/\n" + ONE_ERROR,
    ),
    "a control character pasted into a file": Case(
        {MILESTONE: milestone(title="Alpha\a 1.0")},
        f"{MILESTONE}:4:13: error: invalid YAML: character U+0007 is not allowed\n"
        + CONTROL_HINT
        + ONE_ERROR,
    ),
    "a control character written as an escape": Case(
        {MILESTONE: milestone(title='"Alpha\\0 1.0"')},
        f"{MILESTONE}:4:8: error: 'title' contains the control character U+0000\n"
        + CONTROL_HINT
        + ONE_ERROR,
    ),
    "date with a two-digit year": Case(
        {MILESTONE: milestone(date="23-03-15")},
        f"{MILESTONE}:2:7: error: 'date' must be YYYY, YYYY-MM or YYYY-MM-DD, got '23-03-15'\n"
        + DATE_HINT
        + ONE_ERROR,
    ),
    "YAML timestamp": Case(
        {MILESTONE: milestone(date="2023-03-15T10:00:00Z")},
        f"{MILESTONE}:2:7: error: 'date' must be YYYY, YYYY-MM or YYYY-MM-DD, "
        "got '2023-03-15T10:00:00Z'\n" + DATE_HINT + ONE_ERROR,
    ),
    "YAML timestamp with a space": Case(
        {"content/sources/paper.yaml": "id: paper\ntitle: P\npublished: 2023-03-15 10:00:00\n"},
        "content/sources/paper.yaml:3:12: error: 'published' must be YYYY, YYYY-MM or YYYY-MM-DD, "
        "got '2023-03-15 10:00:00'\n" + DATE_HINT + ONE_ERROR,
    ),
    "id that climbs out of the site": Case(
        {MILESTONE: milestone(id="../../etc/passwd")},
        f"{MILESTONE}:1:5: error: 'id' must be a slug of lowercase letters, digits and hyphens, "
        "got '../../etc/passwd'\n" + SLUG_HINT + ONE_ERROR,
    ),
    "id in upper case": Case(
        {MILESTONE: milestone(id="ALPHA-1")},
        f"{MILESTONE}:1:5: error: 'id' must be a slug of lowercase letters, digits and hyphens, "
        "got 'ALPHA-1'\n" + SLUG_HINT + ONE_ERROR,
    ),
    "reference with a path in it": Case(
        {MILESTONE: milestone(framework="../alpha")},
        f"{MILESTONE}:3:12: error: 'framework' must be a slug of lowercase letters, digits and "
        "hyphens, got '../alpha'\n" + SLUG_HINT + ONE_ERROR,
    ),
    "two files writing one page (.yaml and .yml)": Case(
        {"content/milestones/alpha-1.yml": milestone()},
        "content/milestones/alpha-1.yml:1:5: error: duplicate id 'alpha-1' (also in "
        f"{MILESTONE})\n  hint: give each file its own id\n" + ONE_ERROR,
    ),
    "unclosed bracket": Case(
        {MILESTONE: milestone(title="[Alpha, 1.0")},
        f"{MILESTONE}:5:8: error: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence)\n  hint: close the '[' with ']'\n" + ONE_ERROR,
    ),
    "unclosed brace": Case(
        {MILESTONE: milestone(title="{name: Alpha")},
        MILESTONE + ":5:8: error: invalid YAML: did not find expected ',' or '}}' "
        "(while parsing a flow mapping)\n  hint: close the '{{' with '}}'\n" + ONE_ERROR,
    ),
    "a scalar instead of a mapping": Case(
        {"content/sources/paper.yaml": "just a sentence\n"},
        "content/sources/paper.yaml:1:1: error: expected a mapping of keys to values at the top "
        "of the file, got 'just a sentence'\n  hint: write 'key: value' lines at the top level\n"
        + ONE_ERROR,
    ),
    "a key that is a list": Case(
        {"content/site.yaml": "title: T\ndescription: D\n[a, b]: c\n"},
        "content/site.yaml:3:1: error: a key must be a plain word\n  hint: write 'key: value'\n"
        + ONE_ERROR,
    ),
    "merge key": Case(
        {"content/site.yaml": "title: T\ndescription: D\n<<: {author: A}\n"},
        "content/site.yaml:3:1: error: unknown key '<<'\n  hint: known keys: author, base_url, "
        "description, eras, extra, intro, language, nav, site_url, strings, tags, title, track, "
        "tracks\n" + ONE_ERROR,
    ),
    "an !include tag": Case(
        {"content/site.yaml": "title: T\ndescription: !include description.md\n"},
        "content/site.yaml:2:14: error: YAML tag '!include' is not allowed\n"
        "  hint: remove the '!' tag; fact files hold plain values\n" + ONE_ERROR,
    ),
    "lists nested 10,000 deep": Case(
        {"content/site.yaml": "title: T\ndescription: " + "[" * 10_000 + "]" * 10_000 + "\n"},
        "content/site.yaml:2:1013: error: invalid YAML: exceeded maximum nesting depth "
        "(while increasing flow level)\n  hint: nest lists and mappings less deeply\n" + ONE_ERROR,
    ),
    "a terminal escape sequence in a key": Case(
        {"content/site.yaml": 'title: T\ndescription: D\n"\\e]0;pwned\\a\\e[2J": x\n'},
        "content/site.yaml:3:1: error: unknown key '\\x1b]0;pwned\\x07\\x1b[2J'\n  hint: known keys: "
        "author, base_url, description, eras, extra, intro, language, nav, site_url, strings, "
        "tags, title, track, tracks\n" + ONE_ERROR,
    ),
    "a terminal escape sequence in a file name": Case(
        {"content/milestones/alpha-\x1b[2J.yaml": "id: [alpha\n"},
        "content/milestones/alpha-\\x1b[2J.yaml:2:1: error: invalid YAML: did not find expected "
        "',' or ']' (while parsing a flow sequence)\n  hint: close the '[' with ']'\n" + ONE_ERROR,
    ),
    "a folder named like a fact file": Case(
        {},
        "content/milestones/alpha-2.yaml: error: a folder, not a file\n"
        "  hint: rename it without '.yaml'\n" + ONE_ERROR,
        setup=mkdir("content/milestones/alpha-2.yaml"),
    ),
    "a named pipe named like a fact file": Case(
        {},
        "content/milestones/alpha-2.yaml: error: not a regular file (a pipe, socket or device)\n"
        "  hint: fact files are plain files: move it out of content/\n" + ONE_ERROR,
        setup=mkfifo("content/milestones/alpha-2.yaml"),
    ),
    "a link to a file that is gone": Case(
        {},
        "content/milestones/alpha-2.yaml: error: cannot read file: No such file or directory\n"
        "  hint: check that the file exists and is readable\n" + ONE_ERROR,
        setup=symlink("content/milestones/alpha-2.yaml", "alpha-2-draft.yaml"),
    ),
    "a symlink loop": Case(
        {},
        "content/milestones/alpha-2.yaml: error: cannot read file: Too many levels of symbolic "
        "links\n  hint: check that the file exists and is readable\n" + ONE_ERROR,
        setup=symlink("content/milestones/alpha-2.yaml", "alpha-2.yaml"),
    ),
    "no content/ folder": Case(
        {},
        "content: error: no content/ folder here\n  hint: run sitegen in a site folder, or name "
        "one with --site DIR (looked in '{site}')\n" + ONE_ERROR,
        setup=remove("content"),
    ),
    "a templates file, not a folder": Case(
        {},
        "templates: error: not a folder\n"
        "  hint: make it a folder of templates that replace the default theme's, or remove it\n"
        + ONE_ERROR,
        setup=file_instead("templates"),
    ),
    "an output folder that is a file": Case(
        {"notes.txt": "not a folder"},
        "{site}/notes.txt: error: the output folder is a file\n"
        "  hint: remove the file or choose another --out\n" + ONE_ERROR,
        args=("--out", "{site}/notes.txt"),
    ),
    "an output folder inside a file": Case(
        {"notes.txt": "not a folder"},
        "{site}/notes.txt/out: error: cannot write the site: a file is in the way at "
        "{site}/notes.txt\n  hint: remove that file or choose another --out\n" + ONE_ERROR,
        args=("--out", "{site}/notes.txt/out"),
    ),
    "the site folder as output folder": Case(
        {},
        "{site}: error: the output folder would replace the site\n"
        "  hint: choose an output folder of its own, such as output/\n" + ONE_ERROR,
        args=("--out", "{site}"),
    ),
    "an image among the templates": Case(
        {"templates/logo.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"},
        "templates/logo.png:1:1: error: not valid UTF-8 (byte 0x89)\n" + NOT_UTF8_HINT + ONE_ERROR,
    ),
    "a template saved in Latin-1": Case(
        {"templates/404.html": "{% extends 'base.html' %}\n{# Caf\xe9 #}\n".encode("latin-1")},
        "templates/404.html:2:7: error: not valid UTF-8 (byte 0xe9)\n" + NOT_UTF8_HINT + ONE_ERROR,
    ),
    "a template file name that is not UTF-8": Case(
        {},
        "templates/caf\\xe9.html: error: the file name is not valid UTF-8\n  hint: rename it\n"
        + ONE_ERROR,
        setup=lambda site: Path(
            os.fsdecode(bytes(site / "templates") + b"/caf\xe9.html")
        ).write_text("x"),
    ),
    "a link to nothing among the templates": Case(
        {},
        "templates/extra.html: error: a link to nothing (draft.html)\n"
        "  hint: remove the link, or restore what it points to\n" + ONE_ERROR,
        setup=symlink("templates/extra.html", "draft.html"),
    ),
    "a link loop among the templates": Case(
        {},
        "templates/extra.html: error: a link that loops back on itself\n  hint: remove the link\n"
        + ONE_ERROR,
        setup=symlink("templates/extra.html", "extra.html"),
    ),
    "a named pipe among the templates": Case(
        {},
        "templates/extra.html: error: not a regular file (a pipe, socket or device)\n"
        "  hint: templates and static files are plain files: move it out of templates/\n"
        + ONE_ERROR,
        setup=mkfifo("templates/extra.html"),
    ),
    "a static file linked to the build's environment": Case(
        {},
        "templates/static/env.txt: error: a link out of the theme folder (to /proc/self/environ)\n"
        + OUT_OF_THEME_HINT
        + ONE_ERROR,
        setup=symlink("templates/static/env.txt", "/proc/self/environ"),
    ),
    "a static file linked to a private key": Case(
        {"../home/.ssh/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n"},
        "templates/static/id_rsa: error: a link out of the theme folder (to ../../../home/.ssh/id_rsa)\n"
        + OUT_OF_THEME_HINT
        + ONE_ERROR,
        setup=symlink("templates/static/id_rsa", "../../../home/.ssh/id_rsa"),
    ),
    "a static folder linked out of the theme": Case(
        {"../home/.ssh/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n"},
        "templates/static/keys: error: a link out of the theme folder (to ../../../home/.ssh)\n"
        + OUT_OF_THEME_HINT
        + ONE_ERROR,
        setup=symlink("templates/static/keys", "../../../home/.ssh"),
    ),
    "a source URL that no browser can open": Case(
        {"content/sources/paper.yaml": 'id: paper\ntitle: P\nurl: "https://[oops"\n'},
        "content/sources/paper.yaml:3:6: error: 'url' is not a URL a browser can open: its host "
        "is not valid\n" + URL_HINT + ONE_ERROR,
    ),
    "a citation URL that no browser can open": Case(
        {
            MILESTONE: milestone().split("sources:")[0]
            + 'sources:\n  - url: "https://[oops"\n    title: Oops\n'
        },
        f"{MILESTONE}:7:10: error: 'url' is not a URL a browser can open: its host is not "
        "valid\n" + URL_HINT + ONE_ERROR,
    ),
    "a framework website with a port out of range": Case(
        {"content/frameworks/alpha.yaml": FRAMEWORK + "website: https://alpha.example:99999/\n"},
        "content/frameworks/alpha.yaml:9:10: error: 'website' is not a URL a browser can open: "
        "its port is not a number from 0 to 65535\n" + URL_HINT + ONE_ERROR,
    ),
    "a site_url that no browser can open": Case(
        {"content/site.yaml": SITE + 'site_url: "https://[::1"\n'},
        "content/site.yaml:3:11: error: 'site_url' is not a URL a browser can open: its host is "
        "not valid\n" + URL_HINT + ONE_ERROR,
    ),
    "a site_url with a password": Case(
        {"content/site.yaml": SITE + "site_url: https://user:hunter2@example.org\n"},
        "content/site.yaml:3:11: error: 'site_url' is not a URL a browser can open: it holds a "
        "user name or password, which every page would show\n" + URL_HINT + ONE_ERROR,
    ),
    "a site_url without a host": Case(
        {"content/site.yaml": SITE + "site_url: https://:8080/\n"},
        "content/site.yaml:3:11: error: 'site_url' is not a URL a browser can open: it has no "
        "host\n" + URL_HINT + ONE_ERROR,
    ),
    "a base_url that leads to another host": Case(
        {"content/site.yaml": SITE + "base_url: /\\evil.example/\n"},
        "content/site.yaml:3:11: error: 'base_url' must be a URL path such as '/' or '/my-repo/', "
        "got '/\\evil.example/'\n  hint: start and end it with '/', with letters, digits, '-', "
        "'.', '_' or '~' between\n" + ONE_ERROR,
    ),
    "an era that ends before it starts": Case(
        {"content/site.yaml": SITE + "eras:\n  - {title: Early, start: 2020-05, end: 2020-04}\n"},
        "content/site.yaml:4:41: error: 'end' (2020-04) comes before 'start' (2020-05)\n"
        "  hint: swap them, or correct one of the dates\n" + ONE_ERROR,
    ),
    "a site.yml beside site.yaml": Case(
        {"content/site.yml": SITE},
        "content/site.yml: error: a second site file beside content/site.yaml, which is the one "
        "read\n  hint: merge them into content/site.yaml and delete this one\n" + ONE_ERROR,
    ),
    "an output folder inside content/": Case(
        {},
        "{site}/content/out: error: the output folder would sit inside content/\n"
        "  hint: choose an output folder of its own, such as output/\n" + ONE_ERROR,
        args=("--out", "{site}/content/out"),
    ),
}

# The same cases through the real command line, in a fresh process each.
REAL_CLI = [
    "alias bomb (billion laughs)",
    "bytes that are not UTF-8",
    "a 20 MB file",
    "a named pipe named like a fact file",
    "no content/ folder",
    "an output folder that is a file",
]


def write_files(site: Path, files: dict[str, str | bytes | None]) -> None:
    for name, data in files.items():
        path = site / name
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def built_then_broken(site_factory: SiteFactory, case: Case) -> tuple[Path, dict[str, bytes]]:
    """A site with a good build in output/, then broken as the case says."""
    site = site_factory()
    assert main(["build", "--site", str(site)]) == 0
    before = tree_bytes(site / "output")
    write_files(site, case.files)
    if case.setup:
        case.setup(site)
    return site, before


def staging_leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if ".tmp-" in p.name)


@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_bad_input_is_refused_and_output_kept(
    name: str, site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    site, before = built_then_broken(site_factory, case)
    capsys.readouterr()
    args = [arg.format(site=site) for arg in case.args]
    code = main(["build", "--site", str(site), *args])
    err = capsys.readouterr().err
    assert (code, err) == (1, case.expected.format(site=site))
    assert tree_bytes(site / "output") == before
    assert staging_leftovers(site) == []


@pytest.mark.parametrize("name", REAL_CLI, ids=REAL_CLI)
def test_bad_input_through_the_real_command(name: str, site_factory: SiteFactory) -> None:
    case = CASES[name]
    site, before = built_then_broken(site_factory, case)
    result = sitegen("build", "--site", site, *(arg.format(site=site) for arg in case.args))
    assert (result.returncode, result.stderr) == (1, case.expected.format(site=site))
    assert result.stdout == ""
    assert tree_bytes(site / "output") == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode says")
def test_unreadable_file(site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]) -> None:
    site, before = built_then_broken(site_factory, Case({}, ""))
    (site / MILESTONE).chmod(0)
    capsys.readouterr()
    assert main(["build", "--site", str(site)]) == 1
    assert capsys.readouterr().err == (
        f"{MILESTONE}: error: cannot read file: Permission denied\n"
        "  hint: check that the file exists and is readable\n" + ONE_ERROR
    )
    assert tree_bytes(site / "output") == before


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB file system (the minimal site takes about 300 KiB, most of it the search
    index's script and code): a build that does not fit meets a real 'disk full'."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_disk_full_mid_write_keeps_the_old_site(
    site_factory: SiteFactory, small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_factory()
    out = small_disk / "output"
    assert main(["build", "--site", str(site), "--out", str(out)]) == 0
    before = tree_bytes(out)
    filler = "A long summary that no longer fits on the disk. " * 8000  # ~400 KB a page
    write_files(site, {MILESTONE: milestone(summary=filler)})
    capsys.readouterr()
    assert main(["build", "--site", str(site), "--out", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"{out}: error: cannot write the site: No space left on device\n"
        "  hint: free some space, or choose with --out a folder you can write to\n" + ONE_ERROR
    )
    assert tree_bytes(out) == before
    assert [p.name for p in small_disk.iterdir()] == ["output"]


def test_two_pages_for_one_file_are_refused() -> None:
    with pytest.raises(SiteError) as error:
        refuse_shared_outputs(["index.html", "a/index.html", "index.html"])
    assert str(error.value) == (
        "index.html: error: two pages would be written to index.html\n"
        "  hint: give each page its own id\n" + ONE_ERROR.rstrip("\n")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--out"], "sitegen build: error: argument --out: expected one argument\n"),
        (["build", "--outt", "x"], "sitegen: error: unrecognized arguments: --outt x\n"),
        (
            ["build", "--site-url", "javascript:alert(1)"],
            "sitegen build: error: argument --site-url: 'javascript:alert(1)' is not an absolute URL such as https://example.org\n",
        ),
        (
            ["build", "--site-url", "https://[x"],
            "sitegen build: error: argument --site-url: 'https://[x' is not a URL a browser can open: its host is not valid\n",
        ),
        (
            ["check", "--site-url", "https://user:secret@example.org"],
            "sitegen check: error: argument --site-url: 'https://user:secret@example.org' is not a URL a browser can open: it holds a user name or password, which every page would show\n",
        ),
        (
            ["build", "--site-url", "https://example.org:65536"],
            "sitegen build: error: argument --site-url: 'https://example.org:65536' is not a URL a browser can open: its port is not a number from 0 to 65535\n",
        ),
        (
            ["build", "--base-url", "/\\evil.example/"],
            "sitegen build: error: argument --base-url: '/\\evil.example/' is not a URL path such as / or /my-repo/\n",
        ),
        (
            ["build", "--base-url", "/../"],
            "sitegen build: error: argument --base-url: '/../' is not a URL path such as / or /my-repo/\n",
        ),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith("usage: sitegen") and message in err


# Accepted, not refused: each builds and shows what the author meant.


def test_byte_order_mark_and_crlf_line_ends_are_accepted(site_factory: SiteFactory) -> None:
    site = site_factory()
    text = milestone(title="Alpha Ünë")
    write_files(site, {MILESTONE: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()})
    assert main(["build", "--site", str(site)]) == 0
    page = html(site / "output/milestones/alpha-1/index.html")
    assert page.css_first("h1").text() == "Alpha Ünë"


def test_yaml_dates_quoted_or_not_build_the_same_site(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = site_factory()
    main(["build", "--site", str(site), "--out", str(tmp_path / "plain")])
    write_files(site, {MILESTONE: milestone(date='"2020-05-04"')})
    main(["build", "--site", str(site), "--out", str(tmp_path / "quoted")])
    assert tree_bytes(tmp_path / "plain") == tree_bytes(tmp_path / "quoted")


def test_linked_folders_are_followed_and_a_loop_is_read_once(site_factory: SiteFactory) -> None:
    site = site_factory(templates=False)  # `up` leads to the site: no theme YAML in it
    shutil.move(site / "content/milestones", site / "shared-milestones")
    (site / "content/milestones").symlink_to(site / "shared-milestones")
    (site / "shared-milestones/again").symlink_to(".")  # a loop back into itself
    (site / "shared-milestones/up").symlink_to("..")
    assert main(["build", "--site", str(site)]) == 0
    assert (site / "output/milestones/alpha-1/index.html").is_file()


def test_a_linked_output_folder_is_refilled_and_stays_a_link(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    """Inside the site, a link is followed; one that leads out of it needs --force (see
    the data-loss catalogue below)."""
    site = site_factory()
    (site / "public").mkdir()
    (site / "output").symlink_to("public")
    assert main(["build", "--site", str(site)]) == 0
    assert main(["build", "--site", str(site)]) == 0
    assert (site / "output").is_symlink()
    assert (site / "public/milestones/alpha-1/index.html").is_file()


@pytest.mark.parametrize("name", ERROR_CASES, ids=list(ERROR_CASES))
def test_every_error_of_test_errors_keeps_the_previous_output(
    name: str, site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """tests/test_errors.py checks those messages on sites never built; here each breaks a
    site that was built, and the output must survive it byte for byte."""
    files, expected = ERROR_CASES[name]
    site = site_factory()
    assert main(["build", "--site", str(site)]) == 0
    before = tree_bytes(site / "output")
    site_factory(files)
    capsys.readouterr()
    assert (main(["build", "--site", str(site)]), capsys.readouterr().err) == (1, expected)
    assert tree_bytes(site / "output") == before
    assert staging_leftovers(site) == []


# Data loss: each case runs the real command, in a fresh process, against real folders and
# links around a built site, and nothing the user has may change: not one byte.

FOREIGN_HINT = (
    "  hint: move them into templates/static/ to publish them with the site, choose an empty "
    "folder with --out, or build with --force to replace them\n"
)
OWN_FOLDER_HINT = "  hint: choose an output folder of its own, such as output/\n"
BUILD_USAGE = (
    "usage: sitegen build [-h] [--site DIR] [--out DIR] [--force] [--base-url PATH]\n"
    "                     [--site-url URL] [-q | -v] [--drafts] [--jobs N]\n"
    "                     [--no-cache]\n"
)
SERVE_USAGE = (
    "usage: sitegen serve [-h] [--site DIR] [--base-url PATH] [--host HOST]\n"
    "                     [--port N] [--poll] [--open] [-q | -v]\n"
)
NO_SITE_URL = (
    "content/site.yaml: warning: no site_url, so sitemap.xml and feed.xml use relative URLs, "
    "robots.txt has no Sitemap line and pages have no canonical link\n"
    "  hint: add site_url: https://USER.github.io/REPO here, or build with --site-url URL\n"
)


@dataclass(frozen=True)
class Guard:
    """A build that must not lose a file: `setup` makes folders, files and links in the
    test's folder (`{root}` below, the folder the command runs in), which holds the site,
    built once, at `site/`; then the command (`sitegen` and `args`) must exit with `code`
    and say `expected` on stderr, word for word."""

    setup: Callable[[Path], None]
    args: tuple[str, ...]
    code: int
    expected: str


def files(*paths: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        for path in paths:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(f"the user's own {path}\n")

    return make


def link(path: str, target: str, replace: bool = False) -> Callable[[Path], None]:
    """A symbolic link at `path` to `target`, replacing a folder there if `replace`."""

    def make(root: Path) -> None:
        if replace:
            shutil.rmtree(root / path)
        (root / path).symlink_to(target)

    return make


def moved_out(name: str, to: str) -> Callable[[Path], None]:
    """The site's `name` folder moved to `to` (beside the site), and linked from its place."""

    def make(root: Path) -> None:
        (root / to).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(root / "site" / name, root / to)
        (root / "site" / name).symlink_to(os.path.relpath(root / to, root / "site"))

    return make


def both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        for setup in setups:
            setup(root)

    return make


GUARDS = {
    "a folder of the user's as --out": Guard(
        files("docs/thesis.txt"),
        ("build", "--site", "site", "--out", "docs"),
        1,
        "docs: error: the output folder holds files sitegen did not write: thesis.txt\n"
        + FOREIGN_HINT
        + ONE_ERROR,
    ),
    "a folder with many files as --out": Guard(
        files("docs/a.txt", "docs/b.txt", "docs/notes/c.txt", "docs/d.txt", "docs/e.txt"),
        ("build", "--site", "site", "--out", "docs"),
        1,
        "docs: error: the output folder holds files sitegen did not write: a.txt, b.txt, d.txt "
        "and 2 more\n" + FOREIGN_HINT + ONE_ERROR,
    ),
    "an empty --out": Guard(
        files("site/notes.txt"),
        ("build", "--site", "site", "--out", ""),
        2,
        BUILD_USAGE
        + "sitegen build: error: argument --out: the output folder needs a name, such as output\n",
    ),
    "the repository as --out": Guard(
        files("site/.git/HEAD", "site/.git/config", "site/.git/objects/ab/cdef"),
        ("build", "--site", "site", "--out", "site/.git"),
        1,
        "site/.git: error: the output folder holds files sitegen did not write: HEAD, config, "
        "objects/\n" + FOREIGN_HINT + ONE_ERROR,
    ),
    "a CNAME and a verification file added to output/ by hand": Guard(
        files("site/output/CNAME", "site/output/google1234567890abcdef.html"),
        ("build", "--site", "site"),
        1,
        "site/output: error: the output folder holds files sitegen did not write: CNAME, "
        "google1234567890abcdef.html\n" + FOREIGN_HINT + ONE_ERROR,
    ),
    "--out the parent of a linked content/": Guard(
        moved_out("content", "shared/content"),
        ("build", "--site", "site", "--out", "shared"),
        1,
        "shared: error: the output folder would replace content/ (linked to {root}/shared/content)\n"
        + OWN_FOLDER_HINT
        + ONE_ERROR,
    ),
    "--out where a linked content/ leads": Guard(
        moved_out("content", "shared/content"),
        ("build", "--site", "site", "--out", "shared/content"),
        1,
        "shared/content: error: the output folder would replace content/ (linked to "
        "{root}/shared/content)\n" + OWN_FOLDER_HINT + ONE_ERROR,
    ),
    "--out inside where a linked templates/ leads": Guard(
        moved_out("templates", "theme"),
        ("build", "--site", "site", "--out", "theme/public"),
        1,
        "theme/public: error: the output folder would sit inside templates/ (linked to "
        "{root}/theme)\n" + OWN_FOLDER_HINT + ONE_ERROR,
    ),
    "--out the folder above the site": Guard(
        files("notes.txt"),
        ("build", "--site", "site", "--out", "."),
        1,
        ".: error: the output folder would replace the site\n" + OWN_FOLDER_HINT + ONE_ERROR,
    ),
    "a cloned repository's output/, a link out of the site": Guard(
        both(files("somewhere/precious.txt"), link("site/output", "../somewhere", replace=True)),
        ("build", "--site", "site"),
        1,
        "site/output: error: the output folder is linked to {root}/somewhere, outside the site\n"
        "  hint: replace the link with a folder, or build with --force to replace what is there\n"
        + ONE_ERROR,
    ),
    "an output/ that is a link to itself": Guard(
        link("site/output", "output", replace=True),
        ("build", "--site", "site"),
        1,
        "site/output: error: the output folder is a link that loops back on itself\n"
        "  hint: remove the link, or choose another --out\n" + ONE_ERROR,
    ),
    "an --out that is a link loop": Guard(
        both(link("loop-a", "loop-b"), link("loop-b", "loop-a")),
        ("build", "--site", "site", "--out", "loop-a"),
        1,
        "loop-a: error: the output folder is a link that loops back on itself\n"
        "  hint: remove the link, or choose another --out\n" + ONE_ERROR,
    ),
    "a --site that is a link loop": Guard(
        link("loop", "loop"),
        ("build", "--site", "loop"),
        2,
        BUILD_USAGE
        + "sitegen build: error: argument --site: 'loop' is a link that loops back on itself\n",
    ),
    "a --site that is not there": Guard(
        files("notes.txt"),
        ("build", "--site", "nowhere"),
        2,
        BUILD_USAGE + "sitegen build: error: argument --site: no folder 'nowhere'\n",
    ),
    "serve with a --site that is not there": Guard(
        files("notes.txt"),
        ("serve", "--site", "nowhere", "--port", "0"),
        2,
        SERVE_USAGE + "sitegen serve: error: argument --site: no folder 'nowhere'\n",
    ),
}


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file (its bytes) and link (where it points) under root, links not followed,
    but for the cache sitegen keeps for itself."""
    found: dict[str, bytes | str] = {}
    for folder, dirs, names in os.walk(root):
        for name in dirs + names:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[relative] = f"-> {os.readlink(path)}"
            elif path.is_file() and ".sitegen-cache" not in relative:
                found[relative] = path.read_bytes()
    return found


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command, in a fresh process (with `env` added to the environment)."""
    command = [sys.executable, "-m", "sitegen", *map(str, args)]
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def built(site_factory: SiteFactory, tmp_path: Path) -> Path:
    """The test's folder, holding a site (at site/) built once."""
    site = site_factory()
    assert run("build", "--site", site, cwd=tmp_path).returncode == 0
    return tmp_path


@pytest.mark.parametrize("name", GUARDS, ids=list(GUARDS))
def test_nothing_of_the_users_is_ever_lost(name: str, built: Path) -> None:
    guard = GUARDS[name]
    guard.setup(built)
    before = snapshot(built)
    result = run(*guard.args, cwd=built)
    assert (result.returncode, result.stderr) == (guard.code, guard.expected.format(root=built))
    assert snapshot(built) == before
    assert staging_leftovers(built) == staging_leftovers(built / "site") == []


def test_force_replaces_what_sitegen_did_not_write_knowingly(built: Path) -> None:
    site = built / "site"
    files("site/output/CNAME", "somewhere/old.txt")(built)
    clean = snapshot(site / "output")
    del clean["CNAME"]
    result = run("build", "--site", site, "--force", cwd=built)
    assert (result.returncode, result.stderr) == (0, NO_SITE_URL)
    assert snapshot(site / "output") == clean
    link("site/output", "../somewhere", replace=True)(built)
    assert run("build", "--site", site, "--force", cwd=built).returncode == 0
    assert snapshot(built / "somewhere") == clean
    assert (site / "output").is_symlink()
    assert run("build", "--site", site, cwd=built).returncode == 1, "still out of the site"


@pytest.mark.parametrize("state", ["missing", "empty", "built by sitegen"])
def test_an_empty_missing_or_sitegen_folder_is_fine(built: Path, state: str) -> None:
    out = built / "public"
    if state == "empty":
        out.mkdir()
    elif state == "built by sitegen":
        assert (
            run("build", "--site", "site", "--out", out, "--base-url", "/x/", cwd=built).returncode
            == 0
        )
    result = run("build", "--site", "site", "--out", "public", cwd=built)
    assert (result.returncode, result.stderr) == (0, NO_SITE_URL)
    assert snapshot(out) == snapshot(built / "site/output")


def test_a_failed_build_leaves_no_folder_it_made(built: Path) -> None:
    write_files(built / "site", {MILESTONE: milestone(date="2020-02-30")})
    assert run("build", "--site", "site", "--out", "new/deeper/public", cwd=built).returncode == 1
    assert not (built / "new").exists()


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Callable[[Path, str], Path]]:
    """Mount a small tmpfs at a folder (made if needed); every one is unmounted after."""
    done: list[Path] = []

    def mount(folder: Path, size: str = "4m") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        command = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        done.append(folder)
        return folder

    yield mount
    for folder in reversed(done):
        subprocess.run(["umount", str(folder)], check=True)


def test_an_output_folder_that_is_a_mount_point_is_refilled(
    built: Path, mounted: Callable[[Path, str], Path]
) -> None:
    """A Docker volume, say: the folder cannot be renamed, so its entries are replaced."""
    site = built / "site"
    clean = snapshot(site / "output")
    shutil.rmtree(site / "output")
    out = mounted(site / "output", "4m")
    for base in ("/a/", "/"):
        result = run("build", "--site", site, "--base-url", base, cwd=built)
        assert (result.returncode, result.stderr) == (0, NO_SITE_URL)
    assert snapshot(out) == clean
    assert os.path.ismount(out)
    (out / "CNAME").write_text("mine")
    result = run("build", "--site", site, "--base-url", "/a/", cwd=built)
    assert result.returncode == 1
    assert (out / "CNAME").read_text() == "mine"


def test_the_output_folders_mode_group_and_setgid_bit_are_kept(built: Path) -> None:
    site = built / "site"
    out = site / "output"
    group = 100 if os.geteuid() == 0 else os.getgroups()[-1]  # root may give any group
    os.chown(out, -1, group)
    out.chmod(0o2750)
    write_files(site, {MILESTONE: milestone(title="Alpha 1.1")})
    assert run("build", "--site", site, cwd=built).returncode == 0
    info = out.stat()
    assert (oct(info.st_mode & 0o7777), info.st_gid) == (oct(0o2750), group)
    assert (out / "milestones").stat().st_gid == group, "new folders inherit the group"


def test_a_reader_that_goes_away_is_no_error(built: Path) -> None:
    """`sitegen build | head -0`: the pipe is closed before the summary line is written."""
    command = [sys.executable, "-m", "sitegen", "build", "--site", "site", "--base-url", "/x/"]
    build = subprocess.Popen(
        command, cwd=built, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert build.stdout is not None and build.stderr is not None
    build.stdout.close()
    err = build.stderr.read()
    assert (build.wait(timeout=120), err) == (0, NO_SITE_URL)
    assert "/x/" in (built / "site/output/index.html").read_text()


# The key that signs .sitegen-cache/: a cache that came with a site is never unpickled.


class Payload:
    """Unpickled, it creates the file at `path`: what a hostile cache would do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.path), "w"))


def hostile_cache(site: Path, key: bytes, made: Path) -> None:
    """A cache file signed with `key`, holding a payload that creates `made`."""
    data = pickle.dumps(Payload(made))
    signature = hashlib.blake2b(data, key=key, digest_size=32).digest()
    (site / ".sitegen-cache").mkdir(exist_ok=True)
    for cache in (site / ".sitegen-cache").glob("build-*.pickle"):
        cache.write_bytes(signature + data)


def key_env(folder: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(folder)}


@pytest.mark.parametrize("key", [b"", b"short"])
def test_a_short_key_is_replaced_never_used(built: Path, key: bytes) -> None:
    site, home = built / "site", built / "home-cache"
    key_path = home / "sitegen/cache-key"
    key_path.parent.mkdir(parents=True)
    key_path.write_bytes(key)
    hostile_cache(site, key, built / "pwned")
    result = run("build", "--site", site, "--base-url", "/x/", cwd=built, env=key_env(home))
    assert (result.returncode, result.stderr) == (0, NO_SITE_URL)
    assert not (built / "pwned").exists()
    assert len(key_path.read_bytes()) == 32
    assert key_path.stat().st_mode & 0o777 == 0o600


def test_a_full_disk_leaves_no_empty_key(built: Path, mounted: Callable[[Path, str], Path]) -> None:
    site, home = built / "site", mounted(built / "home-cache", "64k")
    filler = home / "filler"
    with open(filler, "wb", buffering=0) as f, contextlib.suppress(OSError):
        while True:
            f.write(b"\0" * 4096)
    result = run("build", "--site", site, "--base-url", "/x/", cwd=built, env=key_env(home))
    assert (result.returncode, result.stderr) == (0, NO_SITE_URL)
    assert sorted(p.name for p in home.rglob("*")) == ["filler", "sitegen"]
    filler.unlink()
    assert run("build", "--site", site, cwd=built, env=key_env(home)).returncode == 0
    assert len((home / "sitegen/cache-key").read_bytes()) == 32


@pytest.mark.parametrize("where", ["key", "cache"])
def test_a_named_pipe_in_place_of_the_key_or_the_cache_never_hangs(built: Path, where: str) -> None:
    site, home = built / "site", built / "home-cache"
    pipe = home / "sitegen/cache-key" if where == "key" else cache_file(site, "build")
    pipe.parent.mkdir(parents=True, exist_ok=True)
    pipe.unlink(missing_ok=True)
    os.mkfifo(pipe)
    result = run("build", "--site", site, "--base-url", "/x/", cwd=built, env=key_env(home))
    assert (result.returncode, result.stderr) == (0, NO_SITE_URL)
    assert pipe.is_file(), "replaced by a plain file"


def test_first_runs_at_once_all_read_one_whole_key(tmp_path: Path) -> None:
    code = "from sitegen.signing import cache_key; print(cache_key().hex())"
    for round in range(5):
        home = tmp_path / f"home-{round}"
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", code],
                env={**os.environ, **key_env(home)},
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(8)
        ]
        keys = {run.communicate(timeout=60)[0] for run in runs}
        assert keys == {(home / "sitegen/cache-key").read_bytes().hex() + "\n"}
        assert len(keys.pop()) == 65


# The theme: which files are templates and static files (see sitegen/theme.py).

THEME_CASES = [
    "an image among the templates",
    "a link to nothing among the templates",
    "a named pipe among the templates",
    "a static file linked to the build's environment",
]


@pytest.mark.parametrize("name", THEME_CASES, ids=THEME_CASES)
def test_check_reports_a_bad_theme_file_as_build_does(
    name: str, site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    site, _ = built_then_broken(site_factory, case)
    capsys.readouterr()
    assert main(["check", "--site", str(site)]) == 1
    assert capsys.readouterr().err == case.expected.format(site=site)


def test_editor_and_system_files_in_the_theme_are_ignored(site_factory: SiteFactory) -> None:
    site = site_factory()
    assert main(["build", "--site", str(site)]) == 0
    before = tree_bytes(site / "output")
    binary = bytes(range(256))
    write_files(
        site,
        {
            "templates/.base.html.swp": binary,  # vim
            "templates/base.html~": binary,
            "templates/#base.html#": binary,  # Emacs' autosave
            "templates/4913": "",
            "templates/.DS_Store": binary,
            "templates/Thumbs.db": binary,
            "templates/static/.git/config": "[remote] url = secret",
            "templates/static/.env": "TOKEN=secret",
            "templates/static/style.css.swp": binary,
            "templates/static/style.css~": "old",
        },
    )
    (site / "templates/.#base.html").symlink_to("user@host.1234:1700000000")  # Emacs' lock
    assert main(["build", "--site", str(site)]) == 0
    assert tree_bytes(site / "output") == before
    assert main(["check", "--site", str(site)]) == 0


def test_links_within_the_theme_are_followed(site_factory: SiteFactory) -> None:
    site = site_factory()
    (site / "templates/shared").mkdir()
    shutil.move(site / "templates/static/style.css", site / "templates/shared/style.css")
    (site / "templates/static/style.css").symlink_to("../shared/style.css")
    shutil.move(site / "templates/404.html", site / "templates/shared/404.html")
    (site / "templates/404.html").symlink_to("shared/404.html")
    assert main(["build", "--site", str(site)]) == 0
    css = (site / "templates/shared/style.css").read_bytes()
    assert (site / "output/static/style.css").read_bytes() == css
    assert (site / "output/404.html").is_file()


def test_check_reads_a_static_page_in_latin_1(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_factory()
    page = '<p><a href="/nowhere/">Caf\xe9</a></p>\n'.encode("latin-1")
    write_files(site, {"templates/static/old.html": page})
    assert main(["check", "--site", str(site)]) == 1
    assert capsys.readouterr().err == (
        "output/static/old.html:1:4: error: broken link '/nowhere/'\n"
        "  hint: no page is built at that address\n1 error; site has broken links\n"
    )


def test_a_foundation_yml_beside_foundation_yaml_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, site / folder)
    shutil.copy(site / "content/foundation.yaml", site / "content/foundation.yml")
    assert main(["build", "--site", str(site)]) == 1
    assert capsys.readouterr().err == (
        "content/foundation.yml: error: a second foundation file beside content/foundation.yaml, "
        "which is the one read\n  hint: merge them into content/foundation.yaml and delete this "
        "one\n" + ONE_ERROR
    )
