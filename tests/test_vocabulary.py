"""A site's own word for its tracks (`track` / `tracks` in site.yaml), and `extra:`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.build import Options, SiteBuilder
from sitegen.diagnostics import SiteError

from .conftest import SiteFactory, html, sitegen, write

LINES = {
    "content/site.yaml": """\
        title: Python releases
        description: Two lines of Python.
        track: line
        tracks: lines
        eras:
          - title: Both lines
            start: 2008-12
            end: 2020
            lines: [py2, py3]
        """,
    "content/frameworks/alpha.yaml": None,
    "content/milestones/alpha-1.yaml": None,
    "content/lines/py2.yaml": """\
        id: py2
        name: Python 2
        order: 1
        color: "#9a3412"
        website: https://www.python.org/
        """,
    "content/lines/py3.yaml": """\
        id: py3
        name: Python 3
        order: 2
        color: "#1d4ed8"
        website: https://www.python.org/
        """,
    "content/milestones/python-2-7.yaml": """\
        id: python-2-7
        date: 2010-07-03
        line: py2
        title: Python 2.7
        summary: The last minor release of Python 2.
        sources: [{source: paper}]
        """,
    "content/milestones/python-3-0.yaml": """\
        id: python-3-0
        date: 2008-12
        line: py3
        also: [py2]
        title: Python 3.0
        summary: A new line, beside the old one.
        sources: [{source: paper}]
        """,
}


def test_a_site_names_its_tracks_in_folder_key_urls_and_texts(site_factory: SiteFactory) -> None:
    site = site_factory(LINES, templates=False)
    result = sitegen("build", cwd=site)
    assert result.returncode == 0, result.stderr
    out = site / "output"
    assert sorted(p.name for p in (out / "lines").iterdir()) == ["py2", "py3"]
    assert not (out / "frameworks").exists()
    assert (out / "cards/lines/py2.png").is_file()
    home = html(out / "index.html")
    assert home.css_first("#filters-label").text() == "Lines"
    status = home.css_first("script#timeline-texts").text()  # the filter's own words
    assert "No line selected" in status
    assert home.css_first(".lane-heads").attributes["aria-label"] == "Lines"
    chips = [a.attributes["href"] for a in home.css(".filters a")]
    assert chips == ["/lines/py2/", "/lines/py3/"]
    assert home.css_first(".era").attributes["data-fw"] == "py2 py3"
    nav = [a.attributes["href"] for a in home.css(".site-nav ul a")]
    assert nav == ["/lines/py2/", "/lines/py3/"]
    line = html(out / "lines/py2/index.html")
    assert line.css_first(".kicker").text() == "Line"
    assert line.css_first('meta[property="og:image"]').attributes["content"] == (
        "/cards/lines/py2.png"
    )
    page = html(out / "milestones/python-2-7/index.html")
    assert page.css_first("#meanwhile-h").text() == "Meanwhile on the other lines"
    tags = [a.attributes["href"] for a in page.css(".card-meta a")]
    assert tags == ["/lines/py2/"]
    assert "/lines/py3/" in [
        a.attributes["href"] for a in html(out / "milestones/python-3-0/index.html").css("a")
    ]
    assert sitegen("check", cwd=site).returncode == 0


def test_the_old_words_are_errors_once_the_site_names_its_own(site_factory: SiteFactory) -> None:
    site = site_factory(
        {
            **LINES,
            "content/frameworks/alpha.yaml": None,
            "content/milestones/python-2-7.yaml": LINES["content/milestones/python-2-7.yaml"]
            .replace("line: py2", "framework: py2")
            .replace("id: python-2-7", "id: python-2-7\n        also: [cobol]"),
        },
        templates=False,
    )
    write(site / "content/frameworks/beta.yaml", "id: beta\n")
    result = sitegen("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "content/frameworks/beta.yaml: error: fact file in an unknown place (known: "
        "content/site.yaml, content/foundation.yaml, content/sources, content/lines, "
        "content/milestones, content/pages)\n"
        "  hint: move it into one of those places\n"
        "1 error; nothing written\n"
    )
    (site / "content/frameworks/beta.yaml").unlink()
    result = sitegen("build", cwd=site)
    assert result.stderr == (
        "content/milestones/python-2-7.yaml:1:1: error: missing required key 'line'\n"
        "  hint: add 'line: ...'\n"
        "content/milestones/python-2-7.yaml:2:8: error: unknown line 'cobol'\n"
        "  hint: add content/lines/cobol.yaml or use a known line id\n"
        "content/milestones/python-2-7.yaml:4:1: error: unknown key 'framework'\n"
        "  hint: known keys: also, date, draft, id, line, sources, summary, tags, title\n"
        "3 errors; nothing written\n"
    )


def test_files_read_with_other_words_are_read_again(site_factory: SiteFactory) -> None:
    site = site_factory(LINES, templates=False)
    assert sitegen("build", cwd=site).returncode == 0  # leaves its cache
    site_yaml = site / "content/site.yaml"  # the same folder, another key in milestones
    site_yaml.write_text(site_yaml.read_text().replace("track: line", "track: strand"))
    result = sitegen("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "content/milestones/python-2-7.yaml:1:1: error: missing required key 'strand'\n"
    )


def test_the_dev_server_reads_every_file_again_when_the_words_change(
    site_factory: SiteFactory,
) -> None:
    site = site_factory(templates=False)
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    builder.build()
    (site / "content/frameworks").rename(site / "content/lines")
    site_yaml = site / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "track: line\n")
    with pytest.raises(SiteError) as error:
        builder.build(changed={"content/site.yaml", "content/frameworks", "content/lines"})
    assert [d.format() for d in error.value.diagnostics] == [
        "content/milestones/alpha-1.yaml:1:1: error: missing required key 'line'\n"
        "  hint: add 'line: ...'",
        "content/milestones/alpha-1.yaml:3:1: error: unknown key 'framework'\n"
        "  hint: known keys: also, date, draft, id, line, sources, summary, tags, title",
    ]
    milestone = site / "content/milestones/alpha-1.yaml"
    milestone.write_text(milestone.read_text().replace("framework:", "line:"))
    result = builder.build(changed={"content/milestones/alpha-1.yaml"})
    assert "lines/alpha/index.html" in {p.output for p in result.pages}


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            "track: date\n",
            "content/site.yaml:3:8: error: 'track' cannot be 'date': milestone files use that "
            "key already\n  hint: choose another word, such as 'track' or 'line'\n",
        ),
        (
            "track: page\ntracks: milestones\n",
            "content/site.yaml:4:9: error: 'tracks' cannot be 'milestones': sitegen uses that "
            "folder and URL already\n  hint: choose another word, such as 'tracks' or 'lines'\n",
        ),
        (
            "track: sheep\ntracks: sheep\n",
            "content/site.yaml:4:9: error: 'track' and 'tracks' are both 'sheep'\n"
            "  hint: give the plural its own word\n",
        ),
        (
            "tracks: lines\n",
            "content/site.yaml:3:1: error: 'tracks' needs 'track' beside it\n"
            "  hint: add 'track: ...'\n",
        ),
        (
            "track: Release Line\n",
            "content/site.yaml:3:8: error: 'track' must be a word of lowercase letters, digits "
            "and hyphens, got 'Release Line'\n  hint: for example 'track'\n",
        ),
    ],
    ids=["a milestone key", "a taken folder", "one word for both", "no singular", "not a slug"],
)
def test_words_that_cannot_work_are_errors(
    site_factory: SiteFactory, words: str, expected: str
) -> None:
    site = site_factory({"content/site.yaml": "title: T\ndescription: D\n" + words})
    result = sitegen("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(expected), result.stderr


def test_extra_values_reach_templates_and_other_keys_stay_errors(
    site_factory: SiteFactory,
) -> None:
    site = site_factory(
        {
            "content/site.yaml": """\
                title: T
                description: D
                extra:
                  github: https://github.com/me/timeline
                  show_banner: true
                  since: 2020-05-01
                  team: [Ada, Grace]
                  contact: {email: me@example.org}
                """,
            "templates/404.html": (
                '{% extends "base.html" %}{% block main %}'
                '<p id="x">{{ site.extra.github }} {{ site.extra.show_banner }} '
                "{{ site.extra.since.year }} {{ site.extra.team | join('+') }} "
                "{{ site.extra['contact'].email }} {{ site.extra | length }}</p>"
                "{% endblock %}\n"
            ),
        },
        templates=False,
    )
    assert sitegen("build", cwd=site).returncode == 0
    text = html(site / "output/404.html").css_first("#x").text()
    assert text == "https://github.com/me/timeline True 2020 Ada+Grace me@example.org 5"
    write(site / "content/site.yaml", "title: T\ndescription: D\nextras: {a: 1}\nextra: [1]\n")
    result = sitegen("build", cwd=site)
    assert result.stderr == (
        "content/site.yaml:3:1: error: unknown key 'extras'\n"
        "  hint: did you mean 'extra'?\n"
        "content/site.yaml:4:8: error: 'extra' must be a mapping of keys to values, got a list\n"
        "2 errors; nothing written\n"
    )


def test_a_site_without_words_keeps_frameworks(tmp_path: Path, site_factory: SiteFactory) -> None:
    site = site_factory(templates=False)
    assert sitegen("build", cwd=site).returncode == 0
    home = html(site / "output/index.html")
    assert home.css_first("#filters-label").text() == "Frameworks"
    assert [a.attributes["href"] for a in home.css(".filters a")] == ["/frameworks/alpha/"]


def test_a_named_pipe_for_site_yaml_does_not_hang_the_build(site_factory: SiteFactory) -> None:
    # The site's words are read before everything else, as carefully as every fact file.
    site = site_factory()
    (site / "content/site.yaml").unlink()
    os.mkfifo(site / "content/site.yaml")
    result = sitegen("build", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "content/site.yaml: error: not a regular file (a pipe, socket or device)\n"
    )
