"""The theme inside the package, overridden by a site's `templates/` one file at a time."""

from __future__ import annotations

import os
from pathlib import Path

from sitegen.build import Options, SiteBuilder
from sitegen.environment import fingerprint
from sitegen.theme import packaged_theme, scan
from sitegen.watch import watched_folders

from .conftest import REPO, SiteFactory, html, sitegen, write

OVERRIDE = """\
{% extends "base.html" %}
{% block main %}<h1 class="mine">{{ milestone.title }}, my way</h1>{% endblock %}
"""


def test_the_packaged_theme_is_the_repositorys_templates_folder() -> None:
    # In a source checkout the package reads its theme from templates/, its one source.
    assert packaged_theme() == REPO / "templates"
    assert not (REPO / "sitegen" / "default_theme").exists()  # no second copy in the tree


def test_a_site_without_templates_builds_with_the_packaged_theme(site_factory: SiteFactory) -> None:
    site = site_factory(templates=False)
    result = sitegen("build", cwd=site)
    assert result.returncode == 0, result.stderr
    out = site / "output"
    page = html(out / "milestones/alpha-1/index.html")
    assert page.css_first("h1").text() == "Alpha 1.0"
    stylesheet = page.css_first('link[rel="stylesheet"]').attributes["href"]
    assert stylesheet.startswith("/static/style.css?v=")
    for name in ("style.css", "timeline.js", "favicon.svg"):
        assert (out / "static" / name).read_bytes() == (
            REPO / "templates/static" / name
        ).read_bytes()
    assert (out / "cards/milestones/alpha-1.png").is_file()  # the packaged font draws cards
    assert not (out / "fonts").exists()
    assert sitegen("check", cwd=site).returncode == 0


def test_one_template_and_one_stylesheet_override_the_packaged_ones(
    site_factory: SiteFactory,
) -> None:
    site = site_factory(
        {
            "templates/milestone.html": OVERRIDE,
            "templates/static/style.css": "body { color: #123456; }\n",
        },
        templates=False,
    )
    assert sitegen("build", cwd=site).returncode == 0
    out = site / "output"
    mine = html(out / "milestones/alpha-1/index.html")
    assert mine.css_first("h1.mine").text() == "Alpha 1.0, my way"
    assert mine.css_first(".site-nav a[href='/frameworks/alpha/']")  # base.html: the packaged one
    assert not html(out / "index.html").css_first("h1.mine")  # other pages keep theirs
    assert (out / "static/style.css").read_text() == "body { color: #123456; }\n"
    assert (out / "static/timeline.js").read_bytes() == (
        REPO / "templates/static/timeline.js"
    ).read_bytes()
    # The stylesheet's link carries the override's hash, not the packaged file's.
    own = fingerprint(site / "templates/static/style.css")
    assert own != fingerprint(REPO / "templates/static/style.css")
    for page in ("index.html", "milestones/alpha-1/index.html"):
        link = html(out / page).css_first('link[rel="stylesheet"]').attributes["href"]
        assert link == f"/static/style.css?v={own}"


def test_a_template_loading_one_that_is_nowhere_is_reported_at_its_line(
    site_factory: SiteFactory,
) -> None:
    site = site_factory(
        {
            "templates/milestone.html": (
                '{% extends "base.html" %}\n'
                "{% block main %}\n"
                '{% include "partials/header.html" %}\n'
                '{% from "_macro.html" import sources %}\n'
                '{% include "maybe.html" ignore missing %}\n'
                "{% include name_made_later %}\n"
                "{% endblock %}\n"
            ),
        },
        templates=False,
    )
    result = sitegen("check", cwd=site)
    assert result.returncode == 1
    assert result.stderr == (
        "templates/milestone.html:3: error: template 'partials/header.html' not found\n"
        "  hint: create it in templates/ or fix the name\n"
        "templates/milestone.html:4: error: template '_macro.html' not found\n"
        "  hint: did you mean '_macros.html'?\n"
        "2 errors; nothing written\n"
    )
    assert not (site / "output").exists()


def test_the_site_overrides_win_and_the_rest_comes_from_the_package(tmp_path: Path) -> None:
    write(tmp_path / "templates/base.html", "mine\n")
    write(tmp_path / "templates/static/extra.css", "p {}\n")
    theme = scan(tmp_path / "templates")
    assert theme.templates["base.html"] == tmp_path / "templates/base.html"
    assert theme.templates["milestone.html"] == REPO / "templates/milestone.html"
    assert theme.static["static/extra.css"] == tmp_path / "templates/static/extra.css"
    assert theme.static["static/style.css"] == REPO / "templates/static/style.css"
    assert theme.fonts["fonts/Inter-Bold.otf"] == REPO / "templates/fonts/Inter-Bold.otf"
    assert theme.problems == []


def test_the_dev_server_watches_the_packaged_theme_too(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    wanted = watched_folders(tmp_path)
    assert wanted[(os.path.realpath(REPO / "templates"), "templates")] is True
    # The repository's own site: its templates/ is the packaged theme, watched once.
    assert [folder for folder, _ in watched_folders(REPO)].count(str(REPO / "templates")) == 1
    assert (os.path.realpath(REPO / "templates"), "templates") not in watched_folders(REPO)


def test_an_override_made_while_serving_re_renders_what_it_affects(
    site_factory: SiteFactory,
) -> None:
    site = site_factory(templates=False)
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    before = {p.output: p.data for p in builder.build().pages}
    write(site / "templates/milestone.html", OVERRIDE)
    after = {p.output: p.data for p in builder.build(changed={"templates/milestone.html"}).pages}
    assert b"my way" in after["milestones/alpha-1/index.html"]
    assert after["index.html"] == before["index.html"]
    (site / "templates/milestone.html").unlink()
    again = {p.output: p.data for p in builder.build(changed={"templates/milestone.html"}).pages}
    assert again == before
