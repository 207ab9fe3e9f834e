"""The default site's pages, read with a real HTML parser: the timeline's parts, sharing
tags and JSON-LD, the weight budget, and no request to any other host."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from sitegen.render import plain_text

from .conftest import REPO, SiteFactory, html, sitegen

SITE_URL = "https://example.org"


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_each_card_has_the_milestone_id_its_date_at_precision_and_a_link(
    default_site: Path,
) -> None:
    tree = html(default_site / "index.html")
    cards = {c.attributes["id"]: c for c in tree.css(".timeline article.card")}
    assert len(cards) == len(list((default_site / "milestones").iterdir()))
    launched = cards["pytorch-launched"]
    assert launched.css_first("time").attributes["datetime"] == "2016"
    assert launched.css_first("time").text() == "2016"
    assert cards["tensorflow-1-0"].css_first("time").text() == "February 2017"
    foundation = cards["pytorch-foundation-announced"]
    assert foundation.css_first("time").text() == "12 September 2022"
    assert (
        foundation.css_first(".card-title a").attributes["href"]
        == "/milestones/pytorch-foundation-announced/"
    )
    assert foundation.css_first(".card-title").text() == "PyTorch Foundation announced"
    assert (
        foundation.css_first(".fw-tag").text() == "PyTorch"
    )  # the framework in words, not colour only
    assert foundation.css_first(".card-summary").text().startswith("Mark Zuckerberg announces")


def lane_count(track: str) -> str:
    """What a lane's head should say of the default content: its milestones, cross-track
    ones included, and the years they span."""
    years = []
    for path in (REPO / "content" / "milestones").glob("*.yaml"):
        fields = yaml.safe_load(path.read_text())
        if track == fields["framework"] or track in fields.get("also", ()):
            years.append(int(str(fields["date"])[:4]))
    return f"{len(years)} milestones, {min(years)}\u2013{max(years)}"


def test_tracks_and_filters_follow_the_framework_order(default_site: Path) -> None:
    tree = html(default_site / "index.html")
    heads = [h.css_first("a").text() for h in tree.css(".lane-heads .lane-head")]
    assert heads == ["PyTorch", "TensorFlow", "JAX"]
    counts = [h.css_first(".lane-count").text() for h in tree.css(".lane-heads .lane-head")]
    assert counts == [lane_count(track) for track in ("pytorch", "tensorflow", "jax")]
    links = [(a.text().strip(), a.attributes["href"]) for a in tree.css(".filters a")]
    assert links == [
        ("PyTorch", "/frameworks/pytorch/"),
        ("TensorFlow", "/frameworks/tensorflow/"),
        ("JAX", "/frameworks/jax/"),
    ]


def test_years_have_markers_and_a_jump_navigation(default_site: Path) -> None:
    tree = html(default_site / "index.html")
    markers = [h.text() for h in tree.css(".year h2.year-marker")]
    jumps = [(a.text(), a.attributes["href"]) for a in tree.css(".years a")]
    assert markers[0] == "2015"
    assert jumps == [(year, f"#y{year}") for year in markers]
    assert all(tree.css_first(f"section#y{year}") for year in markers)


def test_eras_from_content_are_labelled_where_they_start(default_site: Path) -> None:
    tree = html(default_site / "index.html")
    eras = [
        (e.css_first(".era-title").text(), e.css_first(".era-span").text())
        for e in tree.css(".era")
    ]
    assert eras == [
        ("Led by Google", "2015 \u2013 today"),
        ("Led by Meta", "2016 \u2013 September 2022"),
        ("The PyTorch Foundation era", "September 2022 \u2013 today"),
    ]
    # The foundation era begins just before the announcement, inside 2022.
    year_2022 = tree.css_first("#y2022").html
    assert year_2022.index("The PyTorch Foundation era") < year_2022.index(
        'id="pytorch-foundation-announced"'
    )


def test_plain_text_drops_markdown_but_keeps_words() -> None:
    assert plain_text(
        "Adds `torch.compile`,\n a *fast* [compiler](https://x.org) & <b>more</b>"
    ) == ("Adds torch.compile, a fast compiler & <b>more</b>")


def test_every_page_has_title_description_canonical_and_social_tags(default_site: Path) -> None:
    titles = set()
    for path in pages(default_site):
        tree = html(path)
        url = "/" + path.relative_to(default_site).as_posix().removesuffix("index.html")
        meta = {
            m.attributes.get("property") or m.attributes.get("name"): m.attributes.get("content")
            for m in tree.css("head meta")
        }
        title = tree.css_first("title").text()
        titles.add(title)
        assert meta["description"], url
        assert meta["og:title"] == meta["twitter:title"] == title, url
        assert meta["og:description"] == meta["twitter:description"] == meta["description"], url
        assert meta["twitter:card"] == "summary_large_image"
        if path.name == "index.html":
            assert tree.css_first("link[rel=canonical]").attributes["href"] == SITE_URL + url
            assert meta["og:url"] == SITE_URL + url
    assert len(titles) == len(pages(default_site))  # every page has a title of its own


def json_ld(path: Path, kind: str = "") -> dict:
    """The page's one JSON-LD block (of `@type` kind, when it has several)."""
    blocks = [json.loads(s.text()) for s in html(path).css('script[type="application/ld+json"]')]
    blocks = [b for b in blocks if b["@type"] == kind] if kind else blocks
    assert len(blocks) == 1, path
    return blocks[0]


