"""Quotes checked against archived copies of their sources (`archive:` on a source)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from sitegen.build import SiteBuilder, build_site
from sitegen.cli import main
from sitegen.diagnostics import SiteError
from sitegen.quotes import closest_passage, html_text, normalise
from sitegen.watch import is_source

from .conftest import ARTICLE, REPO, SiteFactory, write

SOURCE = """\
id: paper
title: A paper
url: https://example.org/paper
archive: content/archive/paper.txt
"""

ARCHIVE = """\
Alpha 1.0 was released on 4 May 2020. It is the "first stable release"
of Alpha - a framework that compiles   models
before running them.
"""


def milestone(quote: str) -> str:
    """The minimal site's milestone citing the paper with `quote` (at line 8, column 12)."""
    return f"""\
id: alpha-1
date: 2020-05-04
framework: alpha
title: Alpha 1.0
summary: The first release.
sources:
  - source: paper
    quote: {json.dumps(quote)}
"""


def site_with(site_factory: SiteFactory, quote: str, archive: str | None = ARCHIVE) -> Path:
    files: dict[str, str | None] = {
        "content/sources/paper.yaml": SOURCE,
        "content/milestones/alpha-1.yaml": milestone(quote),
        "content/archive/paper.txt": archive,
    }
    return site_factory(files)


def errors(site: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["build", "--site", str(site)])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.err
    assert not (site / "output").exists(), "a failed build must write nothing"
    return captured.err


def test_a_quote_found_in_the_archive_is_verified(site_factory: SiteFactory) -> None:
    site = site_with(site_factory, "compiles models before running them")
    result = build_site(site, None)
    assert (result.quotes.verified, result.quotes.unarchived) == (1, 0)
    assert result.quotes.archives == ("content/archive/paper.txt",)


def test_a_quote_with_a_changed_word_fails_at_the_quote_with_the_closest_passage(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_with(site_factory, "compiles models after running them")
    assert errors(site, capsys) == (
        "content/milestones/alpha-1.yaml:8:12: error: quote not found in the archive of "
        "source 'paper'\n"
        '  hint: closest passage in content/archive/paper.txt: "compiles models before '
        'running them."\n'
        "1 error; nothing written\n"
    )


@pytest.mark.parametrize(
    ("quote", "archive"),
    [
        ("the \u201cfirst stable release\u201d of Alpha", ARCHIVE),  # curly in the quote
        ('the "first stable release" of Alpha', ARCHIVE.replace('"first', "\u201cfirst")),
        ("It\u2019s the first", "Yes. It's the first."),  # apostrophes
        ("Alpha \u2014 a framework", ARCHIVE),  # an em dash for a hyphen
        ("Alpha -- a framework", ARCHIVE),  # two hyphens typed for a dash
    ],
)
def test_curly_and_straight_quotes_and_dashes_compare_equal(
    site_factory: SiteFactory, quote: str, archive: str
) -> None:
    site = site_with(site_factory, quote, archive)
    assert build_site(site, None).quotes.verified == 1


def test_a_missing_archive_file_is_an_error_at_the_source(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_with(site_factory, "released", archive=None)
    assert errors(site, capsys) == (
        "content/sources/paper.yaml:4:10: error: archive file not found: "
        "content/archive/paper.txt\n"
        "  hint: save a copy of the source's text there (plain text or HTML), or remove "
        "'archive'\n"
        "1 error; nothing written\n"
    )


def test_archive_problems_come_with_every_other_problem(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_with(site_factory, "compiles models after running them")
    write(site / "content/milestones/beta.yaml", "id: beta\n")
    report = errors(site, capsys)
    assert "quote not found in the archive of source 'paper'" in report
    assert "content/milestones/beta.yaml:1:1: error: missing required key" in report


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        (
            "archive/paper.txt",
            "'archive' must be a path to a .txt or .html file in content/archive/",
        ),
        (
            "content/paper.txt",
            "'archive' must be a path to a .txt or .html file in content/archive/",
        ),
        ("content/archive/../paper.txt", "'archive' must be a path to a .txt or .html file in"),
        ("content/archive/paper.pdf", "'archive' must be a path to a .txt or .html file in"),
        (
            "content/archive/.hidden/paper.txt",
            "'archive' must be a path to a .txt or .html file in",
        ),
    ],
)
def test_an_archive_path_must_be_a_text_or_html_file_under_content(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str], path: str, problem: str
) -> None:
    site = site_factory({"content/sources/paper.yaml": SOURCE.replace(SOURCE.split()[-1], path)})
    assert f"content/sources/paper.yaml:4:10: error: {problem}" in errors(site, capsys)


