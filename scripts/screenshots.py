#!/usr/bin/env python3
"""Screenshots of the built default site in Debian's Chromium, for review and the README.

Renders the timeline, a milestone page and the foundation page at 390 px and 1280 px wide,
in light and dark, into docs/screenshots/. Usage:

    .venv/bin/python scripts/screenshots.py [--site DIR] [--milestone ID] [--full-page]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sitegen.build import build_site  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402

WIDTHS = {390: 844, 1280: 1400}  # width: viewport height (a phone, a laptop)
SCHEMES = ("light", "dark")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO, help="the site folder (default: repo)")
    parser.add_argument("--milestone", default="pytorch-foundation-announced")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--full-page", action="store_true", help="whole pages, not one screen")
    args = parser.parse_args()
    pages = {
        "timeline": "/",
        "milestone": f"/milestones/{args.milestone}/",
        "foundation": "/foundation/",
    }
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        build_site(args.site, Path(tmp) / "site")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with serve_folder(Path(tmp) / "site") as origin:
            for (name, path), (width, height), scheme in (
                (p, w, s) for p in pages.items() for w in WIDTHS.items() for s in SCHEMES
            ):
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    color_scheme=scheme,
                    reduced_motion="reduce",
                )
                page = context.new_page()
                page.goto(origin + path, wait_until="networkidle")
                target = args.out / f"{name}-{width}-{scheme}.png"
                page.screenshot(path=str(target), full_page=args.full_page)
                context.close()
                print(f"{target.name}: {target.stat().st_size} bytes")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
