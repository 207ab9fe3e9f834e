"""Every built page of the default site, and of a site showing every page kind (pages, tags,
drafts), passes the Nu HTML Checker (npm vnu-jar, run by Java)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_is_valid_html(default_site: Path) -> None:
    assert nu_errors(default_site) == []
    assert len(list(default_site.rglob("*.html"))) > 40


def test_every_page_kind_is_valid_html(features_site: Path) -> None:
    assert nu_errors(features_site) == []
    for page in ("about", "guide", "tags", "tags/release", "milestones/alpha-2"):
        assert (features_site / page / "index.html").is_file()


def nu_errors(default_site: Path) -> list[str]:
    if not VNU.exists() or not shutil.which("java"):
        pytest.fail("the Nu HTML Checker is missing: run scripts/test, which installs it")
    # One JVM for the whole folder: the checker is slow to start and fast per page.
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--skip-non-html", "--format", "json", str(default_site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr)["messages"]
    errors = [
        f"{m.get('url', '').split(default_site.name)[-1]}:{m.get('lastLine', 0)}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    return errors
