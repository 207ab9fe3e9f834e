"""The command line, run for real in fresh processes."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import SiteFactory, sitegen, tree_bytes


def test_build_prints_one_summary_line(site_factory: SiteFactory) -> None:
    site = site_factory()
    # With a site_url: without one, a warning follows (see test_hosting.py).
    result = sitegen("build", "--site-url", "https://example.org", cwd=site)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"Built 18 files in \d+ ms into output/\n", result.stdout)
    assert result.stderr == ""
    assert (site / "output/index.html").is_file()


def test_site_and_out_options(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = site_factory()
    result = sitegen("build", "--site", site, "--out", tmp_path / "public")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "public/index.html").is_file()
    assert not (site / "output").exists()


def test_content_errors_exit_1_and_keep_the_old_output(site_factory: SiteFactory) -> None:
    site = site_factory()
    assert sitegen("build", cwd=site).returncode == 0
    before = tree_bytes(site / "output")
    (site / "content/frameworks/alpha.yaml").write_text("id: alpha\nname: Alpha\ncolour: red\n")
    result = sitegen("build", cwd=site)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "content/frameworks/alpha.yaml:1:1: error: missing required key 'color'\n"
        "  hint: add 'color: ...'\n"
        "content/frameworks/alpha.yaml:3:1: error: unknown key 'colour'\n"
        "  hint: did you mean 'color'?\n"
        "2 errors; nothing written\n"
    )
    assert tree_bytes(site / "output") == before


def test_usage_errors_exit_2(site_factory: SiteFactory) -> None:
    site = site_factory()
    result = sitegen("build", "--base-url", "no spaces/", cwd=site)
    assert result.returncode == 2
    assert (
        "argument --base-url: 'no spaces/' is not a URL path such as / or /my-repo/"
        in result.stderr
    )
    assert sitegen("frobnicate", cwd=site).returncode == 2


def test_missing_content_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = sitegen("build", cwd=tmp_path)  # no templates/ is fine: the packaged theme
    assert result.returncode == 1
    assert result.stderr == (
        "content: error: no content/ folder here\n"
        "  hint: run sitegen in a site folder, or name one with --site DIR (looked in '.')\n"
        "1 error; nothing written\n"
    )


def test_version_and_help() -> None:
    assert sitegen("--version").stdout == "sitegen 0.1.0\n"
    for command in ("build", "check"):
        result = sitegen(command, "--help")
        assert result.returncode == 0
        assert f"usage: sitegen {command}" in result.stdout
        assert "--site DIR" in result.stdout


def test_check_writes_nothing_and_finds_broken_links(site_factory: SiteFactory) -> None:
    site = site_factory()
    result = sitegen("check", cwd=site)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"Checked 18 files and their links in \d+ ms: no problems\n"
        r"Quotes: 0 quotes verified against archived sources; 1 source has no archive\n",
        result.stdout,
    )
    assert not (site / "output").exists()

    milestone = site / "content/milestones/alpha-1.yaml"
    text = milestone.read_text().replace(
        "summary: The first release.",
        "summary: See [gone](/milestones/nope/) and [here](/milestones/alpha-1/#nowhere).",
    )
    milestone.write_text(text)
    report = (  # once, where the author wrote each link, however many pages show it
        "content/milestones/alpha-1.yaml:5:21: error: broken link '/milestones/nope/'\n"
        "  hint: no page at that address; the closest page is '/milestones/alpha-1/'\n"
        "content/milestones/alpha-1.yaml:5:51: error: broken anchor "
        "'/milestones/alpha-1/#nowhere'\n"
        "  hint: that page has no id 'nowhere'\n"
        "2 errors; nothing written\n"
    )
    for command in ("check", "build"):
        result = sitegen(command, cwd=site)
        assert (result.returncode, result.stderr) == (1, report)
    assert not (site / "output").exists()
