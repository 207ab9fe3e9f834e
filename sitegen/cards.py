"""Social cards: the 1200 by 630 PNG a chat or a social network shows for a shared link.

`social_card` is a pure function from what a card shows to PNG bytes, the same bytes for
the same input on every build: no timestamp, no text layout engine that varies between
machines (Pillow's basic layout), a fixed palette. `card_route` plans the card of the
home page, of each track, each milestone and the foundation page; a card's route holds
exactly what it shows, so a build renders it again only when that changed.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .i18n import Texts
from .model import Milestone
from .route import COUNT, ORDER, TEXTS, Route
from .theme import find
from .theme_settings import theme_settings

if TYPE_CHECKING:  # `routes` imports this module
    from PIL import Image, ImageDraw, ImageFont

    from .routes import Plan

# Pillow is imported where a card is drawn: planning cards needs none of it, and a build
# that draws no card (nothing changed, say) need not spend the time to load it.

WIDTH, HEIGHT = 1200, 630
FONT = "fonts/Inter-Bold.otf"  # under templates/: the theme ships it, with its licence
FONT_INPUT = f"templates/{FONT}"  # the font, as the dependency record names it
TEMPLATE = "social-card.png"  # the route "template" rendered by `render_card`, not by Jinja
PAGE, INK, MUTED, RULE = "#fbfaf7", "#1c1917", "#57534e", "#e2ded6"
MARKERS = ("circle", "square", "diamond")  # by track order, as the theme draws them
MARGIN = 80

Track = tuple[str, str, str]  # name, colour, marker
SHADES = 8  # steps from the page to each text colour, for antialiased edges
LEVEL = [(v * SHADES + 127) // 255 for v in range(256)]  # coverage → shade, 0 to SHADES
TITLE_TOP, DATE_TOP = 226, HEIGHT - 96


def social_card(
    title: str, date: str, tracks: Sequence[Track], site: str, font_path: Path
) -> bytes:
    """A card: the site's name, the tracks (a marker in each one's colour, and its name),
    the title (up to three lines, smaller when long) and the date as written.

    All but the title and the date is the card's frame, drawn and compressed once for each
    site and set of tracks; a card draws and compresses only the rows its own text is on."""
    key = (site, tuple(tracks), font_path)
    size, lines = fit_title(title, font_path)
    stamps = [
        stamp(
            frame(*key),
            line,
            font(font_path, size),
            INK,
            (MARGIN, TITLE_TOP + i * round(size * 1.18)),
        )
        for i, line in enumerate(lines)
    ]
    stamps.append(stamp(frame(*key), date, font(font_path, 36), MUTED, (MARGIN, DATE_TOP)))
    segments, row = [], 0
    for top, bottom, band in bands([s for s in stamps if s is not None]):
        if row < top:
            segments.append(frame_rows(*key, row, top))
        rows = frame(*key).scanlines.crop((0, top, WIDTH + 1, bottom))
        for index, mask, (x, y) in band:
            rows.paste(index, (x + 1, y - top), mask)
        segments.append(compress(rows.tobytes()))
        row = bottom
    if row < HEIGHT:
        segments.append(frame_rows(*key, row, HEIGHT))
    return png(frame(*key).palette, segments)


class Frame(NamedTuple):
    """What every card of a site with these tracks shares: its palette (the page, then
    SHADES steps to each text colour, then the solid colours) and its pixels as PNG
    scanlines, palette indices each row after the filter byte 0 ("none")."""

    palette: bytes
    ramps: dict[str, int]  # text colour → the index of its first shade
    scanlines: Image.Image


@lru_cache(maxsize=64)
def frame(site: str, tracks: tuple[Track, ...], font_path: Path) -> Frame:
    from PIL import Image, ImageColor, ImageDraw

    page = ImageColor.getrgb(PAGE)
    entries: list[tuple[int, ...]] = [page]
    ramps: dict[str, int] = {}
    for color in (INK, MUTED):
        ramps[color] = len(entries)
        rgb = ImageColor.getrgb(color)
        for step in range(1, SHADES + 1):
            entries.append(
                tuple(round(p + (q - p) * step / SHADES) for p, q in zip(page, rgb, strict=True))
            )
    solid: dict[str, int] = {}

    def fill(color: str) -> int:
        """The palette index of a colour drawn without antialiasing (a palette holds 256:
        past that, a track is drawn in ink, as no real site will see)."""
        if color not in solid and len(entries) < 256:
            solid[color] = len(entries)
            entries.append(ImageColor.getrgb(color))
        return solid.get(color, ramps[INK] + SHADES - 1)

    pixels = Image.new("L", (WIDTH + 1, HEIGHT), 0)  # column 0: each row's filter byte
    draw = ImageDraw.Draw(pixels)
    colors = [color for _, color, _ in tracks] or [MUTED]
    stripe = HEIGHT / len(colors)
    for i, color in enumerate(colors):  # the tracks' colours down the left edge
        box = (1, round(i * stripe), 24, round((i + 1) * stripe) - 1)
        draw.rectangle(box, fill=fill(color) if tracks else ramps[MUTED] + SHADES - 1)
    shell = Frame(b"", ramps, pixels)
    texts = [stamp(shell, site, font(font_path, 30), MUTED, (MARGIN, 64))]
    x, label = MARGIN, font(font_path, 34)
    for name, color, marker in tracks:
        draw_marker(draw, marker, (x + 17, 158), 15, fill(color))
        texts.append(stamp(shell, name, label, INK, (x + 44, 158), anchor="lm"))
        x += 44 + round(label.getlength(name, "L")) + 48
    for text in texts:
        if text is not None:
            index, mask, (tx, ty) = text
            pixels.paste(index, (tx + 1, ty), mask)
    rule = HEIGHT - 120
    draw.line((MARGIN + 1, rule, WIDTH - MARGIN + 1, rule), fill=fill(RULE), width=3)
    return Frame(b"".join(bytes(rgb) for rgb in entries), ramps, pixels)


Stamp = tuple["Image.Image", "Image.Image", tuple[int, int]]  # palette indices, mask, where


def stamp(
    frame: Frame,
    text: str,
    face: ImageFont.FreeTypeFont,
    color: str,
    xy: tuple[int, int],
    anchor: str = "la",
) -> Stamp | None:
    """Text in `color` as palette indices to paste at a place, and the mask of its ink (so
    that what is under the rest of its box stays); None when it draws nothing."""
    from PIL import Image, ImageDraw

    left, top, right, bottom = face.getbbox(text, "L", anchor=anchor)
    if right <= left or bottom <= top:
        return None
    coverage = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(coverage).text((-left, -top), text, font=face, fill=255, anchor=anchor)
    ramp = frame.ramps[color] - 1
    index = coverage.point([ramp + level if level else 0 for level in LEVEL])
    mask = coverage.point([255 if level else 0 for level in LEVEL])
    return index, mask, (xy[0] + left, xy[1] + top)


def bands(stamps: list[Stamp]) -> list[tuple[int, int, list[Stamp]]]:
    """The rows the stamps are on, top to bottom, those that overlap in one band."""
    merged: list[tuple[int, int, list[Stamp]]] = []
    for s in sorted(stamps, key=lambda s: s[2][1]):
        top, bottom = max(0, s[2][1]), min(HEIGHT, s[2][1] + s[0].height)
        if merged and top <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(bottom, merged[-1][1]), [*merged[-1][2], s])
        elif top < bottom:
            merged.append((top, bottom, [s]))
    return merged


class Segment(NamedTuple):
    """Scanlines compressed on their own: a run of deflate blocks ending on a byte, which
    can follow any other, and what the zlib checksum needs of them."""

    data: bytes
    adler: int
    length: int


CARD_LEVEL, FRAME_LEVEL = 3, 9  # a card's own rows: 3.5x faster than zlib's 6, 25% larger


def compress(raw: bytes, level: int = CARD_LEVEL) -> Segment:
    deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = deflate.compress(raw) + deflate.flush(zlib.Z_SYNC_FLUSH)
    return Segment(data, zlib.adler32(raw), len(raw))


@lru_cache(maxsize=1024)
def frame_rows(
    site: str, tracks: tuple[Track, ...], font_path: Path, top: int, bottom: int
) -> Segment:
    """A run of a frame's rows that no card's text is on, compressed once (and so hard)."""
    rows = frame(site, tracks, font_path).scanlines.crop((0, top, WIDTH + 1, bottom))
    return compress(rows.tobytes(), FRAME_LEVEL)


def png(palette: bytes, segments: list[Segment]) -> bytes:
    """An 8-bit palette PNG of the scanlines in the segments, in order."""
    adler = 1
    for segment in segments:
        adler = adler32_combine(adler, segment.adler, segment.length)
    stream = b"".join(s.data for s in segments) + FINAL_BLOCK
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 3, 0, 0, 0)),
            chunk(b"PLTE", palette),
            chunk(b"IDAT", ZLIB_HEADER + stream + struct.pack(">I", adler)),
            chunk(b"IEND", b""),
        )
    )


ZLIB_HEADER = b"\x78\x9c"  # deflate, 32 KiB window, default compression
FINAL_BLOCK = b"\x03\x00"  # an empty last block (fixed Huffman codes): the stream's end


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def adler32_combine(first: int, second: int, length: int) -> int:
    """The Adler-32 of two byte strings one after the other, from each one's Adler-32 and
    the second's length (zlib has this, Python's binding does not)."""
    base = 65521
    a = ((first & 0xFFFF) + (second & 0xFFFF) - 1) % base
    b = ((first >> 16) + (second >> 16) + length * ((first & 0xFFFF) - 1)) % base
    return b << 16 | a


@cache
def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def fit_title(title: str, font_path: Path) -> tuple[int, list[str]]:
    """The largest size (72 down to 44) at which the title fits in three lines; at the
    smallest, what does not fit is cut with an ellipsis."""
    width = WIDTH - 2 * MARGIN
    for size in (72, 64, 56, 50, 44):
        lines = wrap(title, font(font_path, size), width)
        if len(lines) <= 3:
            return size, lines
    face = font(font_path, 44)
    lines = wrap(title, face, width)[:3]
    while face.getlength(lines[-1] + "…", "L") > width:
        lines[-1] = lines[-1][:-1]
    return 44, [*lines[:-1], lines[-1].rstrip() + "…"]


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}", "L") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def draw_marker(
    draw: ImageDraw.ImageDraw, marker: str, center: tuple[int, int], r: int, fill: int
) -> None:
    x, y = center
    if marker == "square":
        draw.rectangle((x - r, y - r, x + r, y + r), fill=fill)
    elif marker == "diamond":
        draw.polygon(((x, y - r - 4), (x + r + 4, y), (x, y + r + 4), (x - r - 4, y)), fill=fill)
    else:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def card_font(templates_dir: Path) -> Path | None:
    """The font cards are drawn with, when the theme makes cards (`social_cards` in its
    settings) and ships the font; None for no cards."""
    return find(templates_dir, FONT) if theme_settings(templates_dir).social_cards else None


def card_url(page_url: str) -> str:
    """Where a page's card is: `/milestones/x/` → `/cards/milestones/x.png`, `/` →
    `/cards/index.png`."""
    return "/cards/" + (page_url.strip("/") or "index") + ".png"


def card_route(plan: Plan, page: str) -> Route:
    """The social card of a page (`index`, `frameworks/x`, `milestones/x`,
    `foundation`): what it shows, and where that comes from (see `social_card`)."""
    c, kind, _, ident = plan.content, *page.partition("/")
    tracks = {
        fw.id: (fw.name, fw.color, MARKERS[i % len(MARKERS)]) for i, fw in enumerate(c.frameworks)
    }
    texts = plan.texts
    inputs: tuple[str, ...] = ("site:title", ORDER, FONT_INPUT, TEXTS)
    shown: dict[str, Any] = {"site": c.site.title, "font_path": plan.theme[FONT]}
    if kind == "milestones":
        m = plan.value(kind, ident)
        inputs += (
            *plan.files("milestones", [m]),
            *plan.files("frameworks", [plan.value("frameworks", t) for t in m.tracks]),
        )
        shown.update(milestone=m, date=when(m, texts), tracks=tuple(tracks[t] for t in m.tracks))
    elif kind == plan.tracks:
        fw = plan.value("frameworks", ident)
        inputs += (*plan.files("frameworks", [fw]), f"count:{fw.id}")
        shown.update(
            title=fw.name,
            date=count(plan.by_framework[fw.id], texts),
            tracks=(tracks[fw.id],),
        )
    elif kind == "foundation":
        f = c.foundation
        inputs += tuple(plan.paths["foundation"].values())
        date = texts.plain("announced_on", date=texts.date(f.announcement.date))
        shown.update(title=f.name, date=date, tracks=())
    else:
        inputs += ("list:frameworks", COUNT)
        shown.update(
            title=c.site.title,
            date=count(c.milestones, texts),
            tracks=tuple(tracks.values()),
        )
    url = card_url("/" if kind == "index" else f"/{page}/")
    return Route(url, url.lstrip("/"), TEMPLATE, shown, None, inputs)


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
