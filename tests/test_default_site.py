"""The site the project ships: it builds, its links hold, and it says what the article says."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
import yaml

from sitegen.build import build_site
from sitegen.links import check_links

from .conftest import REPO, html


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("default") / "output"
    build_site(REPO, out)
    assert check_links(build_site(REPO, None).pages, "/") == []
    return out


def test_every_milestone_is_on_the_timeline_and_has_a_page(output: Path) -> None:
    ids = sorted(p.stem for p in (REPO / "content/milestones").glob("*.yaml"))
    cards = html(output / "index.html").css("article.card")
    assert sorted(c.attributes["id"] for c in cards) == ids
    for milestone in ids:
        assert (output / "milestones" / milestone / "index.html").is_file()


def test_three_framework_pages_in_track_order(output: Path) -> None:
    nav = html(output / "index.html").css("header nav a")
    assert [a.text() for a in nav][1:] == [
        "PyTorch",
        "TensorFlow",
        "JAX",
        "Foundation",
        "About this timeline",
    ]
    for framework in ("pytorch", "tensorflow", "jax"):
        assert (output / "frameworks" / framework / "index.html").is_file()


def test_foundation_page_names_the_whole_board_and_the_principles(output: Path) -> None:
    page = html(output / "foundation/index.html")
    text = page.body.text(separator=" ")
    for member in (
        "AMD",
        "Amazon Web Services",
        "Google Cloud",
        "Meta",
        "Microsoft Azure",
        "Nvidia",
    ):
        assert member in text
    assert "Linux Foundation" in text
    assert "Santosh Janardhan, Vice President of Infrastructure, Meta" in text
    principles = page.css_first('section[aria-labelledby="principles-h"]')
    assert len(principles.css("li")) >= 4


def test_the_article_source_page_lists_the_facts_drawn_from_it(output: Path) -> None:
    page = html(output / "sources/article-2022-09-14/index.html")
    assert len(page.css(".use")) >= 20
    assert "PyToarch" not in page.body.text()


def test_a_cross_track_milestone_is_listed_on_each_of_its_tracks(output: Path) -> None:
    for framework in ("tensorflow", "jax", "pytorch"):
        page = html(output / "frameworks" / framework / "index.html")
        links = [a.attributes.get("href") for a in page.css("a")]
        assert "/milestones/keras-3/" in links, framework


def test_the_foundation_page_gives_metas_principles_not_the_translation(output: Path) -> None:
    principles = html(output / "foundation/index.html").css_first(
        'section[aria-labelledby="principles-h"]'
    )
    items = [li.text().strip() for li in principles.css("ul.items li")]
    assert items == [
        "Remaining open.",
        "Maintaining neutral branding.",
        "Staying fair.",
        "Forging a strong technical identity.",
    ]


def test_the_feed_says_when_a_date_is_known_only_to_the_month_or_year(output: Path) -> None:
    feed = feedparser.parse((output / "feed.xml").read_bytes())
    content = {e.title: e.content[0].value for e in feed.entries}
    assert content["JAX released on GitHub"].startswith(
        "<p>Date: 2018 (known to the year only).</p>"
    )
    assert content["PyTorch 0.4: Tensor and Variable merged"].startswith(
        "<p>Date: April 2018 (known to the month only).</p>"
    )
    assert not content["PyTorch 2.6: safer loading by default"].startswith("<p>Date:")


def test_every_quote_of_an_archived_source_is_verified_by_the_build() -> None:
    archived = {
        path.stem
        for path in (REPO / "content/sources").glob("*.yaml")
        if "archive" in yaml.safe_load(path.read_text(encoding="utf-8"))
    }
    quoted = sum(
        1
        for path in (REPO / "content").rglob("*.yaml")
        for mapping in walk(yaml.safe_load(path.read_text(encoding="utf-8")))
        if mapping.get("source") in archived and "quote" in mapping
    )
    report = build_site(REPO, None).quotes
    assert report.problems == ()
    assert report.verified == quoted >= 15
    total = len(list((REPO / "content/sources").glob("*.yaml")))
    assert report.unarchived == total - len(archived)


def walk(node: object) -> list[dict]:
    """Every mapping nested anywhere in a loaded YAML document."""
    if isinstance(node, dict):
        return [node, *(m for value in node.values() for m in walk(value))]
    if isinstance(node, list):
        return [m for value in node for m in walk(value)]
    return []
