"""A timeline that stays small: past the theme's page size, a page per year (or part of a
long year), the latest years first, linked older and newer and by an index of every year;
track pages split the same way. Checked on fixture sites with a parser, and on a generated
site of 2,000 milestones in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import Options, SiteBuilder, build_site
from sitegen.catalogue import load_texts
from sitegen.pagination import Run, paginate, parts
from sitegen.routes import Plan
from sitegen.theme_settings import theme_settings

from .browser import serve_folder
from .conftest import REPO, HTMLParser, SiteFactory, html, sitegen, tree_bytes

sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import write_corpus

pytestmark = pytest.mark.timeout(900)


def milestone(ident: str, date: str, framework: str = "alpha") -> str:
    return (
        f"id: {ident}\ndate: '{date}'\nframework: {framework}\ntitle: Title {ident}\n"
        f"summary: Summary of {ident}.\nsources:\n  - source: paper\n"
    )


LATER_2021 = {"f-2021": "2021-07-01", "g-2021": "2021-08-01", "h-2021": "2021-09-01"}
SMALL = {
    "templates/theme.yaml": "timeline_page_size: 2\n",
    "content/milestones/a-2019.yaml": milestone("a-2019", "2019-03"),
    "content/milestones/b-2021.yaml": milestone("b-2021", "2021"),
    "content/milestones/c-2021.yaml": milestone("c-2021", "2021-05-01"),
    "content/milestones/d-2021.yaml": milestone("d-2021", "2021-06-01"),
    "content/milestones/e-2022.yaml": milestone("e-2022", "2022-01"),
}


def test_parts_are_as_few_and_as_even_as_can_be() -> None:
    assert [len(p) for p in parts(tuple(range(10)), 4)] == [3, 4, 3]
    assert [len(p) for p in parts(tuple(range(8)), 4)] == [4, 4]
    assert parts((1, 2), 5) == [(1, 2)]


ENGLISH = load_texts(REPO / "templates", "en", (), {})  # the default theme's texts


def run(year: int, count: int, part: int = 0, of: int = 1) -> Run:
    return Run(year, part, of, tuple(range(count)), f"{year}.{part}")  # type: ignore[arg-type]


def test_the_first_page_shows_the_latest_years_that_fit_and_every_year_has_a_page() -> None:
    runs = [run(2019, 3), run(2020, 5, 1, 2), run(2020, 5, 2, 2), run(2021, 2), run(2022, 1)]
    sheets = paginate(runs, 4, "/", "/years/", ENGLISH)
    assert [(s.url, s.shown, s.pager.label) for s in sheets] == [
        ("/", ("2021.0", "2022.0"), ""),  # 2020's second part would make it 8
        ("/years/2022/", ("2022.0",), "2022"),
        ("/years/2021/", ("2021.0",), "2021"),
        ("/years/2020/page/2/", ("2020.2",), "2020, part 2 of 2"),
        ("/years/2020/", ("2020.1",), "2020, part 1 of 2"),
        ("/years/2019/", ("2019.0",), "2019"),
    ]
    links = {s.url: (s.pager.older, s.pager.newer) for s in sheets}
    assert links["/"] == (("/years/2020/page/2/", "2020, part 2 of 2"), None)
    assert links["/years/2022/"] == (("/years/2021/", "2021"), ("/", "Latest"))
    assert links["/years/2019/"] == (None, ("/years/2020/", "2020, part 1 of 2"))
    index = sheets[0].pager.index
    assert [(e.year, e.count, [p.url for p in e.pages]) for e in index] == [
        (2019, 3, ["/years/2019/"]),
        (2020, 10, ["/years/2020/", "/years/2020/page/2/"]),
        (2021, 2, ["/years/2021/"]),
        (2022, 1, ["/years/2022/"]),
    ]


def test_a_year_larger_than_a_page_alone_is_on_the_first_page_by_its_last_part() -> None:
    sheets = paginate([run(2020, 3, 1, 2), run(2020, 3, 2, 2)], 3, "/t/", "/t/", ENGLISH)
    assert sheets[0].shown == ("2020.2",)


def test_past_the_page_size_the_timeline_is_split_by_year(site_factory: SiteFactory) -> None:
    site = site_factory(SMALL)
    build_site(site, site / "output")
    out = site / "output"
    pages = sorted(p for p in tree_bytes(out) if p.startswith(("years/", "frameworks/")))
    assert [p for p in pages if p.endswith(".html")] == [
        "frameworks/alpha/2019/index.html",
        "frameworks/alpha/2020/index.html",
        "frameworks/alpha/2021/index.html",
        "frameworks/alpha/2021/page/2/index.html",
        "frameworks/alpha/2022/index.html",
        "frameworks/alpha/index.html",
        "years/2019/index.html",
        "years/2020/index.html",
        "years/2021/index.html",
        "years/2021/page/2/index.html",
        "years/2022/index.html",
    ]
    home = html(out / "index.html")
    # The latest runs that fit in two: 2022, and the second half of 2021.
    assert [c.attributes["id"] for c in home.css(".timeline .card")] == ["d-2021", "e-2022"]
    assert home.css_first(".pager a[rel=prev]").attributes["href"] == "/years/2021/"
    assert [a.text() for a in home.css(".years a")] == ["2019", "2020", "2021", "2022"]
    on_page = [a.attributes["href"] for a in home.css(".years a[data-year]")]
    assert on_page == ["#y2021", "#y2022"]  # the others lead to their pages
    index = [re.sub(r"\s+", " ", li.text(deep=True)).strip() for li in home.css(".year-index li")]
    assert index == [
        "2019 1 milestone",
        "2020 1 milestone",
        "2021 2021, part 1 2021, part 2 3 milestones",
        "2022 1 milestone",
    ]
    part = html(out / "years/2021/page/2/index.html")
    assert part.css_first("h1").text() == "2021, part 2 of 2"
    assert [c.attributes["id"] for c in part.css(".timeline .card")] == ["d-2021"]
    assert part.css_first(".pager a[rel=next]").attributes["href"] == "/years/2022/"
    current = part.css_first(".year-index [aria-current=page]")
    assert current.attributes["href"] == "/years/2021/page/2/"
    trail = html(out / "milestones/d-2021/index.html").css(".trail a")
    assert trail[1].attributes["href"] == "/years/2021/page/2/#d-2021"


def test_a_milestone_moved_between_older_years_is_recounted_on_every_first_page(
    site_factory: SiteFactory,
) -> None:
    """Each listing's first page counts its milestones by year. A milestone moved from one
    older year to another is shown on no first page, yet the timeline's, its track's and
    its tag's first pages must count it again, and nothing else may go stale."""
    files = {**SMALL, "content/milestones/a2-2019.yaml": milestone("a2-2019", "2019-07")}
    files = {
        p: t + "tags: [x]\n" if p.endswith(".yaml") and "/milestones/" in p else t
        for p, t in files.items()
    }
    site = site_factory(
        {**files, "content/site.yaml": "title: T\ndescription: D.\ntags:\n  x: {label: X}\n"}
    )
    moved = "content/milestones/a-2019.yaml"
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    builder.build()
    (site / moved).write_text(files[moved].replace("2019-03", "2020-03"))
    result = builder.build(changed={moved})
    clean = SiteBuilder(site, Options(cache=False, jobs=1)).build()
    assert {p.output: p.data for p in result.pages} == {p.output: p.data for p in clean.pages}
    in_2020 = {"index.html": "2", "frameworks/alpha/index.html": "2", "tags/x/index.html": "1"}
    for first, count in in_2020.items():  # alpha-1, of 2020, is on the track, not the tag
        page = HTMLParser(builder.pages[first].decode())
        index = [re.sub(r"\s+", " ", li.text(deep=True)) for li in page.css(".year-index li")]
        assert [entry.split()[:2] for entry in index] == [
            ["2019", "1"],
            ["2020", count],
            ["2021", "2021,"],
            ["2022", "1"],
        ], first


