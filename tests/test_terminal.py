"""The command line as people are used to it: colour where it helps, --quiet, --verbose,
serve --open, and a check that writes nothing."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from .conftest import SiteFactory, tree_bytes, write

BROKEN = {"content/site.yaml": "title: T\n"}  # no description: one error
ERROR_REPORT = (
    "content/site.yaml:1:1: error: missing required key 'description'\n"
    "  hint: add 'description: ...'\n"
    "1 error; nothing written\n"
)
PAINTED = (
    "\x1b[1mcontent/site.yaml:1:1:\x1b[0m \x1b[1;31merror:\x1b[0m missing required key "
    "'description'\n  \x1b[36mhint:\x1b[0m add 'description: ...'\n"
    "\x1b[1;31m1 error; nothing written\x1b[0m\n"
)


def run(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """sitegen with these environment variables over a plain one (no colour settings)."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    command = [sys.executable, "-m", "sitegen", *args]
    return subprocess.run(
        command, cwd=site, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_colour_only_on_a_terminal_or_when_forced(site_factory: SiteFactory) -> None:
    site = site_factory(BROKEN)
    assert run(site, "build").stderr == ERROR_REPORT  # a pipe: never
    assert run(site, "build", FORCE_COLOR="1").stderr == PAINTED
    assert run(site, "build", FORCE_COLOR="1", NO_COLOR="1").stderr == ERROR_REPORT
    assert run(site, "build", FORCE_COLOR="0").stderr == ERROR_REPORT


def test_colour_on_a_terminal_unless_no_color(site_factory: SiteFactory) -> None:
    site = site_factory(BROKEN)
    assert on_a_terminal(site, TERM="xterm") == PAINTED.replace("\n", "\r\n")
    assert on_a_terminal(site, TERM="xterm", NO_COLOR="1") == ERROR_REPORT.replace("\n", "\r\n")
    assert on_a_terminal(site, TERM="dumb") == ERROR_REPORT.replace("\n", "\r\n")


def on_a_terminal(site: Path, **env: str) -> str:
    """What `sitegen build` writes to stderr when that is a terminal."""
    main, other = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "build"],
        cwd=site,
        env={**base, **env},
        stdout=subprocess.DEVNULL,
        stderr=other,
    )
    os.close(other)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(main)
    return output.decode()


def test_the_summary_is_green_and_warnings_painted_when_forced(site_factory: SiteFactory) -> None:
    site = site_factory()
    result = run(site, "build", FORCE_COLOR="1")
    assert result.stdout.startswith("\x1b[32mBuilt ")
    assert result.stderr.startswith("\x1b[1mcontent/site.yaml:\x1b[0m \x1b[1;35mwarning:\x1b[0m")


def test_quiet_says_nothing_but_errors(site_factory: SiteFactory) -> None:
    site = site_factory()  # no site_url: a warning, which --quiet leaves out
    for command in ("build", "check"):
        result = run(site, command, "--quiet")
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    write(site / "content/site.yaml", BROKEN["content/site.yaml"])
    result = run(site, "build", "-q")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", ERROR_REPORT)
    assert run(site, "build", "-q", "-v").returncode == 2  # one or the other


def test_verbose_says_how_long_each_stage_took_and_what_was_rendered_why(
    site_factory: SiteFactory,
) -> None:
    site = site_factory()
    first = run(site, "build", "--verbose").stdout.splitlines()
    assert first[1].startswith("Stages: load ")
    assert " ms, validate " in first[1] and " templates " in first[1]
    assert first[2].startswith("Rendered ") and first[2].endswith(" files afresh:")
    assert first[3].endswith(" because there is no earlier build to reuse:")
    milestone = site / "content/milestones/alpha-1.yaml"
    milestone.write_text(milestone.read_text().replace("The first release.", "The first one."))
    second = run(site, "build", "-v").stdout.splitlines()
    at = next(i for i, line in enumerate(second) if line.startswith("Rendered "))
    assert second[at].endswith(" files afresh:")
    assert second[at + 1].endswith(" because what it shows changed:")
    shown = [line.strip() for line in second[at + 2 :]]
    assert {"index.html", "milestones/alpha-1/index.html", "feed.xml"} <= set(shown)
    assert "404.html" not in shown  # it shows nothing of the milestone


def test_check_writes_nothing_at_all(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = site_factory()
    before = tree_bytes(site)
    user_cache = tmp_path / "user-cache"
    result = run(site, "check", XDG_CACHE_HOME=str(user_cache))
    assert result.returncode == 0, result.stderr
    assert tree_bytes(site) == before
    assert not (site / ".sitegen-cache").exists()
    assert not user_cache.exists()  # no signing key made either
    # A cache left by a build is read, and left as it was.
    assert run(site, "build", XDG_CACHE_HOME=str(user_cache)).returncode == 0
    cached = tree_bytes(site / ".sitegen-cache")
    milestone = site / "content/milestones/alpha-1.yaml"
    milestone.write_text(milestone.read_text().replace("The first release.", "Changed."))
    assert run(site, "check", XDG_CACHE_HOME=str(user_cache)).returncode == 0
    assert tree_bytes(site / ".sitegen-cache") == cached


def test_serve_open_opens_the_browser_at_the_served_address(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = site_factory()
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--port", "0", "--open"],
        cwd=site,
        env={**base, "BROWSER": f"{browser} %s"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (opened.exists() and opened.read_text().strip()):
            assert time.monotonic() < deadline, "the browser was never opened"
            time.sleep(0.1)
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    serving = next(line for line in out.splitlines() if line.startswith("Serving "))
    served = serving.removeprefix("Serving ").removesuffix(" (Ctrl-C to stop)")
    assert served.startswith("http://127.0.0.1:")
    assert opened.read_text().strip() == served
