"""Every built page of the default site passes the Nu HTML Checker (npm vnu-jar, run by Java)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_is_valid_html(default_site: Path) -> None:
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
    assert errors == []
    assert len(list(default_site.rglob("*.html"))) > 40