@pytest.mark.parametrize(
    ("moved", "date", "watched", "before", "after"),
    [
        # 2021's six milestones fill three parts (b c, d f, g h). One moved into 2021 makes
        # them b a, c d, f, g h: `f-2021` moves to the third part.
        ("a-2019", "2021-01", "f-2021", "/years/2021/page/2/", "/years/2021/page/3/"),
        # One moved out of 2021 leaves c d, f, g h: `d-2021`, not next to it, moves to the
        # first part.
        ("b-2021", "2019-04", "d-2021", "/years/2021/page/2/", "/years/2021/"),
        # One removed does the same.
        ("b-2021", None, "d-2021", "/years/2021/page/2/", "/years/2021/"),
        # One moved within 2021 makes them c d, f g, b h: `g-2021` moves to the second
        # part, and the second part shows neither the moved milestone nor what it showed.
        ("b-2021", "2021-08-15", "g-2021", "/years/2021/page/3/", "/years/2021/page/2/"),
    ],
)
def test_a_milestone_moved_in_out_or_within_a_split_year_moves_the_others_to_their_parts(
    site_factory: SiteFactory,
    moved: str,
    date: str | None,
    watched: str,
    before: str,
    after: str,
) -> None:
    """Every page a rebuild leaves is a clean build's. The watched milestone's own page
    links to the part that shows it, and must say where it went, though nothing else it
    shows changed."""
    later = {f"content/milestones/{m}.yaml": milestone(m, d) for m, d in LATER_2021.items()}
    site = site_factory({**SMALL, **later})
    path = f"content/milestones/{moved}.yaml"
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    builder.build()

    def trail() -> str:
        page = HTMLParser(builder.pages[f"milestones/{watched}/index.html"].decode())
        return page.css(".trail a")[1].attributes["href"]

    assert trail() == f"{before}#{watched}"
    if date is None:
        (site / path).unlink()
    else:
        (site / path).write_text(milestone(moved, date))
    result = builder.build(changed={path})
    clean = SiteBuilder(site, Options(cache=False, jobs=1)).build()
    assert {p.output: p.data for p in result.pages} == {p.output: p.data for p in clean.pages}
    assert trail() == f"{after}#{watched}"


