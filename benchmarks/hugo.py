"""Time Hugo and sitegen side by side, cold, on corpora of the same size; print a table.

    python benchmarks/hugo.py [--sizes 1000 10000] [--runs 3] [--jobs N]

For each size N, sitegen builds the corpus of benchmarks/corpus.py and Hugo builds a site
of the same N milestones as Markdown pages (the same titles, dates and summaries, drawn
from the same random stream) plus a home page listing them all, with a minimal layout of
its own (no theme; section lists, taxonomies, RSS, sitemap and robots.txt off, so Hugo
writes just those pages). Both builds are cold (no output, no cache) and fresh processes,
run alternately in the same run, first in a temp dir on disk, then on a RAM disk
(/dev/shm). Wall time and CPU seconds (user + system of the build and of every process
it waited for) are medians of --runs. Hugo is Debian's `hugo` package.

Hugo's site has no social cards and no search index; `--no-cards` turns sitegen's cards off
(`social_cards: false` in the corpus's theme.yaml) for a closer comparison. The search
index stays: sitegen's build includes it.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build import sitegen_build  # noqa: E402
from corpus import SEED, SOURCES_PER_MILESTONE, milestone, write_corpus  # noqa: E402

RAM_DISK = Path("/dev/shm")
CONFIG = """\
baseURL = "https://example.org/"
title = "Synthetic timeline"
disableKinds = ["section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
"""
LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ .Site.Title }}</title>
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
<ol>
{{ range .Site.RegularPages.ByDate.Reverse }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time>{{ .Date.Format "2 January 2006" }}</time></li>
{{ end }}
</ol>
{{ end }}
""",
    "_default/single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Content }}
</article>
{{ end }}
""",
}


def write_hugo_site(count: int, root: Path) -> None:
    """The Hugo site of `count` pages: each milestone of corpus.py's site of that size, drawn
    from the same random stream, as a Markdown page with the same title, date and summary."""
    shutil.rmtree(root, ignore_errors=True)
    pages = root / "content" / "milestones"
    pages.mkdir(parents=True)
    (root / "hugo.toml").write_text(CONFIG)
    for name, text in LAYOUTS.items():
        (root / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "layouts" / name).write_text(text)
    (root / "content" / "_index.md").write_text("---\ntitle: Synthetic timeline\n---\n")
    rng = random.Random(SEED)
    sources = max(1, count // SOURCES_PER_MILESTONE)
    for i in range(count):
        ident, text = milestone(rng, i, sources)
        fact = yaml.safe_load(text)
        day = "-".join([*fact["date"].split("-"), "01", "01"][:3])  # Hugo needs a whole date
        front = yaml.safe_dump({"title": fact["title"], "date": day}, sort_keys=False)
        (pages / f"{ident}.md").write_text(f"---\n{front}---\n\n{fact['summary']}")


def hugo_build(site: Path) -> None:
    for folder in ("public", "resources"):
        shutil.rmtree(site / folder, ignore_errors=True)
    subprocess.run(["hugo", "--quiet", "--source", str(site)], check=True)


def cold_sitegen_build(site: Path, jobs: int) -> None:
    for folder in ("output", ".sitegen-cache"):
        shutil.rmtree(site / folder, ignore_errors=True)
    sitegen_build(site, True, jobs)


def timed(build: Callable[[], None]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of child processes a build ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    build()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def measure(
    size: int, where: Path, runs: int, jobs: int, cards: bool
) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory(dir=where) as folder:
        hugo_site, sitegen_site = Path(folder) / "hugo", Path(folder) / "sitegen"
        write_hugo_site(size, hugo_site)
        write_corpus(size, sitegen_site)
        if not cards:
            settings = sitegen_site / "templates" / "theme.yaml"
            settings.write_text(
                settings.read_text().replace("social_cards: true", "social_cards: false")
            )
        samples: dict[str, list[tuple[float, float]]] = {"hugo": [], "sitegen": []}
        for _ in range(runs):  # alternately, so that both see the same machine
            samples["hugo"].append(timed(lambda: hugo_build(hugo_site)))
            samples["sitegen"].append(timed(lambda: cold_sitegen_build(sitegen_site, jobs)))
        return {
            tool: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
            for tool, s in samples.items()
        }


def row(size: int, place: str, r: dict[str, tuple[float, float]]) -> str:
    (hugo_wall, hugo_cpu), (ours_wall, ours_cpu) = r["hugo"], r["sitegen"]
    return (
        f"| {size:,} | {place} | {hugo_wall:.2f} s | {ours_wall:.2f} s "
        f"| {ours_wall / hugo_wall:.2f}x | {hugo_cpu:.2f} s | {ours_cpu:.2f} s "
        f"| {ours_cpu / hugo_cpu:.2f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="sitegen's processes (default: all)")
    parser.add_argument("--no-cards", action="store_true", help="sitegen without social cards")
    args = parser.parse_args()
    if shutil.which("hugo") is None:
        sys.exit("hugo is not installed (Debian: apt-get install hugo)")
    version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout
    print(
        f"{version.strip()}\nCPUs: {os.cpu_count()}, load average before: "
        f"{os.getloadavg()[0]:.2f}, runs: {args.runs} (medians), "
        f"sitegen's social cards: {'off' if args.no_cards else 'on'}\n"
    )
    print(
        "| milestones | where | Hugo wall | sitegen wall | sitegen/Hugo "
        "| Hugo CPU | sitegen CPU | sitegen/Hugo |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    places = [("disk (temp dir)", Path(tempfile.gettempdir())), ("RAM disk", RAM_DISK)]
    for size in args.sizes:
        for place, where in places:
            found = measure(size, where, args.runs, args.jobs, not args.no_cards)
            print(row(size, place, found), flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
