"""The timeline as a reader sees it, measured in Chromium at phone, laptop and desktop
widths: positions follow time, track lines span their milestones, year jumps land below
the toolbar, cards fit their content. Measured in the page, never by comparing pixels."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .browser import serve_folder
from .conftest import REPO, SiteFactory, sitegen

pytestmark = pytest.mark.timeout(600)

WIDTHS = (390, 1000, 1280, 1440)


def default_milestones() -> list[dict[str, Any]]:
    """The default site's milestones, as their files say."""
    return [yaml.safe_load(p.read_text()) for p in (REPO / "content/milestones").glob("*.yaml")]


@pytest.fixture(scope="module")
def origin(default_site: Path) -> Iterator[str]:
    with serve_folder(default_site) as address:
        yield address


def open_page(browser: Any, url: str, width: int, height: int = 900) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": height}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.goto(url)
    return page


# Each visible card: id, date, box and the parts that must fit inside it.
CARDS = """() => [...document.querySelectorAll('.timeline .card:not([hidden])')].map(c => {
  const r = c.getBoundingClientRect(), s = getComputedStyle(c);
  const last = c.lastElementChild.getBoundingClientRect();
  const title = c.querySelector('.card-title');
  return {id: c.id, date: c.querySelector('time').getAttribute('datetime'),
          top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right,
          contentBottom: last.bottom + parseFloat(s.paddingBottom) + parseFloat(s.borderBottomWidth),
          titleLines: Math.round(title.getBoundingClientRect().height / parseFloat(getComputedStyle(title).lineHeight)),
          fw: c.dataset.fw};
})"""


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_going_down_the_page_never_goes_back_in_time(browser: Any, origin: str, width: int) -> None:
    page = open_page(browser, origin + "/", width)
    cards = page.evaluate(CARDS)
    page.context.close()
    assert len(cards) == len(default_milestones())
    by_date = sorted(cards, key=lambda c: (c["date"], c["top"]))
    assert [c["id"] for c in sorted(cards, key=lambda c: c["top"])] == [c["id"] for c in by_date]
    for before, after in itertools.pairwise(by_date):
        assert after["top"] > before["top"] + 8, (before["id"], after["id"])  # staggered
    clashes = [
        (a["id"], b["id"]) for i, a in enumerate(cards) for b in cards[i + 1 :] if overlap(a, b)
    ]
    assert clashes == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_gap_of_years_is_shown_where_it_falls(browser: Any, origin: str, width: int) -> None:
    page = open_page(browser, origin + "/", width)
    gaps = page.eval_on_selector_all(
        ".gap:not([hidden])",
        "gs => gs.map(g => [g.textContent.replace(/\\s+/g, ' '), g.getBoundingClientRect().top + scrollY])",
    )
    last_2019 = page.evaluate(
        "document.getElementById('pytorch-1-3-mobile').getBoundingClientRect().bottom + scrollY"
    )
    first_2022 = page.evaluate(
        "document.getElementById('y2022').getBoundingClientRect().top + scrollY"
    )
    page.context.close()
    assert [text for text, _ in gaps] == ["2020\u20132021: no milestones"]
    assert last_2019 <= gaps[0][1] < first_2022


RAILS = """() => {
  const mark = c => { const r = c.getBoundingClientRect(); return r.top + scrollY + parseFloat(getComputedStyle(c, '::before').top) + 7; };
  const out = {};
  for (const id of ['pytorch', 'tensorflow', 'jax']) {
    const rails = [...document.querySelectorAll(`.rail[data-fw="${id}"]`)].map(r => {
      const b = r.getBoundingClientRect(); return [b.top + scrollY, b.bottom + scrollY, b.left + b.width / 2];
    }).sort((a, b) => a[0] - b[0]);
    const cards = [...document.querySelectorAll(`.card[data-fw="${id}"]`)];
    out[id] = {rails, first: mark(cards[0]), last: mark(cards[cards.length - 1]),
               markers: cards.map(c => { const r = c.getBoundingClientRect(); return r.left + parseFloat(getComputedStyle(c, '::before').left) + 8; })};
  }
  return out;
}"""


@pytest.mark.parametrize("width", (390, 1000, 1440))
def test_each_track_line_runs_from_its_first_milestone_to_its_last(
    browser: Any, origin: str, width: int
) -> None:
    page = open_page(browser, origin + "/", width)
    tracks = page.evaluate(RAILS)
    page.context.close()
    for track, seen in tracks.items():
        rails = seen["rails"]
        assert abs(rails[0][0] - seen["first"]) <= 2, track  # JAX's starts in 2018, not 2015
        assert abs(rails[-1][1] - seen["last"]) <= 2, track
        for above, below in itertools.pairwise(rails):
            assert below[0] - above[1] <= 1.5, track  # unbroken from year to year
        line = rails[0][2]
        assert all(abs(r[2] - line) <= 1 for r in rails), track  # one straight line
        assert all(abs(x - line) <= 2 for x in seen["markers"]), track  # markers sit on it


