"""Each pipeline stage on in-memory input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.assemble import assemble, content_of, paths, validate
from sitegen.catalogue import with_texts
from sitegen.depends import Record
from sitegen.diagnostics import Diagnostic, SiteError
from sitegen.environment import Renderer
from sitegen.layout import lay_out, meanwhile, meanwhile_of, relaid
from sitegen.links import resolve
from sitegen.load import Document, parse_document
from sitegen.markup import is_safe_link, render_inline, render_markdown
from sitegen.model import PartialDate
from sitegen.quotes import QuoteReport
from sitegen.routes import plan_routes
from sitegen.validate import Checked, check_document

from .conftest import MINIMAL_SITE, REPO


def parse(text: str | bytes, kind: str = "site") -> tuple[Document | None, list[Diagnostic]]:
    data = text.encode() if isinstance(text, str) else text
    return parse_document(kind, "content/site.yaml", data)


def documents(files: dict[str, str]) -> list[Document]:
    import textwrap

    parsed = []
    for name, text in sorted({**MINIMAL_SITE, **files}.items()):
        kind = name.split("/")[1].removesuffix(".yaml")
        document, problems = parse_document(kind, name, textwrap.dedent(text).encode())
        assert document is not None, problems
        parsed.append(document)
    return parsed


def test_load_keeps_positions_and_plain_values() -> None:
    document, problems = parse("title: T\ndescription:  D\n")
    assert problems == []
    assert isinstance(document.node, yaml.MappingNode)
    _, value = document.node.value[1]
    assert (value.value, value.start_mark.line, value.start_mark.column) == ("D", 1, 14)


def test_byte_order_mark_is_accepted() -> None:
    document, problems = parse(b"\xef\xbb\xbftitle: T\n")
    assert problems == [] and document.node.value[0][0].value == "title"


def test_bytes_that_are_not_utf8_are_located() -> None:
    _, problems = parse(b"title: ok\ndescription: caf\xe9\n")
    assert problems == [
        Diagnostic(
            "content/site.yaml", 2, 17, "not valid UTF-8 (byte 0xe9)", "save the file as UTF-8"
        )
    ]


def test_aliases_are_refused_without_expanding_them() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    _, problems = parse(bomb)
    assert {p.message for p in problems} == {"anchors and aliases are not supported"}
    assert len(problems) == 20  # once per shared node, not once per use or expansion


@pytest.mark.parametrize(
    ("date", "iso", "human", "precision"),
    [
        (PartialDate(2016), "2016", "2016", "year"),
        (PartialDate(2022, 9), "2022-09", "September 2022", "month"),
        (PartialDate(2022, 9, 12), "2022-09-12", "12 September 2022", "day"),
    ],
)
def test_partial_dates_keep_their_precision(
    date: PartialDate, iso: str, human: str, precision: str
) -> None:
    assert (date.iso, date.human, date.precision) == (iso, human, precision)


def test_validate_sorts_milestones_by_date_then_framework_order() -> None:
    content = validate(
        documents(
            {
                "content/frameworks/beta.yaml": "id: beta\nname: Beta\norder: 0\ncolor: '#123456'\n",
                "content/milestones/b.yaml": "id: b\ndate: 2020-05\nframework: beta\ntitle: B\n"
                "summary: S\nsources: [{source: paper}]\n",
                "content/milestones/c.yaml": "id: c\ndate: 2020\nframework: alpha\ntitle: C\n"
                "summary: S\nsources: [{source: paper}]\n",
            }
        )
    )
    assert [f.id for f in content.frameworks] == ["beta", "alpha"]
    assert [m.id for m in content.milestones] == ["c", "b", "alpha-1"]


DATES = ["2019", "2020", "2020-05", "2020-05-04", "2021", "2022-12-31"]


def milestone_yaml(ident: str, date: str, framework: str, more: str = "") -> str:
    return (
        f"id: {ident}\ndate: '{date}'\nframework: {framework}\ntitle: T\nsummary: S\n"
        f"sources: [{{source: paper}}]\n{more}"
    )


def checked(files: dict[str, str]) -> dict[str, Checked]:
    return {d.path: check_document(d) for d in documents(files)}


@pytest.mark.parametrize(
    "date, order",
    [
        ("2019-01", ["b", "c", "alpha-1", "d"]),
        ("2021", ["c", "alpha-1", "b", "d"]),  # on d's date, its track comes first
        ("2022", ["c", "alpha-1", "d", "b"]),
    ],
)
def test_a_milestone_given_a_new_date_moves_where_assembling_anew_puts_it(
    date: str, order: list[str]
) -> None:
    """`content_of` moves a redated milestone in the last content rather than putting every
    file together again, and names it; the result is `assemble`'s."""
    files = {
        "content/frameworks/beta.yaml": "id: beta\nname: Beta\norder: 0\ncolor: '#123456'\n",
        "content/milestones/b.yaml": milestone_yaml("b", "2020-05", "beta"),
        "content/milestones/c.yaml": milestone_yaml("c", "2020", "alpha"),
        "content/milestones/d.yaml": milestone_yaml("d", "2021", "alpha"),
    }
    before = checked(files)
    files["content/milestones/b.yaml"] = milestone_yaml("b", date, "beta")
    after, edited, last_paths = (
        checked(files),
        ["content/milestones/b.yaml"],
        paths(before.values()),
    )
    last = assemble(list(before.values()))
    content, where, moved = content_of(last, last_paths, before, after, edited, NO_QUOTES)
    assert (content, where) == (assemble(list(after.values())), paths(after.values()))
    assert where is last_paths  # the ids are where they were: not put together anew
    assert [m.id for m in moved] == ["b"]
    assert [m.id for m in content.milestones] == order