def test_json_ld_describes_the_timeline_milestones_and_foundation(default_site: Path) -> None:
    site = json_ld(default_site / "index.html", "WebSite")
    assert (site["name"], site["inLanguage"]) == ("PyTorch, TensorFlow and JAX: a timeline", "en")
    timeline = json_ld(default_site / "index.html", "ItemList")
    assert timeline["@type"] == "ItemList"
    first = timeline["itemListElement"][0]
    # A summary page: each item points to the milestone's page, which describes it in full.
    assert first == {
        "@type": "ListItem",
        "position": 1,
        "url": SITE_URL + "/milestones/tensorflow-open-sourced/",
    }
    milestones = len(list((REPO / "content/milestones").glob("*.yaml")))
    assert timeline["numberOfItems"] == len(timeline["itemListElement"]) == milestones
    milestone = json_ld(default_site / "milestones" / "pytorch-launched" / "index.html")
    assert (milestone["@type"], milestone["startDate"]) == ("Event", "2016")
    assert milestone["@context"] == "https://schema.org"
    foundation = json_ld(default_site / "foundation" / "index.html")
    assert foundation["@type"] == "Organization"
    assert foundation["name"] == "PyTorch Foundation"
    assert foundation["parentOrganization"]["name"] == "Linux Foundation"
    assert [m["name"] for m in foundation["member"]][:2] == ["AMD", "Amazon Web Services"]


