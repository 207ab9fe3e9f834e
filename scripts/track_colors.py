#!/usr/bin/env python3
"""How far apart a site's track colours are, in light and dark mode, for typical vision and
simulated colour-vision deficiencies; and their contrast with the page.

Reads the colours from content/frameworks/*.yaml and the hand-picked dark-mode shades
(`--dark-RRGGBB` custom properties) from templates/static/style.css. Usage:

    .venv/bin/python scripts/track_colors.py [--site DIR] [--markdown]
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sitegen.colors import (  # noqa: E402
    DARK_PAGE,
    DEFICIENCIES,
    LIGHT_PAGE,
    contrast,
    delta_e,
    lab,
    parse_hex,
    simulate,
)

VISIONS = ("typical", *DEFICIENCIES)


def dark_shades(css: str) -> dict[str, str]:
    """`--dark-c2410c: #fb923c` → {'#c2410c': '#fb923c'}."""
    found = re.findall(r"--dark-([0-9a-f]{6}):\s*(#[0-9a-f]{6})", css, re.IGNORECASE)
    return {f"#{light.lower()}": dark.lower() for light, dark in found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO, help="the site folder (default: repo)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()
    tracks = sorted(
        (
            yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in args.site.glob("content/frameworks/*.yaml")
        ),
        key=lambda fw: fw["order"],
    )
    css = (args.site / "templates" / "static" / "style.css").read_text(encoding="utf-8")
    shades = dark_shades(css)
    modes = {
        "light": ({fw["name"]: fw["color"].lower() for fw in tracks}, LIGHT_PAGE),
        "dark": ({fw["name"]: shades.get(fw["color"].lower(), "") for fw in tracks}, DARK_PAGE),
    }
    bar = "|" if args.markdown else " "
    print(f"{bar} mode  {bar} track        {bar} colour  {bar} contrast with page {bar}")
    if args.markdown:
        print("|---|---|---|---:|")
    for mode, (colors, page) in modes.items():
        for name, color in colors.items():
            ratio = f"{contrast(parse_hex(color), parse_hex(page)):.2f}:1" if color else "none"
            print(
                f"{bar} {mode:<5} {bar} {name:<12} {bar} {color or 'none':<7} "
                f"{bar} {ratio:>18} {bar}"
            )
    print()
    head = " ".join(f"{bar} {v:>12}" for v in VISIONS)
    print(f"{bar} mode  {bar} pair                  {head} {bar} CIE76 {bar}")
    if args.markdown:
        print("|---|---|" + "---:|" * (len(VISIONS) + 1))
    for mode, (colors, _) in modes.items():
        for (a, ca), (b, cb) in itertools.combinations(colors.items(), 2):
            if not (ca and cb):
                continue
            rgb_a, rgb_b = parse_hex(ca), parse_hex(cb)
            cells = []
            for vision in VISIONS:
                sa, sb = (
                    (rgb_a, rgb_b)
                    if vision == "typical"
                    else (simulate(rgb_a, vision), simulate(rgb_b, vision))
                )
                cells.append(f"{bar} {delta_e(sa, sb):>12.1f}")
            cie76 = math.dist(lab(rgb_a), lab(rgb_b))
            print(
                f"{bar} {mode:<5} {bar} {a + ' / ' + b:<21} {' '.join(cells)} "
                f"{bar} {cie76:5.1f} {bar}"
            )
    print(
        "\nCIEDE2000 unless marked; deficiencies simulated after Machado et al. (2009), severity 1."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
