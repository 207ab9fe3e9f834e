"""sitegen as a new user gets it: a wheel installed in a fresh virtual environment outside
the repository, a site made with `sitegen new`, built, overridden, built again, and checked
with a parser and in Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import serve_folder
from .conftest import REPO, html

pytestmark = pytest.mark.timeout(900)

OVERRIDE = """\
{% extends "base.html" %}
{% block main %}
<article class="mine">
  <h1>{{ milestone.title }}</h1>
  <p>{{ milestone.date.human }}: {{ milestone.summary | plain }}</p>
  <p><a href="{{ url('/') }}">Back to the timeline</a></p>
</article>
{% endblock %}
"""
EXTRA_RULE = "\n.mine h1 { letter-spacing: 0.01em; }\n"


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command run outside the repository, with nothing of the test's Python leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtual environment with sitegen installed from a wheel of the repository's
    tracked files: its bin/ folder."""
    root = tmp_path_factory.mktemp("package")
    assert REPO not in root.parents
    source = root / "source"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((REPO / name).read_bytes())
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--wheel-dir",
        root / "dist",
        source,
        cwd=root,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("sitegen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sitegen/default_theme/milestone.html" in names  # the theme, taken in from templates/
    assert "sitegen/default_theme/fonts/Inter-Bold.otf" in names
    assert "sitegen/starter/.github/workflows/pages.yml" in names
    venv = root / "venv"
    made = run(sys.executable, "-m", "venv", venv, cwd=root)
    assert made.returncode == 0, made.stderr
    pip = run(venv / "bin/python", "-m", "pip", "install", "--quiet", wheel, cwd=root)
    assert pip.returncode == 0, pip.stderr
    yield venv / "bin"


def test_a_wheel_in_a_fresh_venv_makes_builds_and_overrides_a_site(
    installed: Path, tmp_path: Path, browser: Any
) -> None:
    sitegen = installed / "sitegen"
    made = run(sitegen, "new", "timeline", "--title", "Python releases", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    theme = next(line for line in made.stdout.splitlines() if "Its theme is" in line)
    assert f"{installed.parent}/lib/" in theme and "/site-packages/sitegen/default_theme" in theme
    site = tmp_path / "timeline"
    assert run(sitegen, "check", cwd=site).returncode == 0
    first = run(sitegen, "build", cwd=site)
    assert first.returncode == 0, first.stderr
    out = site / "output"
    page = html(out / "milestones/python-2-7/index.html")
    assert page.css_first("h1").text() == "Python 2.7"
    assert not page.css_first("article.mine")
    packaged_css = (out / "static/style.css").read_text()

    # One template and one stylesheet of the site's own; the rest stays the package's.
    (site / "templates/static").mkdir(parents=True)
    (site / "templates/milestone.html").write_text(OVERRIDE)
    (site / "templates/static/style.css").write_text(packaged_css + EXTRA_RULE)
    second = run(sitegen, "build", cwd=site)
    assert second.returncode == 0, second.stderr
    page = html(out / "milestones/python-2-7/index.html")
    assert page.css_first("article.mine h1").text() == "Python 2.7"
    assert page.css_first(".site-nav a[href='/tracks/python-2/']")  # base.html, the package's
    assert not html(out / "index.html").css_first("article.mine")
    assert (out / "static/style.css").read_text().endswith(EXTRA_RULE)
    assert run(sitegen, "check", cwd=site).returncode == 0

    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context()
    tab = context.new_page()
    found = {}
    with serve_folder(out) as origin:
        for path in ("/", "/milestones/python-2-7/", "/tracks/python-3/", "/sources/pep-373/"):
            tab.goto(origin + path)
            violations = Axe().run(tab).response["violations"]
            if violations:
                found[path] = [v["id"] for v in violations]
        tab.goto(origin + "/milestones/python-2-7/")
        spacing = tab.eval_on_selector(".mine h1", "h => getComputedStyle(h).letterSpacing")
    context.close()
    assert found == {}
    assert spacing != "normal"  # the site's own stylesheet is the one in use
