"""Social cards: the 1200 by 630 PNG a chat or a social network shows for a shared link.

`social_card` is a pure function from what a card shows to PNG bytes, the same bytes for
the same input on every build: no timestamp, no text layout engine that varies between
machines (Pillow's basic layout), a fixed palette. `card_routes` plans one card for the
home page, each track, each milestone and the foundation page; a card's route holds
exactly what it shows, so a build renders it again only when that changed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageColor, ImageDraw, ImageFont

from .i18n import Texts
from .model import Content, Milestone

WIDTH, HEIGHT = 1200, 630
FONT = "fonts/Inter-Bold.otf"  # under templates/: the theme ships it, with its licence
TEMPLATE = "social-card.png"  # the route "template" rendered by `render_card`, not by Jinja
PAGE, INK, MUTED, RULE = "#fbfaf7", "#1c1917", "#57534e", "#e2ded6"
MARKERS = ("circle", "square", "diamond")  # by track order, as the theme draws them
MARGIN = 80

Track = tuple[str, str, str]  # name, colour, marker


def social_card(
    title: str, date: str, tracks: Sequence[Track], site: str, font_path: Path
) -> bytes:
    """A card: the site's name, the tracks (a marker in each one's colour, and its name),
    the title (up to three lines, smaller when long) and the date as written."""
    layers: dict[str, Image.Image] = {}

    def ink(color: str) -> ImageDraw.ImageDraw:
        """Where to draw in `color`: a coverage mask of its own, antialiased."""
        if color not in layers:
            layers[color] = Image.new("L", (WIDTH, HEIGHT), 0)
        return ImageDraw.Draw(layers[color])

    colors = [color for _, color, _ in tracks] or [MUTED]
    stripe = HEIGHT / len(colors)
    for i, color in enumerate(colors):  # the tracks' colours down the left edge
        ink(color).rectangle((0, round(i * stripe), 23, round((i + 1) * stripe) - 1), fill=255)
    ink(MUTED).text((MARGIN, 64), site, font=font(font_path, 30), fill=255)
    x = MARGIN
    label = font(font_path, 34)
    for name, color, marker in tracks:
        draw_marker(ink(color), marker, (x + 16, 158), 15)
        ink(INK).text((x + 44, 158), name, font=label, fill=255, anchor="lm")
        x += 44 + round(ink(INK).textlength(name, font=label)) + 48
    size, lines = fit_title(ink(INK), title, font_path)
    y = 226
    for line in lines:
        ink(INK).text((MARGIN, y), line, font=font(font_path, size), fill=255)
        y += round(size * 1.18)
    ink(RULE).line((MARGIN, HEIGHT - 120, WIDTH - MARGIN, HEIGHT - 120), fill=255, width=3)
    ink(MUTED).text((MARGIN, HEIGHT - 96), date, font=font(font_path, 36), fill=255)
    return to_png(layers)


SHADES = 8  # steps from the page to each colour, for antialiased edges


def to_png(layers: dict[str, Image.Image]) -> bytes:
    """The layers as one palette image: the page, then SHADES steps from it to each colour.
    Composed from the masks rather than matched to a palette, so every pixel is exact, the
    file small and the bytes the same on every build."""
    page = ImageColor.getrgb(PAGE)
    image = Image.new("P", (WIDTH, HEIGHT), 0)
    shades = list(page)
    for i, (color, mask) in enumerate(list(layers.items())[: 255 // SHADES]):
        rgb = ImageColor.getrgb(color)
        for step in range(1, SHADES + 1):
            shades += [round(p + (q - p) * step / SHADES) for p, q in zip(page, rgb, strict=True)]
        box = mask.getbbox()  # most of a mask is empty: work on what was drawn
        if box is None:
            continue
        level = mask.crop(box).point(LEVEL)
        index = level.point([0] + [i * SHADES + v for v in range(1, 256)])
        image.paste(index, box, mask=level.point([0] + [255] * 255))
    image.putpalette(shades)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


LEVEL = [(v * SHADES + 127) // 255 for v in range(256)]  # coverage → shade, 0 to SHADES


@cache
def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def fit_title(draw: ImageDraw.ImageDraw, title: str, font_path: Path) -> tuple[int, list[str]]:
    """The largest size (72 down to 44) at which the title fits in three lines; at the
    smallest, what does not fit is cut with an ellipsis."""
    width = WIDTH - 2 * MARGIN
    for size in (72, 64, 56, 50, 44):
        lines = wrap(draw, title, font(font_path, size), width)
        if len(lines) <= 3:
            return size, lines
    lines = wrap(draw, title, font(font_path, 44), width)[:3]
    while draw.textlength(lines[-1] + "…", font=font(font_path, 44)) > width:
        lines[-1] = lines[-1][:-1]
    return 44, [*lines[:-1], lines[-1].rstrip() + "…"]


def wrap(
    draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=face) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def draw_marker(draw: ImageDraw.ImageDraw, marker: str, center: tuple[int, int], r: int) -> None:
    x, y = center
    if marker == "square":
        draw.rectangle((x - r, y - r, x + r, y + r), fill=255)
    elif marker == "diamond":
        draw.polygon(((x, y - r - 4), (x + r + 4, y), (x, y + r + 4), (x - r - 4, y)), fill=255)
    else:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)


def card_url(page_url: str) -> str:
    """Where a page's card is: `/milestones/x/` → `/cards/milestones/x.png`, `/` →
    `/cards/index.png`."""
    return "/cards/" + (page_url.strip("/") or "index") + ".png"


def card_routes(content: Content, font_path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(url, what the card shows) for the home page, each track, each milestone and the
    foundation page. A milestone's card holds the milestone itself, so an edit that swaps
    it in the last plan (see `routes.Replacer`) reaches its card too."""
    site, texts = content.site.title, content.texts or Texts()
    tracks = {
        fw.id: (fw.name, fw.color, MARKERS[i % len(MARKERS)])
        for i, fw in enumerate(content.frameworks)
    }

    def card(page_url: str, **shown: Any) -> tuple[str, dict[str, Any]]:
        return card_url(page_url), {**shown, "site": site, "font_path": font_path}

    ms = content.milestones
    cards = [card("/", title=site, date=count(ms, texts), tracks=tuple(tracks.values()))]
    for fw_id, track in tracks.items():
        own = [m for m in ms if fw_id in m.tracks]
        page_url = content.site.track_path(fw_id)
        cards.append(card(page_url, title=track[0], date=count(own, texts), tracks=(track,)))
    for m in ms:
        shown = tuple(tracks[t] for t in m.tracks)
        cards.append(card(f"/milestones/{m.id}/", milestone=m, date=when(m, texts), tracks=shown))
    if (f := content.foundation) is not None:
        date = texts.plain("announced_on", date=texts.date(f.announcement.date))
        cards.append(card("/foundation/", title=f.name, date=date, tracks=()))
    return cards


def count(milestones: Sequence[Milestone], texts: Texts) -> str:
    """`9 milestones, 2016-2024`, with an en dash, in the site's language."""
    if not milestones:
        return texts.plain("site_card_empty")
    first, last = milestones[0].date.year, milestones[-1].date.year
    years = f"{first}\u2013{last}" if last != first else f"{first}"
    return texts.plain("site_card_count", count=len(milestones), years=years)


def when(m: Milestone, texts: Texts) -> str:
    """The date at its precision, as the pages write it (a year alone: `In 2016`)."""
    date = texts.date(m.date)
    return texts.plain("in_year", date=date) if m.date.precision == "year" else date


def render_card(context: dict[str, Any]) -> bytes:
    """A card route's bytes."""
    m = context.get("milestone")
    title = m.title if m else context["title"]
    return social_card(
        title, context["date"], context["tracks"], context["site"], context["font_path"]
    )
