"""Drafts: `sitegen build` leaves them out of everything, `--drafts` and `sitegen serve`
show them marked as drafts, and a published text that links to one fails the build."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sitegen.build import Options, build_site
from sitegen.cli import main

from .conftest import SiteFactory, html, tree_bytes
from .serve_helpers import ServeFactory, replace_in, running_servers

DRAFT = """\
    id: alpha-2
    date: 2021-03
    framework: alpha
    title: Alpha 2 (in the works)
    summary: Not announced yet.
    tags: [release]
    draft: true
    sources: [{source: paper, quote: secret plans}]
    """
WAIT_MS = 20_000


def built(site: Path, drafts: bool) -> dict[str, bytes]:
    build_site(site, site / "output", Options(drafts=drafts, cache=False))
    return tree_bytes(site / "output")


def test_a_build_leaves_a_draft_out_of_every_output(site_factory: SiteFactory) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": DRAFT})
    files = built(site, drafts=False)
    assert not any("alpha-2" in name for name in files)  # no page, no social card
    assert [
        name for name, data in files.items() if b"Alpha 2" in data or b"secret plans" in data
    ] == []
    events = json.loads(files["timeline.json"])["events"]
    assert [e["unique_id"] for e in events] == ["alpha-1"]
    assert b"milestones/alpha-2" not in files["sitemap.xml"] + files["feed.xml"]
    # the one milestone left has no neighbour, and its source no second use
    milestone = html(site / "output" / "milestones" / "alpha-1" / "index.html")
    assert milestone.css_first(".neighbours") is None


def test_with_drafts_a_build_shows_them_marked(site_factory: SiteFactory) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": DRAFT})
    files = built(site, drafts=True)
    assert "milestones/alpha-2/index.html" in files
    home = html(site / "output" / "index.html")
    draft = home.css_first("#alpha-2")
    assert "draft" in draft.attributes["class"].split()
    assert draft.css_first(".draft-badge").text() == "Draft"
    assert home.css_first("#alpha-1 .draft-badge") is None
    page = html(site / "output" / "milestones" / "alpha-2" / "index.html")
    assert page.css_first(".draft-notice").text() == (
        "A draft: sitegen serve shows it, sitegen build leaves it out."
    )
    assert page.css_first('meta[name="robots"]').attributes["content"] == "noindex"
    framework = html(site / "output" / "frameworks" / "alpha" / "index.html")
    assert framework.css_first("#alpha-2 .draft-badge").text() == "Draft"
    # a published milestone is not marked, nor kept from search engines
    published = html(site / "output" / "milestones" / "alpha-1" / "index.html")
    assert published.css_first(".draft-notice") is None
    assert published.css_first('meta[name="robots"]') is None


def test_the_command_line_takes_drafts(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": DRAFT})
    assert main(["build", "--site", str(site), "--no-cache"]) == 0
    assert not (site / "output" / "milestones" / "alpha-2").exists()
    assert main(["build", "--site", str(site), "--drafts", "--no-cache"]) == 0
    assert (site / "output" / "milestones" / "alpha-2" / "index.html").exists()
    assert main(["check", "--site", str(site), "--drafts"]) == 0


def test_the_cache_does_not_carry_drafts_from_one_run_to_the_next(
    site_factory: SiteFactory,
) -> None:
    """The same files planned with and without drafts: each run plans its own routes."""
    site = site_factory({"content/milestones/alpha-2.yaml": DRAFT})
    for drafts in (True, False, True):
        build_site(site, site / "output", Options(drafts=drafts))
        assert (site / "output" / "milestones" / "alpha-2").exists() == drafts


def test_a_published_milestone_that_links_to_a_draft_fails_at_the_link(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    linking = """\
        id: alpha-1
        date: 2020-05-04
        framework: alpha
        title: Alpha 1.0
        summary: |
          The first release,
          before [the second](/milestones/alpha-2/).
        sources: [{source: paper}]
        """
    site = site_factory(
        {"content/milestones/alpha-2.yaml": DRAFT, "content/milestones/alpha-1.yaml": linking}
    )
    assert main(["build", "--site", str(site)]) == 1
    assert capsys.readouterr().err == (
        "content/milestones/alpha-1.yaml:7:23: error: links to the draft '/milestones/alpha-2/' "
        "(content/milestones/alpha-2.yaml), not published\n"
        "  hint: publish it (remove 'draft: true'), remove the link, or build with --drafts\n"
        "1 error; nothing written\n"
    )
    assert main(["build", "--site", str(site), "--drafts"]) == 0


def test_a_draft_may_link_to_another_draft(site_factory: SiteFactory) -> None:
    other = DRAFT.replace("alpha-2", "alpha-3").replace(
        "Not announced yet.", "After [2](/milestones/alpha-2/)."
    )
    site = site_factory(
        {"content/milestones/alpha-2.yaml": DRAFT, "content/milestones/alpha-3.yaml": other}
    )
    assert "milestones/alpha-3/index.html" not in built(site, drafts=False)


@pytest.fixture
def serve(site_factory: SiteFactory) -> Iterator[ServeFactory]:
    yield from running_servers(site_factory)


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def test_serve_shows_a_draft_marked_and_publishing_it_clears_the_mark(
    serve: ServeFactory, tab: Page
) -> None:
    served = serve({"content/milestones/alpha-2.yaml": DRAFT})
    tab.goto(served.url)
    badge = tab.locator("#alpha-2 .draft-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text(re.compile("draft", re.IGNORECASE))
    expect(tab.locator(".card")).to_have_count(2)
    tab.locator("#alpha-2 .card-title a").click()
    expect(tab.locator(".draft-notice")).to_be_visible()
    replace_in(
        served.site / "content" / "milestones" / "alpha-2.yaml", "draft: true", "draft: false"
    )
    expect(tab.locator(".draft-notice")).to_have_count(0)  # the tab reloads by itself
    tab.goto(served.url)
    expect(tab.locator(".draft-badge")).to_have_count(0)


@pytest.mark.parametrize(
    ("argv", "drafts"),
    [
        (["serve"], True),  # the dev server always shows drafts
        (["build"], False),
        (["build", "--drafts"], True),
        (["check"], False),
        (["check", "--drafts"], True),
    ],
)
def test_which_commands_show_drafts(argv: list[str], drafts: bool) -> None:
    from sitegen.arguments import make_parser
    from sitegen.cli import options_from

    assert options_from(make_parser().parse_args(argv)).drafts is drafts
