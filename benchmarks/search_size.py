"""What search costs a reader: the size of a built site's search index, and the bytes
Chromium downloads for a first query, counted from its own network events.

    python benchmarks/search_size.py output/ compiler "milestone 4242"

Each query runs in a fresh browser context (nothing cached): the page loads, then the
search field is focused and the query typed; every request made after the page loaded,
by the page or by Pagefind's worker, is counted by the bytes of its response body (the
static server here sends files as they are; Pagefind's index files are gzip-compressed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402


def index_size(folder: Path) -> tuple[int, int]:
    files = [p for p in (folder / "pagefind").rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def first_query(browser: object, origin: str, folder: Path, words: str) -> list[tuple[str, int]]:
    """(path, bytes) of each request a first query makes, from focusing the field on."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    done: list[object] = []
    context.on("requestfinished", lambda request: done.append(request))  # page and worker
    page.goto(origin + "/")
    page.wait_for_load_state("networkidle")
    loaded = len(done)
    page.keyboard.press("/")
    page.keyboard.type(words)
    page.wait_for_selector(".search-result, .search-status:has-text('No results')")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    found = [(r.url.removeprefix(origin), body_size(r, folder)) for r in done[loaded:]]
    context.close()
    return sorted(found)


def body_size(request: object, folder: Path) -> int:
    """The bytes of the response's body as it came (this server sends files uncompressed;
    Chromium does not report the size of a worker's own script, so that one is read from
    the file it is)."""
    size = request.sizes()["responseBodySize"]  # type: ignore[attr-defined]
    if size > 0:
        return size
    path = folder / request.url.split("//", 1)[1].split("/", 1)[1].split("?")[0]  # type: ignore[attr-defined]
    return path.stat().st_size if path.is_file() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a built site (sitegen build --out FOLDER)")
    parser.add_argument("queries", nargs="+", help="what to type in the search field")
    args = parser.parse_args()
    count, size = index_size(args.folder)
    print(f"index: {count:,} files, {size / 1024:,.0f} KB")
    from playwright.sync_api import sync_playwright

    with serve_folder(args.folder) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for words in args.queries:
            found = first_query(browser, origin, args.folder, words)
            total = sum(size for _, size in found)
            print(f"first query {words!r}: {len(found)} requests, {total / 1024:,.1f} KB")
            for path, size in found:
                print(f"  {size / 1024:8.1f} KB  {path.split('?')[0]}")
        browser.close()


if __name__ == "__main__":
    main()