# Where the toggles start, and where the year strip ends (its years may come and go).
CORNERS = """es => es.map(e => e.matches('ul')
  ? [e.getBoundingClientRect().top, e.getBoundingClientRect().right]
  : [e.getBoundingClientRect().top, e.getBoundingClientRect().left])"""


@pytest.mark.parametrize("width", (1000, 1100, 1280, 1440))
def test_a_year_jump_lands_just_below_the_toolbar_which_stays_one_row(
    browser: Any, origin: str, width: int
) -> None:
    page = open_page(browser, origin + "/", width)
    toolbar = page.locator("#toolbar")
    height = toolbar.evaluate("t => t.getBoundingClientRect().height")
    assert height < 60  # one row
    for year in ("2017", "2022", "2025"):
        page.locator(".years").get_by_role("link", name=year).click()
        page.wait_for_url(f"**#y{year}")
        bottom = toolbar.evaluate("t => t.getBoundingClientRect().bottom")
        top = page.evaluate(f"document.getElementById('y{year}').getBoundingClientRect().top")
        label = page.evaluate(
            f"document.querySelector('#y{year} .year-marker span').getBoundingClientRect().top"
        )
        if year != "2025":  # the last year may not reach the top: the page ends first
            assert bottom - 1 <= top <= bottom + 16, (year, bottom, top)
        assert label >= bottom, year  # the sticky year label shows below the toolbar
    # Filtering makes "Show all" appear: nothing in the toolbar moves, nor does its height.
    before = page.eval_on_selector_all("#toolbar button, #toolbar .years ul", CORNERS)
    page.get_by_role("button", name="JAX", exact=True).click()
    assert page.get_by_role("button", name="Show all").is_visible()
    assert toolbar.evaluate("t => t.getBoundingClientRect().height") == height
    after = page.eval_on_selector_all("#toolbar button, #toolbar .years ul", CORNERS)
    assert after == before
    page.context.close()


def test_a_long_year_strip_on_a_phone_shows_that_it_scrolls(browser: Any, origin: str) -> None:
    page = open_page(browser, origin + "/", 390, 844)
    strip = page.locator(".years ul")
    assert strip.evaluate("s => s.scrollWidth > s.clientWidth + 40")
    assert strip.evaluate("s => getComputedStyle(s).overflowX") == "auto"
    # The scroll shadows: one of the backgrounds stays put while the list scrolls under it.
    assert strip.evaluate("s => getComputedStyle(s).backgroundAttachment").count("scroll") == 2
    assert page.evaluate("document.documentElement.scrollWidth") == 390  # the page itself does not
    first = page.locator(".timeline .card").first.evaluate("c => c.getBoundingClientRect().top")
    assert first < 844 - 150  # the first milestone starts on the first screen
    page.context.close()


@pytest.mark.parametrize("width", (390, 992, 1100, 1200, 1280, 1440))
def test_cards_fit_their_content_and_titles_stay_short(
    browser: Any, origin: str, width: int
) -> None:
    page = open_page(browser, origin + "/", width)
    cards = page.evaluate(CARDS)
    page.context.close()
    for card in cards:
        assert abs(card["bottom"] - card["contentBottom"]) <= 2, card["id"]  # no blank space
        assert card["titleLines"] <= 3, (card["id"], card["titleLines"])
        assert card["right"] - card["left"] >= 240, card["id"]


def test_one_track_alone_keeps_a_readable_line_length(browser: Any, origin: str) -> None:
    page = open_page(browser, origin + "/?fw=pytorch", 1440)
    lengths = page.eval_on_selector_all(
        ".card:not([hidden]) .card-summary p",
        """ps => ps.map(p => {
          const lines = new Map(), range = document.createRange();
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
          for (let node; (node = walker.nextNode());) {
            for (let i = 0; i < node.length; i++) {
              range.setStart(node, i); range.setEnd(node, i + 1);
              const top = Math.round(range.getBoundingClientRect().top);
              lines.set(top, (lines.get(top) || 0) + 1);
            }
          }
          return Math.max(...lines.values());
        })""",
    )
    page.context.close()
    on_pytorch = [
        m for m in default_milestones() if "pytorch" in [m["framework"], *m.get("also", [])]
    ]
    assert len(lengths) == sum(len(m["summary"].strip().split("\n\n")) for m in on_pytorch)
    assert max(lengths) <= 75  # characters on the longest line