def test_json_ld_cannot_close_its_script_element(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = site_factory(
        {
            "content/milestones/alpha-1.yaml": """\
        id: alpha-1
        date: 2020-05-04
        framework: alpha
        title: "</script><script>alert(1)</script>"
        summary: The first release.
        sources: [{source: paper}]
        """
        }
    )
    assert sitegen("build", "--site", site, "--out", tmp_path / "out").returncode == 0
    page = (tmp_path / "out" / "milestones" / "alpha-1" / "index.html").read_text()
    assert "<script>alert(1)" not in page
    assert json_ld(tmp_path / "out" / "milestones" / "alpha-1" / "index.html")["name"].startswith(
        "</script>"
    )


def test_no_page_asks_another_host_for_anything(default_site: Path) -> None:
    for path in pages(default_site):
        tree = html(path)
        for node in tree.css("script[src], link[href], img[src], iframe, source, video, audio"):
            address = node.attributes.get("src") or node.attributes.get("href") or ""
            if node.tag == "link" and node.attributes.get("rel") == "canonical":
                continue
            assert address.startswith("/") and not address.startswith("//"), (path, address)
        assert "@import" not in (tree.css_first("style").text() if tree.css_first("style") else "")
    css = (default_site / "static" / "style.css").read_text()
    assert "url(" not in css and "@import" not in css


def test_the_timeline_with_all_its_assets_stays_under_100_kb(default_site: Path) -> None:
    tree = html(default_site / "index.html")
    assets = [
        n.attributes.get("src") or n.attributes["href"]
        for n in tree.css("script[src], link[rel=stylesheet], link[rel=icon], img[src]")
    ]
    files = {default_site / "index.html"} | {
        default_site / a.split("?")[0].lstrip("/") for a in assets
    }
    assert {f.name for f in files} >= {"index.html", "style.css", "timeline.js", "favicon.svg"}
    assert sum(f.stat().st_size for f in files) < 100_000


def test_milestone_pages_show_every_source_with_quote_and_their_place(
    default_site: Path,
) -> None:
    tree = html(default_site / "milestones" / "pytorch-foundation-announced" / "index.html")
    assert tree.css_first("h1").text() == "PyTorch Foundation announced"
    assert tree.css_first(".page-head time").attributes["datetime"] == "2022-09-12"
    citations = tree.css(".citations li")
    assert len(citations) == 4
    assert citations[0].css_first("blockquote").text() == "“Mark Zuckerberg announces”"
    assert citations[0].css_first("a").attributes["href"] == "/sources/article-2022-09-14/"
    assert any(a.text().startswith("original") for a in citations[1].css("a"))
    trail = [(a.text(), a.attributes["href"]) for a in tree.css(".trail a")]
    assert trail == [("Timeline", "/"), ("2022", "/#pytorch-foundation-announced")]
    labels = {a.css_first(".label").text(): a.attributes["href"] for a in tree.css(".neighbours a")}
    assert labels == {
        "← Previous in PyTorch": "/milestones/pytorch-1-3-mobile/",
        "Next in PyTorch →": "/milestones/pytorch-2-0-announced/",
    }
    strip = {
        li.css_first(".fw-tag").text(): [a.attributes["href"] for a in li.css("a")]
        for li in tree.css(".strip > li")
    }
    assert strip == {
        "TensorFlow": ["/milestones/tensorflow-2-0/", "/milestones/google-deepmind/"],
        "JAX": ["/milestones/jax-sysml-paper/", "/milestones/jax-array/"],
    }


def test_the_foundation_page_has_every_part(default_site: Path) -> None:
    tree = html(default_site / "foundation" / "index.html")
    headings = [h.text() for h in tree.css("h2")]
    assert headings == [
        "Parent organisation",
        "Announcement",
        "Governing board at launch",
        "Principles",
        "Purposes",
        "Business and technical governance",
        "Open-source philosophy",
        "Statements",
        "Milestones",
        "Sources",
    ]
    announcement = tree.css_first("section[aria-labelledby=announcement-h]").text()
    assert (
        "12 September 2022" in announcement
        and "Mark Zuckerberg, founder and CEO of Meta" in announcement
    )
    speakers = [f.text() for f in tree.css(".statement figcaption")]
    assert speakers[0] == "Santosh Janardhan, Vice President of Infrastructure, Meta"
    assert tree.css_first(".milestone-list a").attributes["href"].startswith("/milestones/")
    facts = [
        s
        for s in tree.css("section")
        if s.attributes["aria-labelledby"] not in ("milestones-h", "notes-h")
    ]
    assert all(s.css("a.ref") for s in facts)  # every part cites its sources
    notes = tree.css(".notes li")
    refs = tree.css("a.ref")
    assert {a.attributes["href"] for a in refs} == {f"#note-{i}" for i in range(1, len(notes) + 1)}
    for a in refs:  # each reference and its way back
        assert tree.css_first(f'.notes a.backref[href="#{a.attributes["id"]}"]'), a.attributes["id"]


def test_a_source_page_shows_each_statement_once_with_all_its_quotes(default_site: Path) -> None:
    tree = html(default_site / "sources" / "article-2022-09-14" / "index.html")
    statements = [
        (u.css_first("h3 a").attributes["href"], u.css_first("p").text()) for u in tree.css(".use")
    ]
    assert len(statements) == len(set(statements))
    board = next(u for u in tree.css(".use") if u.css_first("p").text().startswith("At launch"))
    assert [q.text() for q in board.css("blockquote")] == [
        "“AMD, Amazon Web Services, Google Cloud, Meta, Microsoft Azure and Nvidia”",
        "“further expansion over time”",
    ]