def test_a_track_is_split_the_same_way_and_only_its_first_page_is_searched(
    site_factory: SiteFactory,
) -> None:
    site = site_factory(SMALL)
    build_site(site, site / "output")
    out = site / "output"
    first = html(out / "frameworks/alpha/index.html")
    assert first.css_first("h1").text() == "Alpha"
    assert first.css_first("[data-pagefind-body]") is not None
    assert [e.attributes["id"] for e in first.css(".changelog .entry")] == ["d-2021", "e-2022"]
    year = html(out / "frameworks/alpha/2019/index.html")
    assert year.css_first("h1").text() == "Alpha, 2019"
    assert year.css_first("[data-pagefind-body]") is None  # a listing
    assert year.css_first(".pager a[rel=next]").attributes["href"] == "/frameworks/alpha/2020/"
    og = year.css_first('meta[property="og:image"]').attributes["content"]
    assert og == "/cards/frameworks/alpha.png"  # the track's card


def test_up_to_the_page_size_the_timeline_is_one_page(site_factory: SiteFactory) -> None:
    site = site_factory({**SMALL, "templates/theme.yaml": "timeline_page_size: 6\n"})
    build_site(site, site / "output")
    assert not (site / "output/years").exists()
    home = html(site / "output/index.html")
    assert len(home.css(".timeline .card")) == 6
    assert home.css_first(".pager") is None and home.css_first(".year-index") is None


