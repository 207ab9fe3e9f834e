"""Documentation pages: Markdown under content/pages/ with front matter, addresses from
their paths, navigation from `nav:`, heading anchors and a table of contents, links to
other pages' files, sources and tags, drafts; in a parser, in Chromium and in the dev
server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sitegen.build import Options, build_site
from sitegen.cli import main

from .browser import serve_folder
from .conftest import SiteFactory, html
from .serve_helpers import ServeFactory, atomic_save, running_servers

ABOUT = """\
    ---
    title: About
    description: What this is.
    tags: [meta]
    sources:
      - source: paper
        quote: a quote from the paper
    ---

    Start with the [guide](guide/index.md) or [installing](guide/install.md#on-linux).

    ## Why

    Because.

    ## How it works

    ### Details

    ## Why

    Again, with `code`.
    """
GUIDE = """\
    ---
    title: Guide
    order: 2
    ---
    # One

    Back to [about](../about.md), to [the paper](/sources/paper/) and [a heading](#two).

    # Two
    """
INSTALL = """\
    ---
    title: Installing
    ---
    ## On Linux

    Easy.
    """
SITE = """\
    title: T
    description: D.
    nav: [guide/index.md, about.md]
    """
FILES = {
    "content/site.yaml": SITE,
    "content/pages/about.md": ABOUT,
    "content/pages/guide/index.md": GUIDE,
    "content/pages/guide/install.md": INSTALL,
}


def words(node) -> str:
    return " ".join(node.text(separator=" ").split())


@pytest.fixture
def documented(site_factory: SiteFactory) -> Path:
    site = site_factory(FILES)
    build_site(site, site / "output")
    return site / "output"


def test_a_page_s_path_gives_its_address(documented: Path) -> None:
    assert (documented / "about" / "index.html").is_file()
    assert (documented / "guide" / "index.html").is_file()
    assert (documented / "guide" / "install" / "index.html").is_file()
    sitemap = (documented / "sitemap.xml").read_text()
    assert all(f"<loc>{u}</loc>" in sitemap for u in ("/about/", "/guide/", "/guide/install/"))


def test_the_navigation_lists_the_nav_pages_in_order(documented: Path) -> None:
    about = html(documented / "about" / "index.html")
    items = [(a.text(), a.attributes["href"]) for a in about.css(".site-nav ul a")]
    assert items[-2:] == [("Guide", "/guide/"), ("About", "/about/")]
    current = about.css_first('.site-nav [aria-current="page"]')
    assert current.text() == "About"
    not_found = html(documented / "404.html")
    assert [a.text() for a in not_found.css("main nav a")][-2:] == ["Guide", "About"]


def test_headings_get_stable_anchors_and_a_table_of_contents(documented: Path) -> None:
    about = html(documented / "about" / "index.html")
    headings = [
        (h.tag, h.attributes.get("id"), h.text()) for h in about.css(".doc-body :is(h2, h3)")
    ]
    assert headings == [
        ("h2", "why", "Why"),  # `##` under the page's title is its h2
        ("h2", "how-it-works", "How it works"),
        ("h3", "details", "Details"),
        ("h2", "why-2", "Why"),  # the same words again: numbered
    ]
    toc = [
        (li.attributes["class"], a.attributes["href"])
        for li in about.css(".toc li")
        for a in li.css("a")
    ]
    assert toc == [
        ("toc-2", "#why"),
        ("toc-2", "#how-it-works"),
        ("toc-3", "#details"),
        ("toc-2", "#why-2"),
    ]
    guide = html(documented / "guide" / "index.html")
    assert guide.css_first(".toc") is None  # two headings: no table of contents
    assert [h.attributes["id"] for h in guide.css(".doc-body h2")] == ["one", "two"]


def test_links_to_other_pages_files_lead_to_those_pages(documented: Path) -> None:
    about = html(documented / "about" / "index.html")
    links = [a.attributes["href"] for a in about.css(".doc-body p a")]
    assert links[:2] == ["/guide/", "/guide/install/#on-linux"]
    guide = html(documented / "guide" / "index.html")
    assert [a.attributes["href"] for a in guide.css(".doc-body a")] == [
        "/about/",
        "/sources/paper/",
        "#two",
    ]


def test_a_page_under_a_base_url(site_factory: SiteFactory) -> None:
    site = site_factory(FILES)
    build_site(site, site / "output", Options(base_url="/repo/"))
    guide = html(site / "output" / "guide" / "index.html")
    assert [a.attributes["href"] for a in guide.css(".doc-body a")] == [
        "/repo/about/",
        "/repo/sources/paper/",
        "#two",
    ]


def test_a_page_shows_its_sources_and_tags_and_its_source_lists_it(documented: Path) -> None:
    about = html(documented / "about" / "index.html")
    assert about.css_first("#sources-h").text() == "Sources"
    assert about.css_first(".citations blockquote").text() == "“a quote from the paper”"
    assert [a.attributes["href"] for a in about.css("ul.tags a")] == ["/tags/meta/"]
    source = html(documented / "sources" / "paper" / "index.html")
    assert [a.text() for a in source.css(".use h3 a")] == ["Alpha", "Alpha 1.0", "About"]
    tag = html(documented / "tags" / "meta" / "index.html")
    assert words(tag.css_first(".page-list")) == "About : What this is."


def test_a_draft_page_is_left_out_and_out_of_the_navigation(site_factory: SiteFactory) -> None:
    draft_guide = GUIDE.replace("order: 2", "order: 2\n    draft: true")
    about = ABOUT.replace("the [guide](guide/index.md) or ", "")
    site = site_factory(
        {**FILES, "content/pages/guide/index.md": draft_guide, "content/pages/about.md": about}
    )
    build_site(site, site / "output")
    assert not (site / "output" / "guide" / "index.html").exists()
    nav = [a.text() for a in html(site / "output" / "about" / "index.html").css(".site-nav ul a")]
    assert "Guide" not in nav and "About" in nav
    build_site(site, site / "output", Options(drafts=True))
    guide = html(site / "output" / "guide" / "index.html")
    assert guide.css_first(".draft-notice") is not None
    assert guide.css_first('meta[name="robots"]').attributes["content"] == "noindex"


def test_a_published_page_linking_to_a_draft_page_fails_at_the_link(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    draft_install = INSTALL.replace("title: Installing", "title: Installing\n    draft: true")
    site = site_factory({**FILES, "content/pages/guide/install.md": draft_install})
    assert main(["build", "--site", str(site)]) == 1
    assert capsys.readouterr().err == (
        "content/pages/about.md:10:56: error: links to the draft '/guide/install/' "
        "(content/pages/guide/install.md), not published\n"
        "  hint: publish it (remove 'draft: true'), remove the link, or build with --drafts\n"
        "1 error; nothing written\n"
    )


def test_the_default_site_has_an_about_page_in_its_navigation(default_site: Path) -> None:
    about = html(default_site / "about" / "index.html")
    assert about.css_first("h1").text() == "About this timeline"
    assert [h.text() for h in about.css(".toc a")] == [
        "What it covers",
        "Where the facts come from",
        "How each fact is cited",
        "How to propose a correction",
    ]
    assert about.css_first(".citations") is not None  # its one claim about the frameworks cites
    home = html(default_site / "index.html")
    assert ("About this timeline", "/about/") in [
        (a.text(), a.attributes["href"]) for a in home.css(".site-nav ul a")
    ]


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_pages_navigation_and_anchors_in_chromium(documented: Path, tab: Page) -> None:
    with serve_folder(documented) as origin:
        tab.goto(origin + "/")
        tab.locator(".site-nav a", has_text="About").click()
        expect(tab).to_have_url(origin + "/about/")
        tab.locator(".toc a", has_text="Details").click()
        expect(tab).to_have_url(origin + "/about/#details")
        expect(tab.locator("#details")).to_be_in_viewport()
        tab.locator(".doc-body a", has_text="installing").click()
        expect(tab).to_have_url(origin + "/guide/install/#on-linux")
        expect(tab.locator("h1")).to_have_text("Installing")
        tab.locator(".site-nav a", has_text="Guide").click()
        expect(tab.locator('.site-nav [aria-current="page"]')).to_have_text("Guide")


@pytest.fixture
def serve(site_factory: SiteFactory) -> Iterator[ServeFactory]:
    yield from running_servers(site_factory)


def test_the_dev_server_reloads_a_page_when_its_file_changes(
    serve: ServeFactory, tab: Page
) -> None:
    served = serve(FILES)
    tab.goto(served.url + "about/")
    expect(tab.locator("h1")).to_have_text("About")
    atomic_save(
        served.site / "content" / "pages" / "about.md",
        ABOUT.replace("title: About", "title: About us"),
    )
    expect(tab.locator("h1")).to_have_text("About us")  # the tab reloads by itself
    expect(tab.locator(".site-nav a", has_text="About us")).to_have_count(1)
    assert any(re.search(r"content/pages/about\.md changed", line) for line in served.log)


def test_a_template_nothing_uses_is_a_warning_pointing_to_pages(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_factory(
        {
            "content/site.yaml": "title: T\ndescription: D.\nsite_url: https://example.org\n",
            "templates/about.html": "<p>About us</p>\n",
        }
    )
    assert main(["build", "--site", str(site)]) == 0
    assert capsys.readouterr().err == (
        "templates/about.html: warning: no page is rendered with this template, and no template "
        "uses it\n  hint: a page of your own is Markdown: content/pages/about.md, say\n"
    )


def test_every_template_a_route_renders_is_known_to_the_theme(site_factory: SiteFactory) -> None:
    """theme.PAGE_TEMPLATES decides which templates are in use: it must name every one."""
    from sitegen.build import SiteBuilder
    from sitegen.cards import TEMPLATE as CARD
    from sitegen.routes import plan_routes
    from sitegen.theme import PAGE_TEMPLATES

    site = site_factory({**FILES, "content/milestones/alpha-1.yaml": None})
    builder = SiteBuilder(site, Options(drafts=True))
    result = builder.build()
    assert builder.last is not None
    routes = plan_routes(result.content, builder.last.paths, site / "templates")
    rendered = {r.template for r in routes if r.template and r.template != CARD}
    assert rendered - PAGE_TEMPLATES == set()
    assert {"page.html", "tags.html", "timeline.html"} <= rendered
