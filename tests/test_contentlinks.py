"""Links in content, resolved by every build and reported where the author wrote them."""

from __future__ import annotations

import textwrap

import pytest

from sitegen.build import Options, SiteBuilder
from sitegen.contentlinks import MAY_LINK_INTERNALLY
from sitegen.diagnostics import SiteError

from .conftest import MINIMAL_SITE, SiteFactory, html, sitegen

MILESTONE = textwrap.dedent(MINIMAL_SITE["content/milestones/alpha-1.yaml"])


def with_summary(summary: str) -> dict[str, str]:
    return {
        "content/milestones/alpha-1.yaml": MILESTONE.replace("summary: The first release.", summary)
    }


def errors(site_factory: SiteFactory, files: dict[str, str], *args: str) -> list[str]:
    site = site_factory(files)
    result = sitegen("build", *args, cwd=site)
    assert result.returncode in (0, 1), result.stderr
    assert (result.returncode == 1) == bool(result.stderr.strip().endswith("nothing written"))
    return [line for line in result.stderr.splitlines() if ": error: " in line]


def test_links_from_the_root_resolve_under_any_base_url(site_factory: SiteFactory) -> None:
    site = site_factory(
        with_summary(
            "summary: See [the paper](/sources/paper/), [the feed](/feed.xml), "
            "[home](/#y2020), [a style](/static/style.css), [mail](mailto:a@example.org) "
            "and [elsewhere](https://example.org/x/)."
        )
    )
    result = sitegen("build", "--base-url", "/repo/", cwd=site)
    assert result.returncode == 0, result.stderr
    page = html(site / "output/milestones/alpha-1/index.html")
    hrefs = [a.attributes["href"] for a in page.css(".milestone-summary a, article p a")]
    assert "/repo/sources/paper/" in hrefs
    assert errors(
        site_factory,
        with_summary("summary: See [x](/repo/sources/paper/)."),
        "--base-url",
        "/repo/",
    ) == ["content/milestones/alpha-1.yaml:5:18: error: broken link '/repo/sources/paper/'"]


def test_positions_in_every_scalar_style_and_each_place_once(site_factory: SiteFactory) -> None:
    found = errors(
        site_factory,
        with_summary("summary: >\n  Folded, with [one](/nope/) and\n  [one again](/nope/).\n"),
    )
    assert found == [
        "content/milestones/alpha-1.yaml:6:22: error: broken link '/nope/'",
        "content/milestones/alpha-1.yaml:7:15: error: broken link '/nope/'",
    ]
    literal = errors(
        site_factory,
        with_summary("summary: |\n  With [a reference][r].\n\n  [r]: /nope-ref/\n"),
    )
    assert literal == ["content/milestones/alpha-1.yaml:8:8: error: broken link '/nope-ref/'"]
    quoted = errors(site_factory, with_summary('summary: "In quotes: [x](/nope/)"'))
    assert quoted == ["content/milestones/alpha-1.yaml:5:26: error: broken link '/nope/'"]


def test_a_source_note_may_link_relative_to_its_own_page(site_factory: SiteFactory) -> None:
    paper = textwrap.dedent(MINIMAL_SITE["content/sources/paper.yaml"])
    files = {
        "content/sources/paper.yaml": paper + "note: Read with [the other](../other/).\n",
        "content/sources/other.yaml": paper.replace("id: paper", "id: other"),
    }
    assert errors(site_factory, files) == []
    files["content/sources/paper.yaml"] = paper + "note: Read with [the other](../othre/).\n"
    assert errors(site_factory, files) == [
        "content/sources/paper.yaml:5:29: error: broken link '../othre/'"
    ]


def test_the_dev_server_reports_a_broken_link_and_recovers(site_factory: SiteFactory) -> None:
    site = site_factory()
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    builder.build()
    milestone = site / "content/milestones/alpha-1.yaml"
    good = milestone.read_text()
    milestone.write_text(good.replace("The first release.", "See [x](/milestones/alpha-2/)."))
    with pytest.raises(SiteError) as error:  # a reworded summary: the quick path
        builder.build(changed={"content/milestones/alpha-1.yaml"})
    assert [d.format() for d in error.value.diagnostics] == [
        "content/milestones/alpha-1.yaml:5:18: error: broken link '/milestones/alpha-2/'\n"
        "  hint: no page at that address; the closest page is '/milestones/alpha-1/'"
    ]
    milestone.write_text(good.replace("The first release.", "See [x](/milestones/alpha-1/)."))
    result = builder.build(changed={"content/milestones/alpha-1.yaml"})
    assert b'href="/milestones/alpha-1/"' in result.files["index.html"]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("See [the notes](https://example.org/notes).", False),
        ("See [mail]( mailto:a@example.org) and <https://example.org>.", False),
        ("[r]: https://example.org/", False),
        ("No link at all.", False),
        ("See [x](/milestones/x/).", True),
        ("See [x]( <../x/>).", True),
        ("![A picture](/static/a.png)", True),
        ("[r]: #anchor", True),
    ],
)
def test_only_texts_that_may_link_within_the_site_are_parsed(text: str, parsed: bool) -> None:
    # The others hold no internal link: a build of 10,000 summaries linking elsewhere
    # parses none of them again.
    assert bool(MAY_LINK_INTERNALLY.search(text)) is parsed