def test_an_archive_that_leads_outside_the_site_is_refused(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("compiles models before running them", encoding="utf-8")
    site = site_with(site_factory, "compiles models before running them", archive=None)
    (site / "content/archive").mkdir(parents=True, exist_ok=True)
    (site / "content/archive/paper.txt").symlink_to(outside)
    assert "error: archive content/archive/paper.txt leads outside content/archive/" in errors(
        site, capsys
    )


def test_an_html_archive_is_compared_as_the_text_a_reader_sees(site_factory: SiteFactory) -> None:
    page = (
        "<!doctype html><html><head><title>Not this</title><style>p{}</style></head><body>"
        "<p>It is the <em>first</em>&nbsp;stable&#32;release</p><p>of Alpha.</p>"
        "<script>var x = 'compiles';</script></body></html>"
    )
    files = {
        "content/sources/paper.yaml": SOURCE.replace("paper.txt", "paper.html"),
        "content/milestones/alpha-1.yaml": milestone("first stable release of Alpha."),
        "content/archive/paper.html": page,
    }
    assert build_site(site_factory(files), None).quotes.verified == 1
    assert normalise(html_text(page)) == "It is the first stable release of Alpha."


def test_check_reports_verified_quotes_and_sources_without_an_archive(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_with(site_factory, "released on 4 May 2020")
    write(site / "content/sources/other.yaml", "id: other\ntitle: Other\n")
    assert main(["check", "--site", str(site)]) == 0
    assert (
        "Quotes: 1 quote verified against archived sources; 1 source has no archive\n"
        in capsys.readouterr().out
    )


def test_a_changed_archive_is_read_again_by_warm_builds(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_with(site_factory, "compiles models before running them")
    assert main(["build", "--site", str(site)]) == 0  # leaves .sitegen-cache/ behind
    (site / "content/archive/paper.txt").write_text("Alpha was withdrawn.", encoding="utf-8")
    assert main(["build", "--site", str(site)]) == 1
    assert "quote not found in the archive of source 'paper'" in capsys.readouterr().err


def test_an_archive_made_a_link_outside_is_refused_by_warm_builds(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Its bytes are the same: only where it leads changed, and a warm build (which keeps the
    last report while the archives hold what they held) must see that too."""
    site = site_with(site_factory, "compiles models before running them")
    assert main(["build", "--site", str(site)]) == 0  # leaves .sitegen-cache/ behind
    outside = tmp_path / "copy.txt"
    outside.write_text(ARCHIVE, encoding="utf-8")
    archive = site / "content/archive/paper.txt"
    archive.unlink()
    archive.symlink_to(outside)
    assert main(["build", "--site", str(site)]) == 1
    assert (
        "content/sources/paper.yaml:4:10: error: archive content/archive/paper.txt leads "
        "outside content/archive/" in capsys.readouterr().err
    )


def test_the_dev_server_rebuild_sees_an_archive_change(site_factory: SiteFactory) -> None:
    site = site_with(site_factory, "compiles models before running them")
    builder = SiteBuilder(site)
    builder.build()
    archive = site / "content/archive/paper.txt"
    assert is_source(str(archive), site, [site / "output"])
    assert not is_source(str(site / "content/milestones/notes.txt"), site, [site / "output"])
    archive.write_text("Alpha was withdrawn.", encoding="utf-8")
    with pytest.raises(SiteError) as failed:
        builder.build(changed={"content/archive/paper.txt"})
    assert [d.message for d in failed.value.diagnostics] == [
        "quote not found in the archive of source 'paper'"
    ]
    archive.write_text(ARCHIVE, encoding="utf-8")
    assert builder.build(changed={"content/archive/paper.txt"}).quotes.verified == 1


def test_normalise_folds_whitespace_quotes_dashes_and_compatibility_forms() -> None:
    assert normalise("  a\u00a0\u201cb\u201d\n\t\u2018c\u2019 \u2013 d\u2026 \ufb01 ") == (
        "a \"b\" 'c' - d... fi"
    )


def test_closest_passage_is_the_run_most_like_the_quote() -> None:
    archive = normalise(ARCHIVE)
    assert closest_passage(archive, "It is the first stable releases of Beta") == (
        'It is the "first stable release" of Alpha'
    )
    assert closest_passage(archive, "nothing shared") == ""


def test_the_default_sites_article_quotes_pass_the_archive_check(tmp_path: Path) -> None:
    """The article may not be published, so it never enters the repository: here it is
    copied into a scratch copy of the site and named as the article's archive."""
    if not ARTICLE.is_file():
        pytest.skip(f"source article not found at {ARTICLE} (expected beside the repo)")
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "templates", site / "templates")
    shutil.copy(ARTICLE, site / "content/archive/article.txt")
    source = site / "content/sources/article-2022-09-14.yaml"
    source.write_text(source.read_text() + "archive: content/archive/article.txt\n")
    quoted = sum(
        1
        for path in (site / "content").rglob("*.yaml")
        for mapping in walk(yaml.safe_load(path.read_text(encoding="utf-8")))
        if mapping.get("source") == "article-2022-09-14" and "quote" in mapping
    )
    report = build_site(site, None).quotes
    assert report.verified >= quoted > 20  # the article's, and those of other archived sources


def walk(node: object) -> list[dict]:
    if isinstance(node, dict):
        return [node, *(m for value in node.values() for m in walk(value))]
    if isinstance(node, list):
        return [m for value in node for m in walk(value)]
    return []
