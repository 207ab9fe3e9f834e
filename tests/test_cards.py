"""Social cards: the PNG maker on its own, and the cards of a built site."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from sitegen import cards
from sitegen.build import Options, SiteBuilder
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


def test_a_card_is_the_same_whatever_was_drawn_before_it_and_in_another_process() -> None:
    args = ("Title", "2016", (PYTORCH, JAX), "Site", FONT_PATH)
    cards.frame.cache_clear()
    cards.frame_rows.cache_clear()
    first = social_card(*args)  # the frame and its rows drawn and compressed for this card
    social_card(
        "Another title on two lines, at least at this size", "2017", [JAX], "Site", FONT_PATH
    )
    assert social_card(*args) == first  # from the cached frame
    code = (
        "import sys; from pathlib import Path; from sitegen.cards import social_card; "
        "sys.stdout.buffer.write(social_card('Title', '2016', (('PyTorch', '#ac3505', 'circle'), "
        f"('JAX', '#6840be', 'diamond')), 'Site', Path({str(FONT_PATH)!r})))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).stdout == first


def idat(png: bytes) -> bytes:
    """The PNG's image data, its chunks' CRCs checked on the way."""
    data, at = b"", 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length : at + 12 + length])[0] == zlib.crc32(
            kind + body
        )
        data += body if kind == b"IDAT" else b""
        at += 12 + length
    return data


def test_a_card_is_a_valid_palette_png() -> None:
    png = social_card("A title", "1 May 2020", [PYTORCH, JAX], "Site", FONT_PATH)
    rows = zlib.decompress(idat(png))  # checks the stream's Adler-32 too
    assert len(rows) == 630 * 1201
    assert {rows[y * 1201] for y in range(630)} == {0}  # each row filtered "none"
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P"
    assert len(image.getcolors()) <= 1 + 2 * cards.SHADES + 1 + 2  # page, text, rule, tracks


@given(st.binary(max_size=300), st.binary(max_size=70_000))
def test_adler32_combine_is_the_checksum_of_both(first: bytes, second: bytes) -> None:
    combined = cards.adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert combined == zlib.adler32(first + second)


def test_title_lines_that_touch_keep_all_their_ink() -> None:
    """Lines whose boxes overlap (descenders, accents) share a band of rows: the card shows
    the ink of every line, as drawing them on one canvas would."""
    title = "Égypte gypsy jqpg Ångström ÉÎÅ gjpqy Ölçü Şşğ ÅÉ gypsy jqpg"
    size, lines = cards.fit_title(title, FONT_PATH)
    assert len(lines) > 1
    expected = Image.new("L", (1200, 630), 0)
    draw = ImageDraw.Draw(expected)
    for i, line in enumerate(lines):
        xy = (cards.MARGIN, cards.TITLE_TOP + i * round(size * 1.18))
        draw.text(xy, line, font=cards.font(FONT_PATH, size), fill=255)
    card = Image.open(io.BytesIO(social_card(title, "", [PYTORCH], "S", FONT_PATH)))
    box = (cards.MARGIN - 10, cards.TITLE_TOP - 30, 1200, 630 - 121)
    shown = card.crop(box).point(lambda index: 255 * (index != 0))
    inked = expected.crop(box).point(lambda v: 255 * (cards.LEVEL[v] != 0))
    assert shown.tobytes() == inked.tobytes()


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


def test_a_theme_may_turn_the_cards_off(site_factory: SiteFactory) -> None:
    site = site_factory({"templates/theme.yaml": "social_cards: false\n"})
    result = sitegen("build", "--site", site)
    assert result.returncode == 0, result.stderr
    assert not (site / "output/cards").exists()
    home = html(site / "output/index.html")
    assert home.css_first('meta[property="og:image"]') is None
    assert home.css_first('meta[name="twitter:card"]').attributes["content"] == "summary"


def test_turning_the_cards_off_and_on_in_a_warm_build_equals_a_clean_build(
    site_factory: SiteFactory,
) -> None:
    """`social_cards` is a site-wide value pages read: every page's og:image follows it."""
    site = site_factory()
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    builder.build()
    settings = site / "templates/theme.yaml"
    for text in ("social_cards: false\n", "social_cards: true\n", "social_cards: false\n"):
        settings.write_text(text)
        warm = builder.build(changed={"templates/theme.yaml"}).files
        assert warm == SiteBuilder(site, Options(cache=False, jobs=1)).build().files, text
        assert any(o.startswith("cards/") for o in warm) == text.endswith("true\n"), text
        assert (b'property="og:image"' in warm["index.html"]) == text.endswith("true\n"), text
