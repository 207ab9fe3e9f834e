"""Shared fixtures: tiny sites written into tmp_path, the CLI run for real, and Chromium."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from .browser import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[1]
ARTICLE = REPO.parent / "shared" / "source" / "article-2022-09-14.txt"

MINIMAL_SITE = {
    "content/site.yaml": """\
        title: Test timeline
        description: A site for tests.
        """,
    "content/frameworks/alpha.yaml": """\
        id: alpha
        name: Alpha
        order: 1
        color: "#9a3412"
        tagline: A framework.
        facts:
          - text: Alpha is *fast*.
            sources: [{source: paper}]
        """,
    "content/sources/paper.yaml": """\
        id: paper
        title: A paper
        published: 2020-05
        url: https://example.org/paper
        """,
    "content/milestones/alpha-1.yaml": """\
        id: alpha-1
        date: 2020-05-04
        framework: alpha
        title: Alpha 1.0
        summary: The first release.
        sources:
          - source: paper
            quote: released
        """,
}

SiteFactory = Callable[..., Path]


@pytest.fixture
def site_factory(tmp_path: Path) -> SiteFactory:
    """Write a site into tmp_path: the minimal site plus `files` (None deletes one), with the
    project's own templates unless `templates=False`."""

    def make(files: dict[str, str | None] | None = None, templates: bool = True) -> Path:
        site = tmp_path / "site"
        if templates and not (site / "templates").exists():
            shutil.copytree(REPO / "templates", site / "templates")
        merged: dict[str, str | None] = {**MINIMAL_SITE, **(files or {})}
        for name, text in merged.items():
            if text is not None:
                write(site / name, text)
            elif (site / name).exists():
                (site / name).unlink()
        return site

    return make


def write(path: Path, text: str) -> None:
    """Write dedented text, making folders as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def sitegen(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process."""
    command = [sys.executable, "-m", "sitegen", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def html(path: Path) -> HTMLParser:
    """A built page, parsed by a real HTML5 parser."""
    return HTMLParser(path.read_text(encoding="utf-8"))


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root, by relative path: for byte-for-byte comparisons."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default site (this repository's content and templates), built once per session."""
    out = tmp_path_factory.mktemp("default") / "output"
    result = sitegen("build", "--site", REPO, "--out", out, "--site-url", "https://example.org")
    assert result.returncode == 0, result.stderr
    return out


# Every new page kind at once, as `sitegen serve` shows it: documentation pages (one with a
# table of contents, sources and tags, one a draft), tags with labels, and a draft milestone.
FEATURES_SITE = {
    "content/site.yaml": """\
        title: Features
        description: Pages, tags and drafts.
        nav: [guide/index.md, about.md]
        tags:
          release: {label: Releases, description: Versions for everyone.}
        """,
    "content/milestones/alpha-2.yaml": """\
        id: alpha-2
        date: 2021-03
        framework: alpha
        title: Alpha 2 (in the works)
        summary: Not announced yet.
        tags: [release, preview]
        draft: true
        sources: [{source: paper}]
        """,
    "content/pages/about.md": """\
        ---
        title: About
        description: What this site is.
        tags: [release]
        sources:
          - source: paper
            quote: a quote
        ---
        ## Why

        See the [guide](guide/index.md).

        ## How

        ### In detail

        Some `code` and a [link out](https://example.org/).
        """,
    "content/pages/guide/index.md": """\
        ---
        title: Guide
        draft: true
        ---
        A draft page, back to [about](../about.md).
        """,
}


@pytest.fixture(scope="session")
def features_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FEATURES_SITE on the minimal site, built with its drafts shown, once per session."""
    site = tmp_path_factory.mktemp("features") / "site"
    shutil.copytree(REPO / "templates", site / "templates")
    for name, text in {**MINIMAL_SITE, **FEATURES_SITE}.items():
        write(site / name, text)
    result = sitegen("build", "--site", site, "--drafts", "--site-url", "https://example.org")
    assert result.returncode == 0, result.stderr
    return site / "output"
