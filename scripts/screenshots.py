#!/usr/bin/env python3
"""Screenshots of the built default site in Debian's Chromium, for review and the README.

Renders every kind of page (the timeline, at its top and in the middle of its years, a
milestone, a track, the foundation, a source and the 404 page) at 390, 1000 and 1440 px
wide, in light and dark, into docs/screenshots/ as small palette PNGs. Usage:

    .venv/bin/python scripts/screenshots.py [--site DIR] [--full-page] [--widths 390,1280]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sitegen.build import build_site  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402

HEIGHTS = {390: 844, 1000: 800, 1280: 800, 1440: 900}  # a phone, laptops, a desktop
SCHEMES = ("light", "dark")
PAGES = {
    "timeline": "/",
    "timeline-years": "/#y2017",
    "milestone": "/milestones/pytorch-foundation-announced/",
    "track": "/frameworks/pytorch/",
    "foundation": "/foundation/",
    "source": "/sources/article-2022-09-14/",
    "404": "/404.html",
}


def small_png(png: bytes) -> bytes:
    """The screenshot in 256 colours, compressed as far as PNG goes: a fifth of the bytes,
    and text stays sharp."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO, help="the site folder (default: repo)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--full-page", action="store_true", help="whole pages, not one screen")
    parser.add_argument("--widths", default="390,1000,1440", help="comma-separated widths")
    args = parser.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        build_site(args.site, Path(tmp) / "site")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with serve_folder(Path(tmp) / "site") as origin:
            for (name, path), width, scheme in (
                (p, w, s) for p in PAGES.items() for w in widths for s in SCHEMES
            ):
                context = browser.new_context(
                    viewport={"width": width, "height": HEIGHTS.get(width, 900)},
                    color_scheme=scheme,
                    reduced_motion="reduce",
                )
                page = context.new_page()
                page.goto(origin + path, wait_until="networkidle")
                target = args.out / f"{name}-{width}-{scheme}.png"
                target.write_bytes(small_png(page.screenshot(full_page=args.full_page)))
                context.close()
                print(f"{target.name}: {target.stat().st_size:,} bytes")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
