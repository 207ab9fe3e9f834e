"""`sitegen new`: a starter site that builds, passes `check` and deploys from its own repo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from .conftest import REPO, html, sitegen, tree_bytes

STARTER_FILES = [
    ".github/workflows/pages.yml",
    ".gitignore",
    "README.md",
    "content/milestones/python-2-0.yaml",
    "content/milestones/python-2-7-18.yaml",
    "content/milestones/python-2-7.yaml",
    "content/milestones/python-3-0.yaml",
    "content/milestones/python-3-12.yaml",
    "content/site.yaml",
    "content/sources/pep-361.yaml",
    "content/sources/pep-373.yaml",
    "content/tracks/python-2.yaml",
    "content/tracks/python-3.yaml",
]
GIT = "sitegen @ git+https://example.org/me/sitegen@v0.1.0"


def test_new_makes_a_site_that_builds_and_passes_check(tmp_path: Path) -> None:
    result = sitegen("new", "python-releases", "--sitegen", GIT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Made a new site, 'Python releases', in python-releases/ (13 files). Next:\n"
        "  cd python-releases && sitegen serve\n"
        f"Its theme is sitegen's, in {REPO / 'templates'}: a file of the same name in\n"
        "python-releases/templates/ replaces one of its files. Deploying: see its README.md.\n"
    )
    assert result.stderr == ""
    site = tmp_path / "python-releases"
    assert sorted(tree_bytes(site)) == STARTER_FILES
    assert (site / ".gitignore").read_text() == "/output/\n/.sitegen-cache/\n/.venv/\n"
    check = sitegen("check", cwd=site)
    assert check.returncode == 0, check.stderr
    assert "no problems" in check.stdout
    assert sitegen("build", cwd=site).returncode == 0
    out = site / "output"
    home = html(out / "index.html")
    assert home.css_first("h1").text() == "Python releases"
    assert home.css_first("#filters-label").text() == "Tracks"
    assert [a.attributes["href"] for a in home.css(".filters a")] == [
        "/tracks/python-2/",
        "/tracks/python-3/",
    ]
    dates = {
        m: html(out / f"milestones/{m}/index.html").css_first("time").text()
        for m in ("python-2-0", "python-3-0", "python-3-12")
    }
    assert dates == {
        "python-2-0": "16 October 2000",
        "python-3-0": "December 2008",
        "python-3-12": "2023",
    }
    cited = html(out / "milestones/python-2-7-18/index.html")
    links = [a.attributes["href"] for a in cited.css(".citations a")]
    assert "/sources/pep-373/" in links  # a source file, by id
    assert "https://www.python.org/doc/sunset-python-2/" in links  # a link with a title
    assert not (site / "templates").exists()  # the packaged theme, until a file is overridden
    assert not (out / "foundation").exists()  # no foundation page unless asked for


def test_new_takes_a_title_and_the_sites_own_words(tmp_path: Path) -> None:
    result = sitegen(
        "new", "site", "--title", 'Lines: "two"', "--track", "line", "--sitegen", GIT, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(
        "The plural of 'line' is 'lines': content/lines/, /lines/<id>/.\n"
        "--tracks gives another; site.yaml names both words.\n"
    )
    site = tmp_path / "site"
    assert sorted(p.name for p in (site / "content/lines").iterdir()) == [
        "python-2.yaml",
        "python-3.yaml",
    ]
    assert "line: python-2\n" in (site / "content/milestones/python-2-7.yaml").read_text()
    assert (site / "content/site.yaml").read_text().startswith('title: "Lines: \\"two\\""\n')
    assert sitegen("build", cwd=site).returncode == 0
    home = html(site / "output/index.html")
    assert home.css_first("h1").text() == 'Lines: "two"'
    assert home.css_first("#filters-label").text() == "Lines"
    assert (site / "output/lines/python-3/index.html").is_file()


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/notes.txt").write_text("mine\n")
    (tmp_path / "file").write_text("a file\n")
    before = tree_bytes(tmp_path)
    for folder, problem in (
        ("mine", "'mine' is not empty: a new site goes in a new or empty folder"),
        ("file", "'file' is a file, not a folder"),
    ):
        result = sitegen("new", folder, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.endswith(f"sitegen new: error: argument DIR: {problem}\n")
        assert result.stdout == ""
    result = sitegen("new", "site", "--track", "date", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.endswith(
        "sitegen new: error: --track cannot be 'date': milestone files use that key already; "
        "choose another word, such as 'track' or 'line'\n"
    )
    result = sitegen("new", "site", "--track", "series", "--tracks", "series", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.endswith(
        "sitegen new: error: --track and --tracks are both 'series'; give the plural its own word\n"
    )
    assert tree_bytes(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "mine"]


def test_the_new_sites_workflow_deploys_like_ours_with_the_sitegen_that_made_it(
    tmp_path: Path,
) -> None:
    assert sitegen("new", "site", "--sitegen", GIT, cwd=tmp_path).returncode == 0
    path = tmp_path / "site/.github/workflows/pages.yml"
    command = [sys.executable, "-m", "check_jsonschema"]
    command += ["--builtin-schema", "vendor.github-workflows", str(path)]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    theirs, ours = load(path), load(REPO / ".github/workflows/pages.yml")
    assert theirs.pop("env") == {"SITEGEN": GIT}
    install = {
        "name": "Install sitegen",
        "run": 'python3 -m venv .venv && .venv/bin/pip install "$SITEGEN"',
    }
    theirs_steps = theirs["jobs"]["build"]["steps"]
    ours_steps = ours["jobs"]["build"]["steps"]
    index = ours_steps.index(
        {"name": "Install sitegen", "run": "python3 -m venv .venv && .venv/bin/pip install -e ."}
    )
    assert theirs_steps[index] == install
    theirs_steps[index] = ours_steps[index]
    assert theirs == ours  # every other step as in this repository's own workflow
    readme = (tmp_path / "site/README.md").read_text()
    assert f"named on its `SITEGEN:` line (`{GIT}`)" in readme
    assert f'.venv/bin/pip install "{GIT}"' in readme


def test_new_says_when_ci_cannot_install_the_sitegen_that_made_the_site(tmp_path: Path) -> None:
    # This checkout is installed from a local folder (editable): no runner can reach it.
    result = sitegen("new", "site", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == (
        f"site/.github/workflows/pages.yml:25:3: warning: this sitegen was installed from "
        f"file://{REPO}, which GitHub's runners cannot reach: the workflow installs "
        "'sitegen==0.1.0' from the package index instead\n"
        "  hint: set SITEGEN there to a git URL or index that has this sitegen, or use --sitegen\n"
    )
    assert load(tmp_path / "site/.github/workflows/pages.yml")["env"] == {
        "SITEGEN": "sitegen==0.1.0"
    }


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
