"""Tags: an index with counts, a page a tag in date order, links from cards and milestone
pages, labels from site.yaml (a label nothing uses is a warning), in a parser and in
Chromium."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sitegen.build import build_site
from sitegen.cli import main

from .browser import serve_folder
from .conftest import SiteFactory, html

SITE = """\
    title: T
    description: D.
    tags:
      release: {label: Releases, description: Versions for everyone.}
      compiler: {label: Compilers}
    """


def milestone(ident: str, date: str, tags: str) -> str:
    return (
        f"id: {ident}\ndate: '{date}'\nframework: alpha\ntitle: {ident.title()}\n"
        f"summary: About {ident}.\ntags: {tags}\nsources: [{{source: paper}}]\n"
    )


FILES = {
    "content/site.yaml": SITE,
    "content/milestones/alpha-1.yaml": milestone("alpha-1", "2021-06", "[release]"),
    "content/milestones/alpha-2.yaml": milestone("alpha-2", "2020", "[release, compiler]"),
    "content/milestones/alpha-3.yaml": milestone("alpha-3", "2022-01-02", "[eager]"),
}


def words(node) -> str:
    return " ".join(node.text(separator=" ").split())


@pytest.fixture
def tagged(site_factory: SiteFactory) -> Path:
    site = site_factory(FILES)
    build_site(site, site / "output")
    return site / "output"


def test_the_index_lists_every_tag_with_its_label_and_count(tagged: Path) -> None:
    index = html(tagged / "tags" / "index.html")
    assert [words(li) for li in index.css(".tag-list li")] == [
        "Compilers 1 milestone",
        "eager 1 milestone",  # no label in site.yaml: the tag itself
        "Releases 2 milestones Versions for everyone.",
    ]
    links = [a.attributes["href"] for a in index.css(".tag-list a")]
    assert links == ["/tags/compiler/", "/tags/eager/", "/tags/release/"]


def test_a_tag_page_lists_what_carries_it_in_date_order(tagged: Path) -> None:
    page = html(tagged / "tags" / "release" / "index.html")
    assert page.css_first("h1").text() == "Releases"
    assert page.css_first(".lead").text() == "Versions for everyone."
    assert [h.text() for h in page.css("h2")] == ["2020", "2021"]
    titles = [a.text() for a in page.css(".entry-title a")]
    assert titles == ["Alpha-2", "Alpha-1"]
    assert page.css_first("title").text() == "Tagged “Releases” · T"
    description = page.css_first('meta[name="description"]').attributes["content"]
    assert description == (
        "Versions for everyone. The 2 milestones and pages tagged “Releases”, oldest first."
    )


def test_cards_and_milestone_pages_link_their_tags(tagged: Path) -> None:
    home = html(tagged / "index.html")
    card = home.css_first("#alpha-2")
    assert [(a.text(), a.attributes["href"]) for a in card.css(".card-tags a")] == [
        ("Releases", "/tags/release/"),
        ("Compilers", "/tags/compiler/"),
    ]
    page = html(tagged / "milestones" / "alpha-2" / "index.html")
    assert [a.attributes["href"] for a in page.css("ul.tags a")] == [
        "/tags/release/",
        "/tags/compiler/",
    ]
    assert html(tagged / "sitemap.xml").text().count("/tags/") == 4  # the index and three tags
    footer = [a.attributes["href"] for a in home.css(".site-footer a")]
    assert "/tags/" in footer


def test_a_label_for_a_tag_nothing_carries_is_a_warning(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site_yaml = textwrap.dedent(SITE) + "  relase: {label: Typo}\nsite_url: https://example.org\n"
    site = site_factory({**FILES, "content/site.yaml": site_yaml})
    assert main(["build", "--site", str(site)]) == 0
    err = capsys.readouterr().err
    assert err == (
        "content/site.yaml:6:3: warning: the tag 'relase' has a label, but no milestone or page carries it\n"
        "  hint: remove it here, or add 'relase' to the tags of a milestone or page\n"
    )


def test_a_site_without_tags_has_an_empty_index(site_factory: SiteFactory) -> None:
    site = site_factory()
    build_site(site, site / "output")
    assert html(site / "output" / "tags" / "index.html").css_first(".tags-index > p").text() == (
        "No tags yet."
    )
    assert sorted(p.name for p in (site / "output" / "tags").iterdir()) == ["index.html"]


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_tags_lead_from_a_card_to_their_page_and_back_in_chromium(tagged: Path, tab: Page) -> None:
    with serve_folder(tagged) as origin:
        tab.goto(origin + "/")
        # the tag is clickable on the card, above the link that covers the card
        tab.locator("#alpha-2 .card-tags a", has_text="Compilers").click()
        expect(tab).to_have_url(origin + "/tags/compiler/")
        expect(tab.locator("h1")).to_have_text("Compilers")
        tab.locator(".entry-title a").click()
        expect(tab).to_have_url(origin + "/milestones/alpha-2/")
        tab.locator("ul.tags a", has_text="Releases").click()
        expect(tab.locator(".entry-title a")).to_have_text(["Alpha-2", "Alpha-1"])
        tab.locator(".kicker a").click()
        expect(tab).to_have_url(origin + "/tags/")
        expect(tab.locator(".tag-list .tag")).to_have_text(["Compilers", "eager", "Releases"])
