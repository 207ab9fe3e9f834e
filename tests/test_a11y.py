"""Accessibility and the timeline's filter, checked in Debian's Chromium on the default site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import serve_folder

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def origin(default_site: Path) -> Iterator[str]:
    with serve_folder(default_site) as address:
        yield address


def html_paths(site: Path) -> list[str]:
    """Every page of the site, as the URL path a visitor would open."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    return ["/" + p.removesuffix("index.html") for p in pages]


def axe_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page(
    browser: Any, origin: str, default_site: Path, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme, reduced_motion="reduce")
    page = context.new_page()
    found = {}
    for path in html_paths(default_site):
        page.goto(origin + path)
        if violations := axe_violations(page):
            found[path] = violations
    context.close()
    assert found == {}
    assert len(html_paths(default_site)) > 40  # every page was checked, not just a few


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_the_new_page_kinds(
    browser: Any, features_site: Path, scheme: str
) -> None:
    """Pages (a table of contents, sources, tags), tag pages and drafts, as serve shows them."""
    context = browser.new_context(color_scheme=scheme, reduced_motion="reduce")
    page = context.new_page()
    found = {}
    with serve_folder(features_site) as address:
        for path in ("/", "/about/", "/guide/", "/tags/", "/tags/release/", "/milestones/alpha-2/"):
            page.goto(address + path)
            if violations := axe_violations(page):
                found[path] = violations
    context.close()
    assert found == {}


def visible_frameworks(page: Any) -> set[str]:
    """The tracks shown: every card on one of them is visible, and no other card is (a
    cross-track card is on each of its tracks)."""
    cards = page.eval_on_selector_all(
        ".card", "cs => cs.map(c => [c.dataset.fw.split(' '), !c.hidden])"
    )
    hidden_everywhere = set().union(*(tracks for tracks, visible in cards if not visible))
    shown = {t for tracks, visible in cards if visible for t in tracks} - hidden_everywhere
    for tracks, visible in cards:
        assert visible == bool(shown & set(tracks)), (tracks, visible, shown)
    return shown


def pressed(page: Any) -> dict[str, str]:
    buttons = page.locator(".filters button[data-fw]")
    return {b.get_attribute("data-fw"): b.get_attribute("aria-pressed") for b in buttons.all()}


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_filter_by_mouse_hides_other_tracks_and_is_kept_in_the_url(page: Any, origin: str) -> None:
    page.goto(origin + "/")
    assert pressed(page) == {"pytorch": "true", "tensorflow": "true", "jax": "true"}
    assert visible_frameworks(page) == {"pytorch", "tensorflow", "jax"}
    page.get_by_role("button", name="TensorFlow", exact=True).click()
    page.get_by_role("button", name="JAX", exact=True).click()
    assert pressed(page) == {"pytorch": "true", "tensorflow": "false", "jax": "false"}
    assert visible_frameworks(page) == {"pytorch"}
    assert page.url == origin + "/?fw=pytorch"
    assert page.locator("#filter-status").inner_text().startswith("Showing ")
    assert page.locator(".rail[data-fw=jax]").count() > 0
    assert page.locator(".rail[data-fw=jax]:visible").count() == 0
    page.reload()
    assert visible_frameworks(page) == {"pytorch"}
    assert pressed(page)["jax"] == "false"
    page.get_by_role("button", name="Show all", exact=True).click()
    assert visible_frameworks(page) == {"pytorch", "tensorflow", "jax"}
    assert page.url == origin + "/"


def test_filter_by_keyboard(page: Any, origin: str) -> None:
    page.goto(origin + "/")
    for _ in range(30):  # Tab from the top of the page until the JAX toggle has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.fw") == "jax":
            break
    else:
        pytest.fail("the JAX filter button cannot be reached with Tab")
    page.keyboard.press("Enter")
    assert visible_frameworks(page) == {"pytorch", "tensorflow"}
    page.keyboard.press("Space")
    assert visible_frameworks(page) == {"pytorch", "tensorflow", "jax"}
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    assert visible_frameworks(page) == {"pytorch", "jax"}
    assert page.url == origin + "/?fw=pytorch,jax"


