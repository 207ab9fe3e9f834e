"""Social cards: the PNG maker on its own, and the cards of a built site."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from sitegen.cards import FONT, card_url, social_card

from .conftest import REPO, SiteFactory, html, sitegen

FONT_PATH = REPO / "templates" / FONT
PYTORCH = ("PyTorch", "#ac3505", "circle")
JAX = ("JAX", "#6840be", "diamond")


def pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_a_card_is_a_1200_by_630_png_the_same_every_time() -> None:
    made = [
        social_card("PyTorch 2.0", "15 March 2023", [PYTORCH], "A site", FONT_PATH) for _ in "ab"
    ]
    assert made[0] == made[1]
    image = Image.open(io.BytesIO(made[0]))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assert len(made[0]) < 40_000


def test_a_card_shows_its_track_colours_and_changes_with_what_it_shows() -> None:
    one = pixels(social_card("Title", "2016", [PYTORCH, JAX], "Site", FONT_PATH))
    assert one.getpixel((5, 100)) == (0xAC, 0x35, 0x05)  # the edge: one stripe a track
    assert one.getpixel((5, 500)) == (0x68, 0x40, 0xBE)
    assert one.getpixel((600, 600)) == (0xFB, 0xFA, 0xF7)  # the page
    base = social_card("Title", "2016", [PYTORCH], "Site", FONT_PATH)
    for other in (
        social_card("Title!", "2016", [PYTORCH], "Site", FONT_PATH),
        social_card("Title", "2017", [PYTORCH], "Site", FONT_PATH),
        social_card("Title", "2016", [JAX], "Site", FONT_PATH),
        social_card("Title", "2016", [PYTORCH], "Site 2", FONT_PATH),
    ):
        assert other != base


def test_a_long_title_gets_smaller_and_stays_on_the_card() -> None:
    long = pixels(social_card("word " * 60, "2016", [PYTORCH], "Site", FONT_PATH))
    right_margin = long.crop((1125, 0, 1200, 630))
    assert right_margin.getcolors() == [(75 * 630, (0xFB, 0xFA, 0xF7))]


def test_card_urls_follow_the_pages() -> None:
    assert card_url("/") == "/cards/index.png"
    assert card_url("/milestones/pytorch-2-0/") == "/cards/milestones/pytorch-2-0.png"


def test_every_page_shares_a_large_card(default_site: Path) -> None:
    for page, card in [
        ("index.html", "cards/index.png"),
        ("frameworks/jax/index.html", "cards/frameworks/jax.png"),
        ("milestones/pytorch-2-0/index.html", "cards/milestones/pytorch-2-0.png"),
        ("foundation/index.html", "cards/foundation.png"),
        ("sources/jax-changelog/index.html", "cards/index.png"),
    ]:
        meta = {
            m.attributes.get("property") or m.attributes.get("name"): m.attributes.get("content")
            for m in html(default_site / page).css("head meta")
        }
        assert meta["og:image"] == f"https://example.org/{card}", page
        assert meta["twitter:card"] == "summary_large_image"
        assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
        assert Image.open(default_site / card).size == (1200, 630)


def test_a_card_is_made_again_only_when_what_it_shows_changed(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = site_factory()
    out = tmp_path / "out"
    assert sitegen("build", "--site", site, "--out", out).returncode == 0
    card = out / "cards" / "milestones" / "alpha-1.png"
    before, track_card = card.read_bytes(), (out / "cards/frameworks/alpha.png").stat().st_ino
    path = site / "content/milestones/alpha-1.yaml"
    path.write_text(path.read_text().replace("summary: The first release.", "summary: Another."))
    assert sitegen("build", "--site", site, "--out", out).returncode == 0
    assert card.read_bytes() == before  # the summary is not on the card
    assert (out / "cards/frameworks/alpha.png").stat().st_ino == track_card  # kept, not rewritten
    path.write_text(path.read_text().replace("title: Alpha 1.0", "title: Alpha One"))
    assert sitegen("build", "--site", site, "--out", out).returncode == 0
    assert card.read_bytes() != before
