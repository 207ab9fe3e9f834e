#!/usr/bin/env python3
"""Lighthouse scores of the built default site: the timeline and the foundation page.

Builds the site, serves it on 127.0.0.1, runs npm `lighthouse@12.2.3` with Debian's
Chromium (headless) on each page and prints the four category scores of the median run
(of 3). Lighthouse is installed on first use into ~/.cache/sitegen-bench/ (not a test
dependency). Usage:

    .venv/bin/python benchmarks/lighthouse.py [--site DIR] [--desktop]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sitegen.build import Options, build_site  # noqa: E402
from tests.browser import QuietHandler  # noqa: E402

VERSION = "12.2.3"
CACHE = Path.home() / ".cache" / "sitegen-bench" / f"lighthouse-{VERSION}"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
PAGES = ("/", "/foundation/")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time")
METRICS += ("cumulative-layout-shift", "speed-index")


def lighthouse_bin() -> Path:
    """The pinned Lighthouse, installed into the cache folder the first time."""
    binary = CACHE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        print(f"installing lighthouse@{VERSION} into {CACHE} ...", file=sys.stderr)
        install = ["npm", "install", "--prefix", str(CACHE), f"lighthouse@{VERSION}"]
        subprocess.run([*install, "--no-audit", "--no-fund", "--silent"], check=True)
    return binary


def audit(binary: Path, url: str, desktop: bool) -> tuple[dict[str, float], dict[str, str]]:
    """The four category scores and the performance metrics behind the first."""
    command = [str(binary), url, "--output=json", "--output-path=stdout", "--quiet"]
    command += [f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}"]
    if desktop:
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    report = json.loads(done.stdout)
    scores = {name: report["categories"][name]["score"] for name in CATEGORIES}
    metrics = {name: report["audits"][name]["displayValue"] for name in METRICS}
    return scores, metrics


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO, help="the site folder (default: repo)")
    parser.add_argument("--desktop", action="store_true", help="desktop preset (default: mobile)")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is shown")
    args = parser.parse_args()
    binary = lighthouse_bin()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        handler = functools.partial(QuietHandler, directory=str(out))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        # The site's own address, so canonical and og:url are absolute as on a real host.
        build_site(args.site, out, Options(site_url=origin))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            print(f"{'page':<14}" + "".join(f"{c:>16}" for c in CATEGORIES))
            for path in PAGES:
                # The median run, by performance: one run on a busy machine can be an outlier.
                runs = sorted(
                    (audit(binary, origin + path, args.desktop) for _ in range(args.runs)),
                    key=lambda run: run[0]["performance"],
                )
                scores, metrics = runs[len(runs) // 2]
                print(f"{path:<14}" + "".join(f"{scores[c]:>16.2f}" for c in CATEGORIES))
                print(" " * 14 + ", ".join(f"{k}: {v}" for k, v in metrics.items()))
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