@pytest.mark.parametrize(
    ("settings", "report"),
    [
        (
            "timeline_page_size: ten\n",
            "templates/theme.yaml:1:21: error: 'timeline_page_size' must be a whole number, got 'ten'",
        ),
        (
            "timeline_page_size: 0\n",
            "templates/theme.yaml:1:21: error: 'timeline_page_size' must be at least 1, got 0\n"
            "  hint: a few hundred suits a browser; the default is 250",
        ),
        (
            "page_size: 100\n",
            "templates/theme.yaml:1:1: error: unknown key 'page_size'\n"
            "  hint: did you mean 'timeline_page_size'?",
        ),
        (
            "timeline_page_size: [1\n",
            "templates/theme.yaml:2:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)\n"
            "  hint: close the '[' with ']'",
        ),
    ],
)
def test_a_bad_theme_setting_is_reported_where_it_is(
    site_factory: SiteFactory, settings: str, report: str
) -> None:
    site = site_factory({"templates/theme.yaml": settings})
    result = sitegen("build", "--site", site)
    assert result.returncode == 1
    assert result.stderr.startswith(report + "\n"), result.stderr


# A generated site of 2,000 milestones, a page per 100.

SIZE = 100


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("big")
    write_corpus(2000, root)
    (root / "templates/theme.yaml").write_text(
        f"timeline_page_size: {SIZE}\nsocial_cards: false\n"  # no cards: quicker
    )
    result = sitegen("build", "--site", root, "--out", root / "output")
    assert result.returncode == 0, result.stderr
    with serve_folder(root / "output") as origin:
        yield root / "output", origin


def test_no_page_of_the_big_site_lists_more_than_a_page_of_milestones(
    big_site: tuple[Path, str],
) -> None:
    out, _ = big_site
    biggest = max(p.stat().st_size for p in out.rglob("*.html"))
    assert biggest < 1_000_000
    for path in [out / "index.html", *(out / "years").rglob("*.html")]:
        assert 0 < len(html(path).css(".timeline .card")) <= SIZE, path
    for path in (out / "frameworks").rglob("*.html"):
        assert 0 < len(html(path).css(".changelog .entry")) <= SIZE, path


LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"


def test_every_milestone_is_reached_from_the_home_page_by_links(
    browser: Any, big_site: tuple[Path, str]
) -> None:
    """Following every link between the timeline's and the tracks' pages in Chromium,
    from the home page, finds a link to every milestone's page."""
    out, origin = big_site
    page = browser.new_page()
    listing = re.compile(rf"{re.escape(origin)}/(years/|frameworks/[a-z]+/)?[\w/]*$")
    seen, todo, milestones = {origin + "/"}, deque([origin + "/"]), set()
    while todo:
        page.goto(todo.popleft())
        for href in page.evaluate(LINKS):
            href = href.split("#")[0].split("?")[0]
            if "/milestones/" in href:
                milestones.add(href.removeprefix(origin))
            elif listing.fullmatch(href) and href not in seen:
                seen.add(href)
                todo.append(href)
    page.close()
    expected = {
        f"/{p.parent.relative_to(out).as_posix()}/"
        for p in (out / "milestones").rglob("index.html")
    }
    assert len(expected) == 2000
    assert milestones == expected
    assert len(seen) > 2000 / SIZE  # it went through the year pages


def test_the_track_filter_works_on_a_year_page_and_follows_its_links(
    browser: Any, big_site: tuple[Path, str]
) -> None:
    _, origin = big_site
    page = browser.new_page()
    page.goto(origin + "/years/2015/?fw=jax")
    shown = page.eval_on_selector_all(".card:not([hidden])", "cs => cs.map(c => c.dataset.fw)")
    assert shown and set(shown) == {"jax"}
    older = page.locator(".pager a[rel=prev]").get_attribute("href")
    assert older == "/years/2014/page/2/?fw=jax"
    page.get_by_role("button", name="PyTorch", exact=True).click()
    assert (
        page.locator(".pager a[rel=prev]").get_attribute("href")
        == "/years/2014/page/2/?fw=pytorch,jax"
    )
    page.locator(".pager a[rel=prev]").click()
    page.wait_for_url(origin + "/years/2014/page/2/?fw=pytorch,jax")
    shown = page.eval_on_selector_all(".card:not([hidden])", "cs => cs.map(c => c.dataset.fw)")
    assert set(shown) == {"pytorch", "jax"}
    page.close()


