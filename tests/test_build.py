"""Whole builds of small fixture sites, checked with an HTML parser."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitegen.build import Options, SiteBuilder, build_site
from sitegen.diagnostics import SiteError

from .conftest import SiteFactory, html, tree_bytes

ATOM = "{http://www.w3.org/2005/Atom}"
SECOND_MILESTONE = """\
    id: alpha-2
    date: 2021
    framework: alpha
    title: Alpha 2
    summary: "See [the first](/milestones/alpha-1/) and [the paper](https://example.org/p)."
    sources:
      - url: https://example.org/blog
        title: The blog
    """


def test_builds_every_page_of_the_content_model(site_factory: SiteFactory) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": SECOND_MILESTONE})
    build_site(site, site / "output")
    files = sorted(f for f in tree_bytes(site / "output") if not f.startswith("pagefind/"))
    assert files == [
        ".nojekyll",
        ".sitegen-manifest",  # what this build wrote, so the next one knows what it may replace
        "404.html",
        "cards/frameworks/alpha.png",
        "cards/index.png",
        "cards/milestones/alpha-1.png",
        "cards/milestones/alpha-2.png",
        "feed.xml",
        "frameworks/alpha/index.html",
        "index.html",
        "milestones/alpha-1/index.html",
        "milestones/alpha-2/index.html",
        "robots.txt",
        "sitemap.xml",
        "sources/paper/index.html",
        "static/favicon.svg",
        "static/search.js",
        "static/style.css",
        "static/timeline.js",
        "tags/index.html",  # always there (the footer links it), empty here
        "timeline.json",
    ]
    # The search index: Pagefind's script, the index of the four searchable pages (the
    # milestones, the track and the source; not the timeline or the 404 page).
    search = sorted(f for f in tree_bytes(site / "output") if f.startswith("pagefind/"))
    part = "pagefind/part-1-of-1/"  # a small site's index comes in one part
    assert {f"{part}pagefind.js", f"{part}pagefind-entry.json", "pagefind/parts.json"} <= set(
        search
    )
    assert {f"{part}wasm.en.pagefind", f"{part}pagefind-worker.js"} <= set(search)
    assert len([f for f in search if f.startswith(f"{part}fragment/")]) == 4


def test_timeline_lists_milestones_by_year_with_dates_at_their_precision(
    site_factory: SiteFactory,
) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": SECOND_MILESTONE})
    build_site(site, site / "output")
    page = html(site / "output/index.html")
    years = [h.text(strip=True) for h in page.css(".year-marker")]
    assert years == ["2020", "2021"]
    cards = page.css("article.card")
    assert [c.attributes["id"] for c in cards] == ["alpha-1", "alpha-2"]
    dates = [(t.attributes["datetime"], t.text()) for t in page.css("article.card time")]
    assert dates == [("2020-05-04", "4 May 2020"), ("2021", "2021")]
    link = cards[0].css_first("a")
    assert link.attributes["href"] == "/milestones/alpha-1/"
    assert link.text() == "Alpha 1.0"


def test_milestone_page_shows_summary_sources_and_neighbours(site_factory: SiteFactory) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": SECOND_MILESTONE})
    build_site(site, site / "output")
    page = html(site / "output/milestones/alpha-1/index.html")
    assert page.css_first("h1").text() == "Alpha 1.0"
    assert page.css_first("main time").attributes["datetime"] == "2020-05-04"
    citation = page.css_first(".citations li")
    assert citation.css_first("a").attributes["href"] == "/sources/paper/"
    assert citation.css_first("blockquote").text() == "“released”"
    nav = [a.attributes["href"] for a in page.css("nav.neighbours a")]
    assert nav == ["/milestones/alpha-2/"]  # once: next overall is next on its track
    trail = [a.attributes["href"] for a in page.css("nav.trail a")]
    assert trail == ["/", "/#alpha-1"]


def test_source_page_lists_every_fact_drawn_from_it(site_factory: SiteFactory) -> None:
    site = site_factory()
    build_site(site, site / "output")
    page = html(site / "output/sources/paper/index.html")
    assert [a.text() for a in page.css(".use h3 a")] == ["Alpha", "Alpha 1.0"]
    assert page.css_first("dd a").attributes["href"] == "https://example.org/paper"


def test_base_url_prefixes_every_internal_link(site_factory: SiteFactory) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": SECOND_MILESTONE})
    build_site(site, site / "output", Options(base_url="/repo/"))
    for page_path in (site / "output").rglob("*.html"):
        page = html(page_path)
        for node in page.css("a[href], link[href], script[src]"):
            url = node.attributes.get("href") or node.attributes.get("src") or ""
            if not url.startswith(("http", "mailto:", "#")):
                assert url.startswith("/repo/"), (page_path, url)
    page = html(site / "output/milestones/alpha-2/index.html")
    markdown_link = next(a for a in page.css("main a") if a.text() == "the first")
    assert markdown_link.attributes["href"] == "/repo/milestones/alpha-1/"


def test_timeline_json_uses_timelinejs_format(site_factory: SiteFactory) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": SECOND_MILESTONE})
    build_site(site, site / "output")
    events = json.loads((site / "output/timeline.json").read_text())["events"]
    assert [(e["unique_id"], e["group"], e["start_date"]) for e in events] == [
        ("alpha-1", "alpha", {"year": 2020, "month": 5, "day": 4}),
        ("alpha-2", "alpha", {"year": 2021}),
    ]
    assert events[0]["text"] == {"headline": "Alpha 1.0", "text": "<p>The first release.</p>\n"}


def test_raw_html_in_markdown_is_escaped(site_factory: SiteFactory) -> None:
    hostile = SECOND_MILESTONE.replace(
        'summary: "See', 'summary: "<script>alert(1)</script> [x](javascript:alert(1)) See'
    )
    site = site_factory({"content/milestones/alpha-2.yaml": hostile})
    build_site(site, site / "output")
    page = html(site / "output/milestones/alpha-2/index.html")
    assert page.css("main script") == []
    assert "<script>alert(1)</script> [x](javascript:alert(1))" in page.css_first("main").text()
    assert all("javascript" not in a.attributes.get("href", "") for a in page.css("a"))


def test_builds_are_byte_identical(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": SECOND_MILESTONE})
    build_site(site, tmp_path / "one")
    build_site(site, tmp_path / "two")
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_failed_build_leaves_previous_output_untouched(site_factory: SiteFactory) -> None:
    site = site_factory()
    build_site(site, site / "output")
    before = tree_bytes(site / "output")
    (site / "content/site.yaml").write_text("title: [broken\n")
    with pytest.raises(SiteError):
        build_site(site, site / "output")
    assert tree_bytes(site / "output") == before
    hidden = [p.name for p in site.iterdir() if p.name.startswith(".")]
    assert hidden in ([], [".sitegen-cache"]), "no staging folder is left behind"


def test_pages_that_no_longer_exist_disappear(site_factory: SiteFactory) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": SECOND_MILESTONE})
    build_site(site, site / "output")
    (site / "content/milestones/alpha-2.yaml").unlink()
    build_site(site, site / "output")
    assert not (site / "output/milestones/alpha-2").exists()
    assert (site / "output/milestones/alpha-1/index.html").exists()


def test_rebuild_rerenders_only_pages_whose_inputs_changed(site_factory: SiteFactory) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": SECOND_MILESTONE})
    builder = SiteBuilder(site)
    first = builder.build()
    assert builder.build().rendered == 0  # static assets too are known by their bytes
    path = site / "content/milestones/alpha-2.yaml"
    path.write_text(path.read_text().replace("title: Alpha 2", "title: Alpha Two"))
    again = builder.build()
    changed = {p.output for p, q in zip(again.pages, first.pages, strict=True) if p.data != q.data}
    assert changed == {
        "index.html",
        "feed.xml",
        "timeline.json",
        "frameworks/alpha/index.html",
        "milestones/alpha-1/index.html",  # its "next" link names alpha-2
        "milestones/alpha-2/index.html",
        "cards/milestones/alpha-2.png",  # its title is on its social card
    }
    assert again.pages == build_site(site, None).pages


def test_the_feed_carries_the_newest_fifty_milestones(site_factory: SiteFactory) -> None:
    site = site_factory(
        {
            f"content/milestones/m-{i:02d}.yaml": f"""\
                id: m-{i:02d}
                date: {1960 + i}
                framework: alpha
                title: Milestone {i}
                summary: Number {i}.
                sources: [{{source: paper}}]
                """
            for i in range(55)
        }
    )
    build_site(site, site / "output")
    feed = ET.parse(site / "output" / "feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    # alpha-1 (2020) is the newest; then 54 back to 6: the oldest five are left out
    assert titles == ["Alpha 1.0", *(f"Milestone {i}" for i in range(54, 5, -1))]


def test_a_framework_page_groups_its_milestones_by_year(site_factory: SiteFactory) -> None:
    site = site_factory({"content/milestones/alpha-2.yaml": SECOND_MILESTONE})
    build_site(site, site / "output")
    page = html(site / "output/frameworks/alpha/index.html")
    years = [h.text(strip=True) for h in page.css("h3.framework-year")]
    assert years == ["2020", "2021"]
    groups = [[e.attributes["id"] for e in g.css("li.entry")] for g in page.css(".changelog")]
    assert groups == [["alpha-1"], ["alpha-2"]]
    assert {h.tag for h in page.css(".entry .entry-title")} == {"h4"}
    assert page.css_first(".entry .fw-tag") is None  # the page's track is not repeated


def test_a_cross_track_milestone_is_listed_on_every_track_it_names(
    site_factory: SiteFactory,
) -> None:
    beta = """\
        id: beta
        name: Beta
        order: 2
        color: "#1d4ed8"
        website: https://example.org/beta
        """
    both = SECOND_MILESTONE.replace("framework: alpha", "framework: alpha\n    also: [beta]")
    site = site_factory(
        {"content/frameworks/beta.yaml": beta, "content/milestones/alpha-2.yaml": both}
    )
    build_site(site, site / "output")
    for track, expected in (("alpha", ["alpha-1", "alpha-2"]), ("beta", ["alpha-2"])):
        page = html(site / f"output/frameworks/{track}/index.html")
        assert [e.attributes["id"] for e in page.css("li.entry")] == expected
    beta_page = html(site / "output/frameworks/beta/index.html")
    assert beta_page.css_first(".entry-also").text(strip=True) == "WithAlpha"
    timeline = html(site / "output/index.html")
    card = timeline.css_first("#alpha-2")
    assert card.attributes["data-fw"] == "alpha beta"
    assert [t.text() for t in card.css(".fw-tag")] == ["Alpha", "Beta"]
    dots = [d.attributes["data-fw"] for d in timeline.css("#y2021 .dot")]
    assert dots == ["alpha", "beta"]  # a marker on each of its tracks' lines
