"""Track colours, measured: how far apart two colours look (CIEDE2000), how they contrast
with the page (WCAG), and how they look to the common colour-vision deficiencies.

The build uses `color_warnings` to tell a site's author when two tracks would be hard to
tell apart or a colour would fade into the page; `scripts/track_colors.py` prints the
full table for choosing a palette.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping

from .diagnostics import Diagnostic
from .model import Framework

RGB = tuple[float, float, float]  # sRGB, each channel 0..1
LAB = tuple[float, float, float]

LIGHT_PAGE = "#fbfaf7"  # the default theme's backgrounds (templates/static/style.css)
DARK_PAGE = "#101216"
MIN_DELTA_E = 25.0  # CIEDE2000: below this, two tracks are told apart only by looking twice
MIN_CONTRAST = 3.0  # WCAG 2.2, 1.4.11: graphics that carry meaning, against the page

# Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB.
DEFICIENCIES: dict[str, tuple[RGB, RGB, RGB]] = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


def parse_hex(color: str) -> RGB:
    """`#1f6feb` → (0.12, 0.44, 0.92)."""
    digits = color.removeprefix("#")
    return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def to_hex(rgb: RGB) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def linear(channel: float) -> float:
    """An sRGB channel without its gamma."""
    if channel <= 0.04045:
        return channel / 12.92
    return ((channel + 0.055) / 1.055) ** 2.4


def gamma(channel: float) -> float:
    """A linear channel with sRGB's gamma, clipped to 0..1."""
    channel = min(max(channel, 0.0), 1.0)
    if channel <= 0.0031308:
        return channel * 12.92
    return 1.055 * channel ** (1 / 2.4) - 0.055


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance."""
    r, g, b = map(linear, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def lab(rgb: RGB) -> LAB:
    """CIELAB (D65) of an sRGB colour."""
    r, g, b = map(linear, rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: RGB, b: RGB) -> float:
    """CIEDE2000 colour difference: about 1 is barely visible, 25 and more is plainly
    another colour."""
    (l1, a1, b1), (l2, a2, b2) = lab(a), lab(b)
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh -= 360 if dh > 180 else -360 if dh < -180 else 0
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    h_mean = h1p + h2p
    if c1p * c2p:
        if abs(h1p - h2p) <= 180:
            h_mean /= 2
        else:
            h_mean = (h_mean + 360) / 2 if h_mean < 360 else (h_mean - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc = 1 + 0.045 * cp_mean
    sh = 1 + 0.015 * cp_mean * t
    rt = (
        -2
        * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
        * math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2))))
    )
    terms = dl / sl, dc / sc, dh_big / sh
    return math.sqrt(sum(t * t for t in terms) + rt * terms[1] * terms[2])


def simulate(rgb: RGB, deficiency: str) -> RGB:
    """How `rgb` looks to someone with `deficiency` (a key of DEFICIENCIES)."""
    channels = tuple(map(linear, rgb))
    rows = DEFICIENCIES[deficiency]
    return tuple(gamma(sum(m * c for m, c in zip(row, channels, strict=True))) for row in rows)  # type: ignore[return-value]


def closest_pair(colors: Mapping[str, str], vision: str = "") -> tuple[str, str, float] | None:
    """The two names whose colours are nearest (CIEDE2000), as seen with `vision` (a
    deficiency, or '' for typical vision); None for fewer than two."""
    seen = {name: parse_hex(c) for name, c in colors.items()}
    if vision:
        seen = {name: simulate(rgb, vision) for name, rgb in seen.items()}
    pairs = [(a, b, delta_e(seen[a], seen[b])) for a, b in itertools.combinations(seen, 2)]
    return min(pairs, key=lambda p: p[2], default=None)


def color_warnings(
    frameworks: Iterable[Framework], paths: Mapping[str, str], page: str = LIGHT_PAGE
) -> list[Diagnostic]:
    """Warnings for track colours that fade into the page or that two tracks share in
    effect; `paths` gives each framework's file."""
    frameworks = list(frameworks)
    warnings = []
    background = parse_hex(page)
    for fw in frameworks:
        ratio = contrast(parse_hex(fw.color), background)
        if ratio < MIN_CONTRAST:
            message = (
                f"track colour '{fw.color}' has a contrast of {ratio:.1f}:1 with the page "
                f"({page}); markers and lines need {MIN_CONTRAST:.0f}:1"
            )
            hint = "choose a darker colour"
            warnings.append(warning(paths, fw.id, message, hint))
    for a, b in itertools.combinations(frameworks, 2):
        distance = delta_e(parse_hex(a.color), parse_hex(b.color))
        if distance < MIN_DELTA_E:
            message = (
                f"track colour '{b.color}' is close to {a.name}'s '{a.color}' (CIEDE2000 "
                f"{distance:.1f}; tracks need {MIN_DELTA_E:.0f} to tell apart at a glance)"
            )
            hint = "choose a colour of another hue, or much lighter or darker"
            warnings.append(warning(paths, b.id, message, hint))
    return sorted(warnings)


def warning(paths: Mapping[str, str], fw_id: str, message: str, hint: str) -> Diagnostic:
    path = paths.get(fw_id, f"content/frameworks/{fw_id}.yaml")
    return Diagnostic(path, 0, 0, message, hint, severity="warning")