CROSS_SITE = {
    "content/site.yaml": """\
        title: Cross tracks
        description: A site with a milestone on two tracks.
        eras:
          - title: Alpha's own era
            start: 2020-06
            frameworks: [alpha]
        """,
    "content/frameworks/beta.yaml": """\
        id: beta
        name: Beta
        order: 2
        color: "#269683"
        """,
    "content/frameworks/gamma.yaml": """\
        id: gamma
        name: Gamma
        order: 3
        color: "#6840be"
        """,
    **{
        f"content/milestones/{id}.yaml": f"""\
            id: {id}
            date: {date}
            framework: {fw}
            title: {id.title()}
            summary: Something happened on {fw}.
            sources: [{{source: paper}}]
            {extra}
            """
        for id, date, fw, extra in [
            ("beta-1", "2020-01", "beta", ""),
            ("both", "2020-07", "alpha", "also: [gamma]"),
            ("gamma-1", "2020-09", "gamma", ""),
            ("beta-2", "2021-02", "beta", ""),
        ]
    },
}


@pytest.fixture(scope="module")
def cross_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil
    import textwrap

    from .conftest import MINIMAL_SITE, REPO

    site = tmp_path_factory.mktemp("cross") / "site"
    shutil.copytree(REPO / "templates", site / "templates")
    for name, text in {**MINIMAL_SITE, **CROSS_SITE}.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(textwrap.dedent(text))
    out = site.parent / "out"
    assert sitegen("build", "--site", site, "--out", out).returncode == 0
    with serve_folder(out) as address:
        yield address


@pytest.mark.parametrize("query", ["", "?fw=alpha", "?fw=gamma", "?fw=alpha,gamma", "?fw=beta"])
def test_a_milestone_on_two_tracks_shows_under_each_of_them(
    browser: Any, cross_origin: str, query: str
) -> None:
    page = open_page(browser, cross_origin + "/" + query, 1280)
    shown = page.evaluate(CARDS)
    lanes = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.lane-head:not([hidden])')].map(h => {
          const r = h.getBoundingClientRect(); return [h.dataset.fw, [r.left, r.right]]; }))"""
    )
    dots = page.eval_on_selector_all(".dot:not([hidden])", "ds => ds.map(d => d.dataset.fw)")
    page.context.close()
    ids = [c["id"] for c in shown]
    tracks = {"": {"alpha", "beta", "gamma"}}.get(query, set(query.removeprefix("?fw=").split(",")))
    assert ("both" in ids) == bool(tracks & {"alpha", "gamma"})
    if "both" in ids:
        card = next(c for c in shown if c["id"] == "both")
        spanned = [
            t for t, (left, right) in lanes.items() if card["left"] < right and left < card["right"]
        ]
        assert set(spanned) >= tracks & {"alpha", "gamma"}  # in the lane of each track shown
        assert set(dots) == tracks & {"alpha", "gamma"}  # a marker on each of their lines
    assert [c["id"] for c in sorted(shown, key=lambda c: c["top"])] == ids  # still in date order


def test_with_every_track_shown_the_script_leaves_the_timeline_as_served(
    browser: Any, cross_origin: str
) -> None:
    """A page opened unfiltered (a reload, above all) costs the browser no second pass
    over its cards: timeline.js writes nothing into the timeline the server wrote."""
    served = []
    for script in (False, True):
        context = browser.new_context(java_script_enabled=script)
        page = context.new_page()
        page.goto(cross_origin + "/")
        served.append(page.locator("#timeline").evaluate("t => t.outerHTML"))
        buttons = page.locator(".filters button[data-fw]").count()
        context.close()
    assert buttons == 3  # the script ran
    assert served[1] == served[0]


def test_an_era_is_a_band_on_the_tracks_it_names(browser: Any, cross_origin: str) -> None:
    page = open_page(browser, cross_origin + "/", 1280)
    bands = page.eval_on_selector_all(
        ".band",
        "bs => bs.map(b => { const r = b.getBoundingClientRect(); return [b.dataset.fw, r.left, r.right, r.height]; })",
    )
    alpha = page.locator(".lane-head[data-fw=alpha]").evaluate(
        "h => [h.getBoundingClientRect().left, h.getBoundingClientRect().right]"
    )
    label = page.locator(".era").evaluate("e => [e.innerText, e.getBoundingClientRect().right]")
    page.context.close()
    assert {b[0] for b in bands} == {"alpha"}
    assert all(alpha[0] - 20 <= b[1] and b[2] <= alpha[1] + 20 and b[3] > 0 for b in bands)
    assert "Alpha's own era" in label[0]
    assert label[1] <= alpha[0] + 20  # labelled in the margin, left of the lanes


def test_the_fixture_site_builds_without_warnings(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = site_factory(CROSS_SITE)
    result = sitegen(
        "build", "--site", site, "--out", tmp_path / "out", "--site-url", "https://e.org"
    )
    assert (result.returncode, result.stderr) == (0, "")
