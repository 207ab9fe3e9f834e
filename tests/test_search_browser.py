"""Search as a reader uses it, in Debian's Chromium: the field in the header, its results
and their track filter, under /REPO/ as GitHub Pages serves it, with nothing loaded before
it is used and nothing from another site; in the dev server, an edit is found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from sitegen import search as index
from sitegen.build import Options, build_site

from .conftest import REPO, SiteFactory, sitegen
from .pages_server import serve_like_pages
from .serve_helpers import ServeFactory, replace_in, running_servers
from .test_a11y import axe_violations

pytestmark = pytest.mark.timeout(600)
WAIT_MS = 20_000  # generous: the machine is shared; nothing here measures speed
BASE = "/sitegen-demo/"


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default site built for /sitegen-demo/ and served as Pages serves it."""
    out = tmp_path_factory.mktemp("search") / "output"
    result = sitegen("build", "--site", REPO, "--out", out, "--base-url", BASE)
    assert result.returncode == 0, result.stderr
    with serve_like_pages(out, BASE) as home:
        yield home


@pytest.fixture(scope="module")
def site_in_parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default site with its index in many parts, as a site of thousands of pages."""
    out = tmp_path_factory.mktemp("parts") / "output"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "PART_PAGES", 8)
        build_site(REPO, out, Options(base_url=BASE, cache=False))
    with serve_like_pages(out, BASE) as home:
        yield home


@pytest.fixture
def tab(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def results(tab: Page) -> list[dict[str, Any]]:
    """Each result shown: its title, link, date and tracks."""
    return tab.eval_on_selector_all(
        ".search-result",
        """items => items.map(item => ({
          title: item.querySelector('.search-title').textContent,
          href: item.querySelector('.search-title').getAttribute('href'),
          date: item.querySelector('.search-date')?.textContent ?? null,
          tracks: [...item.querySelectorAll('.fw-tag')].map(t => t.textContent),
        }))""",
    )


def search(tab: Page, words: str) -> None:
    tab.keyboard.press("/")
    tab.keyboard.type(words)
    expect(tab.locator(".search-status")).to_contain_text(f"for “{words}”")


def test_search_loads_nothing_until_used_then_finds_filters_and_opens(
    tab: Page, repo_site: str
) -> None:
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(repo_site)
    tab.wait_for_load_state("networkidle")
    assert not [url for url in requests if "search" in url or "pagefind" in url]

    tab.keyboard.press("/")  # focuses the field, and starts loading
    assert tab.evaluate("document.activeElement.id") == "search-input"
    tab.keyboard.type("compiler")
    expect(tab.locator(".search-status")).to_have_text("13 results for “compiler”")
    found = results(tab)
    assert len(found) == 8  # the first eight; the rest on demand
    pytorch_2 = next(r for r in found if r["title"] == "PyTorch 2.0")
    assert pytorch_2 == {
        "title": "PyTorch 2.0",
        "href": f"{BASE}milestones/pytorch-2-0/",
        "date": "15 March 2023",
        "tracks": ["PyTorch"],
    }
    tab.get_by_role("button", name="More results").click()
    expect(tab.locator(".search-result")).to_have_count(13)

    # Every track shows until one is switched off, as on the timeline.
    chips = tab.locator(".search-filters button")
    expect(chips).to_have_text(["PyTorch (6)", "TensorFlow (1)", "JAX (3)"])
    tab.get_by_role("button", name="PyTorch (6)").click()
    expect(tab.locator(".search-status")).to_have_text("4 results for “compiler”")
    assert all("PyTorch" not in r["tracks"] for r in results(tab))
    assert tab.get_by_role("button", name="PyTorch (6)").get_attribute("aria-pressed") == "false"

    tab.locator(".search-results").get_by_role("link", name="JAX released on GitHub").click()
    tab.wait_for_url(f"{repo_site}milestones/jax-open-sourced/")
    origin = f"{urlsplit(repo_site).scheme}://{urlsplit(repo_site).netloc}"
    assert [url for url in requests if not url.startswith(origin)] == []  # nothing elsewhere
    assert any(f"{BASE}pagefind/" in url for url in requests)


def test_an_index_in_parts_is_searched_as_one(tab: Page, site_in_parts: str) -> None:
    """What the one index above finds comes first, from every part. A part where no word
    matches gives Pagefind's weak matches of shorter words (such as "com" of an address)
    after them, as one index would if no page matched."""
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(site_in_parts)
    search(tab, "compiler")
    total = int((tab.locator(".search-status").text_content() or "").split()[0])
    for shown in range(8, total, 8):  # eight at a time
        tab.get_by_role("button", name="More results").click()
        expect(tab.locator(".search-result")).to_have_count(min(shown + 8, total))
    first = tab.locator(".search-title").all_text_contents()[:13]
    assert sorted(first) == [
        "Compiling machine learning programs via high-level tracing",
        "JAX",
        "JAX described at SysML 2018",
        "JAX released on GitHub",
        "PyTorch 1.0",
        "PyTorch 2.0",
        "PyTorch 2.0 unveiled",
        "PyTorch 2.2",
        "PyTorch 2.2: FlashAttention-v2 integration, AOTInductor",
        "PyTorch 2.6 Release Blog",
        "PyTorch 2.6: safer loading by default",
        "Road to PyTorch 1.0 and the Caffe2 merge",
        "TensorFlow 1.0",
    ]
    everything = tab.locator(".search-status").text_content() or ""
    tab.locator(".search-filters button", has_text="PyTorch").click()
    expect(tab.locator(".search-status")).not_to_have_text(everything)
    assert all("PyTorch" not in r["tracks"] for r in results(tab))
    parts = {url.split("/pagefind/")[1].split("/")[0] for url in requests if "/part-" in url}
    assert len(parts) > 4
    assert len([url for url in requests if "/wasm." in url]) == 1  # the first part's, for all


def test_the_keyboard_alone_searches_and_opens_a_result(tab: Page, repo_site: str) -> None:
    tab.goto(f"{repo_site}foundation/")
    search(tab, "effort-based versioning")
    assert results(tab)[0]["title"] == "JAX 0.5.0 and effort-based versioning"
    tab.keyboard.press("ArrowDown")  # to the first result
    assert tab.evaluate("document.activeElement.textContent") == results(tab)[0]["title"]
    tab.keyboard.press("Escape")  # closes the results, back in the field
    expect(tab.locator(".search-panel")).to_be_hidden()
    assert tab.evaluate("document.activeElement.id") == "search-input"
    tab.keyboard.press("Enter")  # opens the first result
    tab.wait_for_url(f"{repo_site}milestones/jax-0-5/")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_open_results_have_no_accessibility_violation(
    browser: Any, repo_site: str, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme, reduced_motion="reduce")
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    tab.goto(repo_site)
    search(tab, "foundation")
    tab.locator(".search-filters").get_by_role("button", name="TensorFlow").click()  # off
    expect(tab.locator(".search-result").first).to_be_visible()
    violations = axe_violations(tab)
    colours = tab.evaluate(
        "[getComputedStyle(document.querySelector('.search-panel')).backgroundColor,"
        " getComputedStyle(document.body).color]"
    )
    context.close()
    assert violations == []
    light = colours[1] == "rgb(28, 25, 23)"  # the site's own text colour in each scheme
    assert light == (scheme == "light")


def test_a_copy_without_an_index_says_search_is_not_available(
    tab: Page, site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = site_factory()
    out = tmp_path / "out"
    assert sitegen("build", "--site", site, "--out", out).returncode == 0
    for path in sorted((out / "pagefind").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    with serve_like_pages(out) as home:
        tab.goto(home)
        tab.keyboard.press("/")
        tab.keyboard.type("alpha")
        expect(tab.locator(".search-status")).to_have_text(
            "Search is not available: its index is missing or not made yet."
        )


@pytest.fixture
def serve(site_factory: SiteFactory) -> Iterator[ServeFactory]:
    yield from running_servers(site_factory)


def found_in_time(tab: Page, words: str, titles: list[str]) -> list[str]:
    """Search again until the results are `titles` (the dev server indexes in the
    background, a moment after the pages are served) or 20 seconds have passed."""
    for _ in range(40):
        tab.locator("#search-input").fill(words)
        tab.wait_for_timeout(500)
        shown = tab.locator(".search-title").all_text_contents()
        if shown == titles:
            break
    return shown


def test_the_dev_server_finds_a_new_title_after_an_edit(serve: ServeFactory, tab: Page) -> None:
    served = serve()
    tab.goto(served.url)
    everything = ["Alpha 1.0", "Alpha", "A paper"]  # the milestone, its track, its source
    assert found_in_time(tab, "alpha", everything) == everything
    replace_in(served.site / "content/milestones/alpha-1.yaml", "Alpha 1.0", "Alpha Zebra")
    expect(tab.locator(".card-title")).to_have_text(["Alpha Zebra"])  # the tab reloaded
    renamed = ["Alpha Zebra", "A paper"]  # the source lists the milestone by its title
    assert found_in_time(tab, "zebra", renamed) == renamed