def test_a_shared_filtered_url_opens_filtered(page: Any, origin: str) -> None:
    page.goto(origin + "/?fw=jax,tensorflow")
    assert visible_frameworks(page) == {"jax", "tensorflow"}
    assert pressed(page) == {"pytorch": "false", "tensorflow": "true", "jax": "true"}
    hidden_years = page.eval_on_selector_all(
        ".years li[hidden] a", "as => as.map(a => a.textContent)"
    )
    assert "2016" not in hidden_years  # TensorFlow has a 2016 milestone
    assert page.locator(".year[hidden]").count() == len(hidden_years)


def test_a_card_link_shows_its_card_even_when_filtered_out(page: Any, origin: str) -> None:
    page.goto(origin + "/?fw=jax#pytorch-2-0")
    assert page.locator("#pytorch-2-0").is_visible()
    assert pressed(page)["pytorch"] == "true"


@pytest.mark.parametrize("fragment", ["#%E0%A4%A", "#100%", "#%"])
def test_a_malformed_fragment_leaves_the_filters_working(
    page: Any, origin: str, fragment: str
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(origin + "/?fw=jax" + fragment)
    assert errors == []
    assert visible_frameworks(page) == {"jax"}
    page.get_by_role("button", name="PyTorch", exact=True).click()
    assert visible_frameworks(page) == {"jax", "pytorch"}


def test_without_javascript_the_filters_are_links_to_framework_pages(
    browser: Any, origin: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(origin + "/")
    assert page.locator(".filters button").count() == 0
    assert visible_frameworks(page) == {"pytorch", "tensorflow", "jax"}
    page.locator(".filters").get_by_role("link", name="JAX").click()
    page.wait_for_url(origin + "/frameworks/jax/")
    assert page.locator("h1").inner_text() == "JAX"
    page.goto(origin + "/")
    page.locator(".filters").get_by_role("link", name="TensorFlow").click()
    page.wait_for_url(origin + "/frameworks/tensorflow/")
    context.close()


def test_year_navigation_and_skip_link_move_focus_and_view(page: Any, origin: str) -> None:
    page.goto(origin + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.locator(".years").get_by_role("link", name="2022").click()
    assert page.url.endswith("#y2022")
    # The year scrolls (smoothly) to the top of the view, below the sticky toolbar.
    page.wait_for_function("document.querySelector('#y2022').getBoundingClientRect().top < 200")
    top = page.locator("#y2022").evaluate("e => e.getBoundingClientRect().top")
    toolbar = page.locator(".toolbar").evaluate("e => e.getBoundingClientRect().bottom")
    assert toolbar <= top


def test_the_page_works_at_320_px_without_sideways_scrolling(browser: Any, origin: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in ["/", "/foundation/", "/milestones/pytorch-2-0/", "/sources/article-2022-09-14/"]:
        page.goto(origin + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} px wide"
    context.close()


FOCUS_RING = """() => {
  const el = document.activeElement;
  const own = getComputedStyle(el);
  const after = getComputedStyle(el, '::after');
  return [el.outerHTML.slice(0, 80),
          own.outlineStyle !== 'none' && parseFloat(own.outlineWidth) >= 2
          || after.outlineStyle !== 'none' && parseFloat(after.outlineWidth) >= 2];
}"""


def test_keyboard_focus_is_always_visible(page: Any, origin: str) -> None:
    for path in ["/", "/foundation/", "/milestones/pytorch-2-0/"]:
        page.goto(origin + path)
        for _ in range(25):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement === document.body"):
                break  # past the last link: focus went back to the page
            element, ringed = page.evaluate(FOCUS_RING)
            assert ringed, f"no visible focus on {element} at {path}"


def test_reduced_motion_turns_smooth_scrolling_off(browser: Any, origin: str) -> None:
    behaviours = {}
    for motion in ("no-preference", "reduce"):
        context = browser.new_context(reduced_motion=motion)
        page = context.new_page()
        page.goto(origin + "/")
        behaviours[motion] = page.evaluate(
            "getComputedStyle(document.documentElement).scrollBehavior"
        )
        context.close()
    assert behaviours == {"no-preference": "smooth", "reduce": "auto"}


def test_print_shows_every_source_and_hides_the_controls(page: Any, origin: str) -> None:
    page.goto(origin + "/")
    quote = page.locator(".intro .citations blockquote").first
    assert quote.is_hidden()  # on screen, sources wait behind "Sources (2)"
    page.emulate_media(media="print")
    assert quote.is_visible()
    assert page.locator(".toolbar").is_hidden()
    assert page.locator("#pytorch-2-0").is_visible()