MORE = st.sampled_from(["", "also: [beta]\n", "tags: [foundation]\n", "tags: [x, y]\n"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(DATES), st.sampled_from(["alpha", "beta"]), MORE),
        min_size=1,
        max_size=7,
    ),
    st.data(),
)
def test_a_layout_relaid_after_a_move_is_the_layout_worked_out_anew(
    milestones: list[tuple[str, str, str]], data: st.DataObject
) -> None:
    """`layout.relaid` shifts the last layout for one moved milestone; whatever the
    milestones and the move, that is what `lay_out` gives from scratch."""
    files = {"content/frameworks/beta.yaml": "id: beta\nname: Beta\norder: 0\ncolor: '#123456'\n"}
    for n, (date, framework, more) in enumerate(milestones):
        more = more.replace("beta", "alpha") if framework == "beta" else more  # another track
        milestones[n] = (date, framework, more)
        files[f"content/milestones/m{n}.yaml"] = milestone_yaml(f"m{n}", date, framework, more)
    n = data.draw(st.integers(0, len(milestones) - 1))
    date, framework, more = milestones[n]
    before = checked(files)
    last = assemble(list(before.values()))
    where = paths(before.values())
    edited = [f"content/milestones/m{n}.yaml"]
    new_date = data.draw(st.sampled_from(DATES))
    files[edited[0]] = milestone_yaml(f"m{n}", new_date, framework, more)
    content, _, moved = content_of(last, where, before, checked(files), edited, NO_QUOTES)
    assert [m.id for m in moved or ()] == ([] if new_date == date else [f"m{n}"])
    if moved:
        assert relaid(lay_out(last, where), content, moved) == lay_out(content, where)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(DATES), st.sampled_from(["alpha", "beta", "gamma"]), MORE),
        min_size=1,
        max_size=9,
    )
)
def test_the_pages_a_milestone_shows_on_meanwhile_are_the_ones_named(
    milestones: list[tuple[str, str, str]],
) -> None:
    """`meanwhile_of(m)` names exactly the milestones whose "meanwhile" strip shows `m`:
    one left out would keep a stale page, one too many is rendered for nothing."""
    files = {
        f"content/frameworks/{fw}.yaml": f"id: {fw}\nname: {fw}\norder: {n}\ncolor: '#123456'\n"
        for n, fw in enumerate(["beta", "gamma"])
    }
    for n, (date, framework, more) in enumerate(milestones):
        more = more.replace("beta", "alpha") if framework == "beta" else more  # another track
        files[f"content/milestones/m{n}.yaml"] = milestone_yaml(f"m{n}", date, framework, more)
    found = checked(files)
    content = assemble(list(found.values()))
    layout, ms = lay_out(content, paths(found.values())), content.milestones
    by_framework = {fw: tuple(ms[i] for i in at) for fw, at in layout.tracks.items()}
    for m in ms:
        showing = [
            x.id
            for x in ms
            if any(m in (before, after) for _, before, after in meanwhile(layout, by_framework, x))
        ]
        assert sorted(x.id for x in meanwhile_of(layout, ms, m)) == sorted(showing)


NO_QUOTES = QuoteReport()


def test_validate_reports_every_problem_at_once() -> None:
    docs = documents(
        {"content/milestones/alpha-1.yaml": "id: alpha-1\ndate: 2020-02-30\nframework: x\n"}
    )
    with pytest.raises(SiteError) as caught:
        validate(docs)
    messages = [d.message for d in caught.value.diagnostics]
    assert messages == [
        "missing required key 'sources'",
        "missing required key 'summary'",
        "missing required key 'title'",
        "'date' is not a real date: 2020-02-30",
        "unknown framework 'x'",
    ]


