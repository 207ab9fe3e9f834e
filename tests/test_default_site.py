"""The site the project ships: it builds, its links hold, and it says what the article says."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    assert [a.text() for a in nav][1:] == ["PyTorch", "TensorFlow", "JAX", "Foundation"]
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