def test_timeline_json_is_written_as_it_is_made_and_stays_whole(
    site_factory: SiteFactory,
) -> None:
    from sitegen.build import Options, SiteBuilder
    from sitegen.render import render_route
    from sitegen.routes import plan_routes

    site = site_factory(SMALL)
    builder = SiteBuilder(site, Options(cache=False))
    result = builder.build()  # in memory
    assert builder.last is not None and builder.renderer is not None
    routes = plan_routes(result.content, builder.last.paths, site / "templates")
    route = next(r for r in routes if r.output == "timeline.json")
    pieces = render_route(route, builder.renderer.env)
    assert not isinstance(pieces, bytes)  # made as it is asked for
    data = b"".join(pieces)
    assert data == bytes(result.files["timeline.json"])
    events = json.loads(data)["events"]
    assert [e["unique_id"] for e in events] == [
        "a-2019",
        "alpha-1",
        "b-2021",
        "c-2021",
        "d-2021",
        "e-2022",
    ]
    build_site(site, site / "output")
    assert (site / "output/timeline.json").read_bytes() == data


def test_a_file_written_as_it_is_made_keeps_every_piece_in_order() -> None:
    from sitegen.render import streamed

    pieces = ["{", "é" * 10, "x" * 70_000, ",", "y" * 100, "z" * 70_000, "}"]
    chunks = list(streamed(iter(pieces)))
    assert b"".join(chunks) == "".join(pieces).encode()
    # A year of a large timeline.json goes out alone, not copied into a batch first.
    assert b"x" * 70_000 in chunks and b"z" * 70_000 in chunks
    assert b"" not in chunks[:-1]


def test_a_large_piece_is_encoded_again_only_when_its_text_changed() -> None:
    """A builder that renders again keeps each data file's large pieces as last encoded:
    a year of `timeline.json` that did not change is the same bytes, not a new copy."""
    from sitegen.render import streamed

    year, other, changed = "x" * 70_000, "y" * 70_000, "z" * 70_000
    last: dict[str, bytes] = {}
    first = list(streamed(iter(["{", year, ",", other, "}"]), last))
    again = list(streamed(iter(["{", year, ",", changed, "}"]), last))
    assert again[1] is first[1] and again[3] is not first[3]
    assert b"".join(again) == ("{" + year + "," + changed + "}").encode()
    assert set(last) == {year, changed}  # the pieces of the last rendering alone


def test_a_template_error_in_a_file_written_as_it_is_made_is_reported(
    site_factory: SiteFactory,
) -> None:
    site = site_factory(
        {"templates/timeline.json": "{{ timeline_json(years) }}\n{{ nothing.here }}\n"}
    )
    result = sitegen("build", "--site", site)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "templates/timeline.json:2: error: template error: 'nothing' is undefined\n"
    ), result.stderr
    assert not (site / "output").exists()


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_the_pages_found_to_show_a_milestone_are_those_planned_to_show_it(
    tmp_path: Path, size: int
) -> None:
    """A moved milestone is drawn on the pages `Plan.listed_on` finds without planning
    every listing: on the default site split every way, they are the listings' pages
    whose plan holds it, neither more nor fewer."""
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "templates/theme.yaml").write_text(f"timeline_page_size: {size}\n")
    builder = SiteBuilder(tmp_path, Options(cache=False, jobs=1))
    content = builder.build().content
    plan = Plan(content, builder.last.paths, {}, settings=theme_settings(tmp_path / "templates"))
    for m in content.milestones:
        assert sorted(plan.listed_on(m)) == sorted(plan.showing[("milestones", m.id)]), m.id