def test_routes_are_folder_style_and_link_neighbours() -> None:
    checked = [
        check_document(d)
        for d in documents(
            {
                "content/milestones/alpha-2.yaml": "id: alpha-2\ndate: 2021\nframework: alpha\n"
                "title: T\nsummary: S\nsources: [{source: paper}]\n"
            }
        )
    ]
    content = with_texts(assemble(checked), REPO / "templates")  # as the build gives them
    routes = {r.url: r for r in plan_routes(content, paths(checked), REPO / "templates")}
    first = routes["/milestones/alpha-1/"]
    assert first.output == "milestones/alpha-1/index.html"
    assert first.context["neighbours"].next.id == "alpha-2"
    assert first.context["neighbours"].previous is None
    assert routes["/404.html"].output == "404.html"
    assert routes["/sitemap.xml"].context["urls"] == (
        "/",
        "/frameworks/alpha/",
        "/milestones/alpha-1/",
        "/milestones/alpha-2/",
        "/sources/paper/",
        "/tags/",
    )


def test_markdown_escapes_html_and_drops_unsafe_links() -> None:
    out = render_markdown(
        '<img src=x onerror="alert(1)"> [a](javascript:alert(1)) [b](data:text/html,x)'
    )
    assert "<img" not in out and "&lt;img" in out
    assert "href" not in out
    assert render_inline("*hi* [x](/a/)", "/repo/") == '<em>hi</em> <a href="/repo/a/">x</a>'
    assert render_markdown("# Title") == "<h2>Title</h2>\n"


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://x.org", True),
        ("/milestones/a/", True),
        ("#anchor", True),
        ("page/", True),
        ("mailto:a@b.c", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html;base64,xx", False),
        ("vbscript:x", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_safe_links_are_kept(url: str, safe: bool) -> None:
    assert is_safe_link(url) is safe


@pytest.mark.parametrize(
    ("href", "page", "target"),
    [
        ("/repo/", "index.html", ("index.html", "")),
        ("/repo/milestones/a/#x", "index.html", ("milestones/a/index.html", "x")),
        ("#y", "milestones/a/index.html", ("milestones/a/index.html", "y")),
        ("../b/", "milestones/a/index.html", ("milestones/b/index.html", "")),
        ("https://example.org/", "index.html", (None, "")),
        ("/elsewhere/", "index.html", ("(outside /repo/) /elsewhere/", "")),
    ],
)
def test_link_resolution(href: str, page: str, target: tuple[str | None, str]) -> None:
    assert resolve(href, page, "/repo/") == target


def test_cached_reuses_a_macro_only_for_the_same_arguments(tmp_path: Path) -> None:
    renderer = Renderer(tmp_path)
    env = renderer.env
    calls = []
    env.globals["count"] = lambda: calls.append(1) or ""
    page = env.from_string(
        "{% macro show(x) %}{{ count() }}[{{ x | join(',') }}]{% endmacro %}"
        "{{ cached(show, items) }}{{ cached(show, items) }}"
    )
    items = [1, 2]
    assert page.render(items=items) == "[1,2][1,2]"
    assert len(calls) == 1, "the second call is the first's output"
    items.append(3)  # a list is keyed by what it holds when called, never by identity
    assert page.render(items=items) == "[1,2,3][1,2,3]"
    assert page.render(items={"a": 1}) == "[a][a]"  # a dict is not cached: rendered each time
    assert len(calls) == 4


def test_the_record_indexes_each_input_by_the_outputs_that_read_it() -> None:
    reads = {"x": ("a",), "y": ("a", "b"), "z": ()}  # sorted, as rendering gives them
    first = Record().updated({"a": 1, "b": 2}, reads, [])
    assert {key: set(outputs) for key, outputs in first.users.items()} == {
        "a": {"x", "y"},
        "b": {"y"},
    }
    assert first.inputs["z"] == (), "an output that read nothing is still listed"
    assert first.changed({"a": 1, "b": 3}, ["a", "b"]) == {"b"}
    assert first.readers({"b"}) == {"y"}
    second = first.updated({"a": 1, "b": 3, "c": 4}, {"y": ("c",)}, ["x"])
    assert second.users == {"c": ("y",)} and set(second.inputs) == {"y", "z"}
    assert set(first.users["a"]) == {"x", "y"}, "a record is a value: never changed"


def test_the_record_keeps_each_outputs_inputs_sorted_whatever_order_they_were_read_in() -> None:
    first = Record().updated({}, {"x": ("b", "c", "a")}, [])
    assert first.inputs["x"] == ("a", "b", "c") and first.read("x", "b")
    again = first.updated({}, {"x": ("c", "a", "b")}, [])
    assert again.inputs == first.inputs and again.users == first.users
    fewer = again.updated({}, {"x": ("c", "a")}, [])
    assert fewer.inputs["x"] == ("a", "c") and not fewer.read("x", "b")
    assert "b" not in fewer.users
