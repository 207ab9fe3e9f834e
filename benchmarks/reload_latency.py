"""How long from a saved edit to the new content on screen, with `sitegen serve` and Chromium.

    python benchmarks/reload_latency.py [--edits 20] [--milestones 1000]

Runs the real `sitegen serve` as a subprocess on a copy of the default site (content/ and
templates/ of this repository), opens its timeline in Debian's Chromium, then saves a
milestone's title 20 times (the milestone dated last, whose card is on the timeline's first
page). Each latency is the time from just before the save to the first animation frame
after the reloaded page's DOMContentLoaded (or, when the tab patches its <main> in place,
after the patch), when the new title is in the page. Then the same on a synthetic site of
1,000 milestones. Prints p50 and p95, and the server's own rebuild times for comparison.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

# Runs in every document: note when the page is first ready to paint, and when it is
# again after each patch in place (see sitegen/livereload.js).
SHOWN_AT = """
const benchShown = () => requestAnimationFrame(() => {
  window.benchShownAt = performance.timeOrigin + performance.now();
});
addEventListener("DOMContentLoaded", benchShown);
document.addEventListener("sitegen:patched", benchShown);
"""
WARM_UP = 2  # edits not counted: the first rebuilds warm caches in the server and browser
SETTLE_SECONDS = 0.3  # between edits, so two saves never fall into one rebuild


def copy_default_site(target: Path) -> Path:
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def synthetic_site(milestones: int, target: Path) -> Path:
    """The issue-6 corpus generator when it is here, else the default site padded out."""
    corpus = REPO / "benchmarks" / "corpus.py"
    if corpus.exists():
        subprocess.run([sys.executable, str(corpus), str(milestones), str(target)], check=True)
        return target
    copy_default_site(target)
    folder = target / "content" / "milestones"
    existing = len(list(folder.glob("*.yaml")))
    frameworks = ("pytorch", "tensorflow", "jax")
    for n in range(milestones - existing):
        (folder / f"bench-{n:04d}.yaml").write_text(
            f"id: bench-{n:04d}\n"
            f'date: "{2015 + n % 10}-{1 + n % 12:02d}-{1 + n % 28:02d}"\n'
            f"framework: {frameworks[n % 3]}\n"
            f"title: Synthetic milestone {n}\n"
            f"summary: A generated milestone, number {n}, with *some* Markdown.\n"
            "sources:\n  - source: article-2022-09-14\n",
            encoding="utf-8",
        )
    return target


def start_server(site: Path) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "sitegen", "serve", "--site", str(site), "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1)
    assert server.stdout is not None
    while line := server.stdout.readline():
        if match := re.match(r"Serving (\S+)", line):
            return server, match[1]
    raise SystemExit(f"sitegen serve did not start on {site}")


def measure(site: Path, edits: int, label: str) -> None:
    from playwright.sync_api import sync_playwright

    milestone = newest((site / "content" / "milestones").glob("*.yaml"))
    original = milestone.read_text(encoding="utf-8")
    title_line = re.search(r"^title: .*$", original, re.MULTILINE)
    assert title_line is not None, milestone
    server, url = start_server(site)
    latencies: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.add_init_script(SHOWN_AT)
            page.goto(url)
            page.wait_for_function("window.benchShownAt")
            for n in range(WARM_UP + edits):
                title = f"Edited title number {n}"
                time.sleep(SETTLE_SECONDS)
                page.evaluate("window.benchShownAt = 0")  # a patched tab stays loaded
                saved_at = time.time() * 1000
                milestone.write_text(
                    original.replace(title_line[0], f"title: {title}"), encoding="utf-8"
                )
                page.wait_for_function(
                    "title => window.benchShownAt && document.body.innerText.includes(title)",
                    arg=title,
                    timeout=60_000,
                )
                if n >= WARM_UP:
                    latencies.append(page.evaluate("window.benchShownAt") - saved_at)
            browser.close()
    finally:
        milestone.write_text(original, encoding="utf-8")
        server.terminate()
        log, _ = server.communicate(timeout=30)
    builds = [float(ms) for ms in re.findall(r" changed: .* in (\d+) ms", log)][WARM_UP:]
    report(label, latencies, builds)


def newest(files: Iterable[Path]) -> Path:
    """The milestone dated last: its card is on the timeline's first page however the
    timeline is split (see sitegen/pagination.py), the page a reader has open."""

    def date(path: Path) -> str:
        found = re.search(r"^date: \"?([0-9-]+)", path.read_text(encoding="utf-8"), re.M)
        return found[1] if found else ""

    return max(sorted(files), key=date)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(label: str, latencies: list[float], builds: list[float]) -> None:
    print(
        f"{label}: save → new content visible over {len(latencies)} edits: "
        f"p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 95):.0f} ms "
        f"(min {min(latencies):.0f}, max {max(latencies):.0f}); "
        f"server rebuild p50 {statistics.median(builds):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--milestones", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        default = copy_default_site(Path(scratch) / "default")
        measure(default, args.edits, "default site")
        if args.milestones:  # 0 measures the default site only
            big = synthetic_site(args.milestones, Path(scratch) / "synthetic")
            measure(big, args.edits, f"{args.milestones}-milestone site")


if __name__ == "__main__":
    main()
