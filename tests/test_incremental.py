"""Never stale: random edits through the dev server's path (one SiteBuilder, rebuilt after
every edit) always give the bytes, or the errors, of a clean build of the same files.

HYPOTHESIS_PROFILE=long runs many more sequences than CI does.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build import Options, SiteBuilder
from sitegen.devserver import DevServer
from sitegen.diagnostics import SiteError
from sitegen.outdir import MANIFEST
from sitegen.search import SEARCH_DIR

from .conftest import MINIMAL_SITE, REPO, SiteFactory, tree_bytes, write
from .serve_helpers import REBUILD_LINE, Served, ServeFactory, replace_in, running_servers

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
EXAMPLES = 300 if LONG else 15

IDS = ("m-a", "m-b", "m-c", "m-d")
WORDS = st.sampled_from(["alpha", "beta", "*gamma*", "`delta`", "[link](/)", "- item", "## Head"])
DATES = st.sampled_from(
    ["2019", "2020-01", "2020-05", "2020-05-04", "2020-09-09", "2021-02-30", "2022-12-31"]
)


def milestone_text(
    ident: str, date: str, framework: str, title: str, summary: str, more: str = "", extra: str = ""
) -> str:
    return (
        f"id: {ident}\ndate: '{date}'\nframework: {framework}\ntitle: {title}\n"
        f"summary: |\n  {summary}\n{more}sources:\n  - source: paper\n{extra}"
    )


# Tags (a bad one too) and drafts, on milestones and pages.
TAGS = st.sampled_from(
    ["", "tags: [release]\n", "tags: [release, compiler]\n", "tags: [Bad Tag]\n"]
)
DRAFT = st.sampled_from(["", "draft: true\n", "draft: false\n"])
PAGE_PATHS = ("pages/about.md", "pages/guide/index.md", "pages/guide.md")  # the last two collide
LINKS = st.sampled_from(
    ["", "[m](/milestones/m-a/)", "[g](guide/index.md)", "[x](#why)", "[t](/tags/)"]
)


def page_text(title: str, body: str, link: str, tags: str, draft: str) -> str:
    return f"---\ntitle: {title}\n{tags}{draft}---\n## Why\n\n{body} {link}\n"


pages = st.builds(
    page_text,
    st.sampled_from(["About", "Guide", "Abut"]),
    st.lists(WORDS, min_size=1, max_size=3).map(" ".join),
    LINKS,
    TAGS,
    DRAFT,
)


milestones = st.builds(
    milestone_text,
    st.sampled_from(IDS),
    DATES,
    st.sampled_from(["alpha", "beta", "nope"]),
    st.sampled_from(["One", "Two", "Tw0"]),  # same length: an edit may keep the file's size
    st.lists(WORDS, min_size=1, max_size=4).map(" ".join),
    st.tuples(TAGS, DRAFT).map("".join),
    st.sampled_from(["", "  - source: book\n", "also: [beta]\n", "tags: [x]\n"]),
)
frameworks = st.builds(
    lambda ident, name, order: (
        f"id: {ident}\nname: {name}\norder: {order}\ncolor: '#123456'\nwebsite: https://b.org/\n"
    ),
    st.just("beta"),
    st.sampled_from(["Beta", "Bet4"]),
    st.integers(0, 2),
)
sites = st.builds(
    lambda title, base, more: f"title: {title}\ndescription: D.\nbase_url: {base}\n{more}",
    st.sampled_from(["T1", "T2"]),
    st.sampled_from(["/", "/repo/"]),
    st.sampled_from(
        [
            "",
            "nav: [about.md]\n",
            "nav: [guide/index.md, about.md]\n",
            "tags: {release: {label: Releases}}\n",
            "language: fr\nstrings: {tracks: cadres}\n",
            "eras:\n  - {title: Later, start: '2020-03'}\n",  # its label on the year it starts
        ]
    ),
)
books = st.sampled_from(["id: book\ntitle: A book\n", "id: book\ntitle: The book\n"])
template_lines = st.sampled_from(["<p>extra</p>", "<p>extrA</p>", "{{ site.title }}"])
TEMPLATES = ["milestone.html", "base.html", "_macros.html", "source.html"]
MILESTONE_FILES = st.sampled_from(IDS).map(lambda i: f"milestones/{i}.yaml")

# Edits that break the site, each undone by a later ("revert",): the build must fail, the
# dev server keep serving the last good site, and the revert give a clean build's bytes.
breaks = st.one_of(
    st.tuples(st.just("break"), st.just("syntax"), st.sampled_from(TEMPLATES)),
    st.tuples(
        st.just("break"), st.just("runtime"), st.sampled_from(["milestone.html", "base.html"])
    ),
    st.tuples(st.just("break"), st.just("yaml"), MILESTONE_FILES),
    st.tuples(st.just("break"), st.just("reference"), MILESTONE_FILES),
    st.tuples(st.just("break"), st.just("folder"), MILESTONE_FILES),
)
# The timeline's page size: the fixture site has a page a year (or part of one) at 1 or 2.
page_sizes = st.sampled_from([1, 2, 3, 250])

edits = st.one_of(
    st.tuples(st.just("write"), MILESTONE_FILES, milestones),
    st.tuples(st.just("delete"), MILESTONE_FILES),
    st.tuples(st.just("rename"), st.sampled_from(IDS), st.sampled_from(IDS)),
    st.tuples(st.just("write"), st.sampled_from(PAGE_PATHS), pages),
    st.tuples(st.just("delete"), st.sampled_from(PAGE_PATHS)),
    # Publish a draft, or make a published milestone or page a draft again.
    st.tuples(
        st.just("draft"),
        st.sampled_from([*PAGE_PATHS, *(f"milestones/{i}.yaml" for i in ("alpha-1", *IDS))]),
    ),
    st.tuples(st.just("write"), st.just("frameworks/beta.yaml"), frameworks),
    st.tuples(st.just("delete"), st.just("frameworks/beta.yaml")),
    st.tuples(st.just("write"), st.just("sources/book.yaml"), books),
    st.tuples(st.just("delete"), st.just("sources/book.yaml")),
    st.tuples(st.just("write"), st.just("site.yaml"), sites),
    st.tuples(
        st.just("template"), st.sampled_from([*TEMPLATES[:2], "timeline.html"]), template_lines
    ),
    # The theme's texts: a catalogue edited (the site's language reads it, or falls back).
    st.tuples(
        st.just("texts"), st.sampled_from(["en", "fr"]), st.sampled_from(["Go to", "Skip to"])
    ),
    st.tuples(st.just("theme"), page_sizes),
    # New words in the same places: a milestone's page and the listings change, nothing moves
    st.tuples(
        st.just("reword"),
        st.lists(st.sampled_from(["alpha-1", *IDS]), min_size=1, max_size=2, unique=True),
        st.sampled_from(["One", "Ten"]),
        st.lists(WORDS, min_size=1, max_size=3).map(" ".join),
    ),
    # A new date and nothing else: the milestone moves (see `assemble.rewritten`).
    st.tuples(st.just("redate"), st.sampled_from(["alpha-1", *IDS]), DATES),
    breaks,
    st.just(("revert",)),
)
RUNTIME_ERRORS = {
    "milestone.html": ("milestone.title", "milestone.titel"),
    "base.html": ("site.title", "site.titel"),
}


def apply(site: Path, edit: tuple, undo: list[tuple[Path, bytes | None]] | None = None) -> set[str]:
    """One edit, as an editor or a user at the shell would make it; returns the paths it
    touched, as the dev server's file watcher reports them. A break keeps in `undo` what
    ("revert",) needs to put back; an edit of a file a break made a folder does nothing."""
    kind, *args = edit
    undo = [] if undo is None else undo
    if kind == "break":
        return break_site(site, *args, undo)
    if kind == "revert":
        touched = set()
        while undo:
            path, data = undo.pop()
            if path.is_dir():
                shutil.rmtree(path)
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
            touched.add(path.relative_to(site).as_posix())
        return touched
    if kind == "template":
        template = site / "templates" / args[0]
        template.write_text(template.read_text() + args[1] + "\n")
        return {f"templates/{args[0]}"}
    if kind == "texts":
        path = site / "templates" / "i18n" / f"{args[0]}.yaml"
        lines = path.read_text().splitlines()
        lines = [
            f"skip_to_content: {args[1]} it" if x.startswith("skip_to_content:") else x
            for x in lines
        ]
        path.write_text("\n".join(lines) + "\n")
        return {f"templates/i18n/{args[0]}.yaml"}
    if kind == "theme":
        (site / "templates/theme.yaml").write_text(f"timeline_page_size: {args[0]}\n")
        return {"templates/theme.yaml"}
    names = {
        "write": args[:1],
        "delete": args[:1],
        "rename": [f"milestones/{name}.yaml" for name in args],
        "reword": [f"milestones/{name}.yaml" for name in args[0]],
        "draft": args[:1],
        "redate": [f"milestones/{args[0]}.yaml"],
    }[kind]
    paths = [site / "content" / name for name in names]
    if any(path.is_dir() for path in paths):
        return set()
    if kind == "draft":
        return toggle_draft(site, f"content/{args[0]}")
    if kind == "write":
        paths[0].parent.mkdir(parents=True, exist_ok=True)
        paths[0].write_text(args[1])
    elif kind == "delete":
        paths[0].unlink(missing_ok=True)
    elif kind == "rename" and paths[0].exists():
        paths[0].rename(paths[1])
    elif kind == "reword":
        for path in paths:
            reword(path, *args[1:])
    elif kind == "redate" and paths[0].exists():
        text = re.sub(r"^date: .*$", f"date: '{args[1]}'", paths[0].read_text(), flags=re.M)
        paths[0].write_text(text)
    return {f"content/{name}" for name in names}


def break_site(site: Path, how: str, name: str, undo: list[tuple[Path, bytes | None]]) -> set[str]:
    """Break one file in one of the ways authors do; `undo` keeps how to put it back."""
    path = site / ("templates" if how in ("syntax", "runtime") else "content") / name
    if path.is_dir() or any(p == path for p, _ in undo):
        return set()  # broken already
    undo.append((path, path.read_bytes() if path.exists() else None))
    if how == "syntax":
        path.write_text(path.read_text() + "{% if %}\n")
    elif how == "runtime":
        path.write_text(path.read_text().replace(*RUNTIME_ERRORS[name]))
    elif how == "yaml":
        path.write_text("title: [broken\n")
    elif how == "reference":
        ident = path.stem
        text = milestone_text(ident, "2020", "alpha", "Ref", "x", extra="  - source: nowhere\n")
        path.write_text(text)
    else:  # a file replaced by a folder
        path.unlink(missing_ok=True)
        path.mkdir()
        (path / "inside.txt").write_text("a folder named like a fact file")
    return {path.relative_to(site).as_posix()}


def toggle_draft(site: Path, relative: str) -> set[str]:
    """Publish a draft (`draft: true` → `false`), or make a milestone or page a draft."""
    path = site / relative
    if not path.exists():
        return {relative}
    text = path.read_text()
    if "draft: true" in text:
        text = text.replace("draft: true", "draft: false")
    elif "draft: false" in text:
        text = text.replace("draft: false", "draft: true")
    else:
        text = text.replace("title:", "draft: true\ntitle:", 1)
    path.write_text(text)
    return {relative}


def reword(path: Path, title: str, summary: str) -> str:
    """Give a milestone file, if there is one, a new title, summary and quote."""
    if path.exists():
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if line.startswith("title:"):
                lines[i] = f"title: {title}"
            elif line.startswith("summary:"):
                following = 2 if line == "summary: |" else 1  # its text may be on the next line
                lines[i : i + following] = ["summary: |", f"  {summary}"]
            elif line.lstrip().startswith("quote:"):
                lines[i] = line[: line.index("quote:")] + f"quote: {title}"
        path.write_text("\n".join(lines) + "\n")
    return f"content/milestones/{path.name}"


def outcome(
    builder: SiteBuilder, out: Path | None = None, changed: set[str] | None = None
) -> dict[str, bytes] | list[str]:
    """The pages a build gives, or the errors it reports."""
    try:
        result = builder.build(out, changed)
    except SiteError as error:
        return [d.format() for d in error.diagnostics]
    return {p.output: p.data for p in result.pages} if out is None else site_files(out)


def site_files(out: Path) -> dict[str, bytes]:
    """The site an output folder holds, less the manifest of it (see `sitegen.outdir`)."""
    files = tree_bytes(out).items()
    return {name: data for name, data in files if name != MANIFEST and not searched(name)}


def clean_build(site: Path, drafts: bool = False) -> dict[str, bytes] | list[str]:
    return outcome(SiteBuilder(site, Options(cache=False, jobs=1, drafts=drafts)))


@contextmanager
def fresh_site() -> Iterator[Path]:
    """The minimal site with the project's templates, in a folder of its own."""
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        shutil.copytree(REPO / "templates", site / "templates")
        for name, text in MINIMAL_SITE.items():
            write(site / name, text)
        # Two milestones a page: most edits move milestones across the timeline's year pages.
        (site / "templates/theme.yaml").write_text("timeline_page_size: 2\n")
        yield site


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edits, min_size=1, max_size=8), st.booleans())
def test_rebuilds_after_any_edits_equal_a_clean_build(sequence: list[tuple], drafts: bool) -> None:
    """Through `serve`'s own path (a DevServer told what changed as its watcher tells it)
    and through warm builds into an output folder: after a good edit both give a clean
    build's bytes; after a bad one, the server shows the error over the last good site.
    `drafts`: as `sitegen serve` builds (drafts shown), or as `sitegen build` does."""
    with fresh_site() as site:
        options = Options(cache=False, jobs=1, drafts=drafts)
        server = DevServer(site, options, search_delay=3600)  # no search index: not compared
        warm = SiteBuilder(site, options)
        server.rebuild(set())
        good, undo = served(server), []
        assert outcome(warm, site / "output") == good
        for edit in sequence:
            server.rebuild(apply(site, edit, undo))
            clean = clean_build(site, drafts)
            snapshot = server.snapshot()
            warm_outcome = outcome(warm, site / "output")
            assert warm_outcome == clean, edit
            if isinstance(clean, list):
                report = snapshot.errors.rsplit("\n", 1)[0]  # less the summary line
                assert (served(server), report) == (good, "\n".join(clean)), edit
            else:
                assert (served(server), snapshot.errors) == (clean, ""), edit
                assert site_files(site / "output") == clean, edit
                good = clean
        server.close()


def served(server: DevServer) -> dict[str, bytes]:
    files = server.snapshot().files.items()
    return {name: bytes(data) for name, data in files if not searched(name)}


def searched(name: str) -> bool:
    """A file of the search index, which only a build into a folder makes at once."""
    return name.startswith(f"{SEARCH_DIR}/")


def test_a_same_size_edit_in_the_same_instant_is_seen(site_factory) -> None:
    site = site_factory()
    path = site / "content" / "milestones" / "alpha-1.yaml"
    builder = SiteBuilder(site, Options(cache=False))
    before = path.stat()
    first = outcome(builder)
    path.write_text(path.read_text().replace("Alpha 1.0", "Alpha 1.1"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    second = outcome(builder)
    assert isinstance(second, dict)
    assert b"Alpha 1.1" in second["milestones/alpha-1/index.html"]
    assert second == clean_build(site) != first


@pytest.mark.parametrize("edit", [False, True], ids=["unchanged", "edited"])
def test_a_builder_that_built_into_a_folder_builds_every_page_in_memory_again(
    site_factory, tmp_path, edit
) -> None:
    """A builder holds its pages in memory only while it builds there: once it built into
    a folder, a build in memory renders again the pages it let go, not only what changed."""
    site = site_factory()
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    builder.build()
    builder.build(tmp_path / "output")
    path = site / "content/milestones/alpha-1.yaml"
    if edit:
        path.write_text(path.read_text().replace("Alpha 1.0", "Alpha 1.1"))
    again = builder.build(changed={"content/milestones/alpha-1.yaml"} if edit else set())
    clean = SiteBuilder(site, Options(cache=False, jobs=1)).build()
    assert {p.output: p.data for p in again.pages} == {p.output: p.data for p in clean.pages}


def test_a_file_added_is_checked_in_the_order_of_a_clean_build(site_factory) -> None:
    """Files are checked in the order of their paths, one added since the last build too:
    a duplicate id is reported on the later file, as a clean build reports it."""
    site = site_factory(
        {"content/milestones/m-b.yaml": milestone_text("m-b", "2020", "alpha", "B", "b")}
    )
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    builder.build()
    write(site / "content/milestones/m-a.yaml", milestone_text("m-b", "2021", "alpha", "A", "a"))
    with pytest.raises(SiteError) as warm:
        builder.build(changed={"content/milestones/m-a.yaml"})
    assert str(warm.value) == (
        "content/milestones/m-b.yaml:1:5: error: duplicate id 'm-b'"
        " (also in content/milestones/m-a.yaml)\n"
        "  hint: give each file its own id\n"
        "1 error; nothing written"
    )


@pytest.mark.parametrize("watched", [False, True], ids=["scanned", "watched"])
def test_a_rebuild_renders_only_the_pages_that_show_the_change(site_factory, watched) -> None:
    site = site_factory(
        {
            "content/milestones/alpha-2.yaml": milestone_text(
                "alpha-2", "2021", "alpha", "Two", "x"
            ),
            "content/milestones/alpha-3.yaml": milestone_text(
                "alpha-3", "2022", "alpha", "Six", "y"
            ),
        }
    )
    builder = SiteBuilder(site, Options(cache=False))
    builder.build()
    path = site / "content" / "milestones" / "alpha-3.yaml"
    path.write_text(path.read_text().replace("Six", "Ten"))
    result = builder.build(changed={"content/milestones/alpha-3.yaml"} if watched else None)
    # its page, its neighbour's, its social card, the timeline, feed, json, framework, source
    assert result.rendered == 8
    unchanged = builder.build()
    assert unchanged.rendered == 0


EVERY_YEAR = {"2016", "2020", "2022", "2023"}


@pytest.mark.parametrize(
    "moved, line, edited, changed, drawn",
    [
        # The era's label leaves 2020 for the next milestone after its start, in 2022.
        ("alpha-2", "date: '2020-05'", "date: '2020-02'", {"2020", "2022"}, EVERY_YEAR),
        # Beta's line, from 2016 to 2023, is gone: a track of one milestone draws none.
        ("beta-2", "framework: beta", "framework: alpha", EVERY_YEAR, EVERY_YEAR),
        # Later in its year, and nothing else changes: one page is drawn again.
        ("alpha-3", "date: '2022'", "date: '2022-06'", {"2022"}, {"2022"}),
    ],
)
def test_a_moved_milestone_redraws_the_year_pages_it_changes(
    site_factory: SiteFactory, moved: str, line: str, edited: str, changed: set, drawn: set
) -> None:
    """A later page of a split timeline reads where the milestones are only through its
    listing's pages and the timeline's marks (see `route.INDEX`), not every milestone's
    place: a move redraws the pages it changes, those whose milestones stay included."""
    beta = MINIMAL_SITE["content/frameworks/alpha.yaml"].replace("alpha", "beta")
    beta = beta.replace("Alpha", "Beta")
    files = {
        "content/site.yaml": "title: T\ndescription: D.\neras:\n  - {title: E, start: '2020-03'}\n",
        "content/frameworks/beta.yaml": beta.replace("order: 1", "order: 2"),
    }
    for name, date, track in [
        ("beta-1", "2016", "beta"),
        ("alpha-1", "2016-06", "alpha"),
        ("alpha-2", "2020-05", "alpha"),
        ("alpha-3", "2022", "alpha"),
        ("beta-2", "2023", "beta"),
    ]:
        files[f"content/milestones/{name}.yaml"] = milestone_text(name, date, track, "M", "x")
    site = site_factory(files)
    (site / "templates/theme.yaml").write_text("timeline_page_size: 2\n")
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    before = outcome(builder)
    assert isinstance(before, dict)
    path = site / "content" / "milestones" / f"{moved}.yaml"
    path.write_text(path.read_text().replace(line, edited))
    result = builder.build(changed={path.relative_to(site).as_posix()})
    after = {p.output: p.data for p in result.pages}
    assert after == clean_build(site)
    years = {o for o in after if o.startswith("years/")}
    assert {o.split("/")[1] for o in years if after[o] != before[o]} == changed
    assert {o.split("/")[1] for o in years & result.why.keys()} == drawn


def test_rewording_a_milestone_of_the_default_site_updates_every_page_that_shows_it(
    tmp_path,
) -> None:
    """The quick path on real content: four sources, a quote, the foundation's tag."""
    site = tmp_path / "site"
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, site / folder)
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    outcome(builder)
    path = site / "content" / "milestones" / "pytorch-foundation-announced.yaml"
    path.write_text(
        path.read_text()
        .replace("title: PyTorch Foundation announced", "title: PyTorch Foundation unveiled")
        .replace('quote: "Mark Zuckerberg announces"', 'quote: "announces that PyTorch"')
    )
    pages = outcome(builder, changed={"content/milestones/pytorch-foundation-announced.yaml"})
    assert pages == clean_build(site)
    assert isinstance(pages, dict)
    showing = sorted(o for o, data in pages.items() if b"PyTorch Foundation unveiled" in data)
    assert showing == [
        "feed.xml",
        "foundation/index.html",
        "frameworks/pytorch/index.html",
        "index.html",
        "milestones/pytorch-1-3-mobile/index.html",  # its neighbours in PyTorch
        "milestones/pytorch-2-0-announced/index.html",
        "milestones/pytorch-foundation-announced/index.html",
        "sources/article-2022-09-14/index.html",
        "sources/lf-blog-welcoming-pytorch/index.html",
        "sources/lf-press-release-pytorch/index.html",
        "sources/meta-newsroom-pytorch-foundation/index.html",
        "tags/foundation/index.html",  # the pages of its tags
        "tags/governance/index.html",
        "timeline.json",
    ]
    assert b"announces that PyTorch" in pages["sources/article-2022-09-14/index.html"]


@pytest.fixture
def serve(site_factory: SiteFactory) -> Iterator[ServeFactory]:
    yield from running_servers(site_factory)


def next_log_line(served: Served, seen: int) -> str:
    """Wait for the server's next log line (a rebuild the real watcher started)."""
    deadline = time.monotonic() + 30
    while len(served.log) <= seen:
        assert time.monotonic() < deadline, served.log
        time.sleep(0.02)
    return served.log[seen]


def test_a_failed_template_build_and_its_revert_leave_nothing_stale(serve: ServeFactory) -> None:
    """Issue 13's sequence, through `sitegen serve` on a real port with its real watcher:
    break a template at run time, put it back, then edit a milestone."""
    served = serve()
    template = served.site / "templates/milestone.html"
    seen = len(served.log)
    replace_in(template, "milestone.title", "milestone.titel")
    failed = next_log_line(served, seen)
    assert failed.startswith("templates/milestone.html changed: the site has errors\n"), failed
    assert "'sitegen.model.Milestone object' has no attribute 'titel'" in failed
    assert "has no attribute 'titel'" in served.server.snapshot().errors
    replace_in(template, "milestone.titel", "milestone.title")
    reverted = next_log_line(served, seen + 1)
    assert re.fullmatch(REBUILD_LINE.format(path="templates/milestone.html"), reverted)
    assert served.server.snapshot().errors == ""
    replace_in(served.site / "content/milestones/alpha-1.yaml", "Alpha 1.0", "Alpha One")
    edited = next_log_line(served, seen + 2)
    assert re.fullmatch(REBUILD_LINE.format(path="content/milestones/alpha-1.yaml"), edited)
    status, _, page = served.get("/milestones/alpha-1/")
    assert status == 200 and b"<h1>Alpha One</h1>" in page
    assert served.server.snapshot().errors == ""
    assert served_files(served) == clean_build(served.site)


def served_files(served: Served) -> dict[str, bytes]:
    return {name: bytes(data) for name, data in served.server.snapshot().files.items()}


def test_edits_inside_a_year_of_many_cached_runs_equal_a_clean_build(
    site_factory: SiteFactory,
) -> None:
    """The theme caches a year's cards and a track's entries 32 at a time as well as one
    by one: an edit inside the third run, and a deletion in the first that shifts every
    run after it, are seen as a clean build sees them."""
    files: dict[str, str | None] = {
        f"content/milestones/m-{n:03}.yaml": milestone_text(
            f"m-{n:03}", f"2021-{1 + n // 28:02}-{1 + n % 28:02}", "alpha", f"Step {n}", "Done."
        )
        for n in range(80)
    }
    site = site_factory(files)
    builder = SiteBuilder(site, Options(jobs=1))
    builder.build()
    edits = [
        ("content/milestones/m-070.yaml", files["content/milestones/m-070.yaml"]),
        ("content/milestones/m-005.yaml", None),
    ]
    for path, text in edits:
        if text is None:
            (site / path).unlink()
        else:
            (site / path).write_text(text.replace("Step 70", "Step seventy"))
        warm = builder.build(changed={path})
        clean = SiteBuilder(site, Options(jobs=1, cache=False)).build()
        assert warm.files == clean.files, path
    assert "Step seventy" in warm.files["index.html"].decode()


@pytest.mark.parametrize(
    "name, old, new",
    [("beta-1", "date: '2020'", "date: '2021'"), ("alpha-1", "Alpha 1.0", "Alpha 1.1")],
    ids=["moved", "reworded"],
)
def test_a_rebuild_leaves_no_garbage_cycles(
    site_factory: SiteFactory, name: str, old: str, new: str
) -> None:
    """A rebuild's plan and its listings are freed when it is done, not left in cycles
    for the garbage collector to walk every object made since, which takes milliseconds a
    rebuild at ten thousand milestones (see `routes.Plan.listing`)."""
    beta = milestone_text("beta-1", "2020", "alpha", "B", "x")
    site = site_factory({"content/milestones/beta-1.yaml": beta})
    (site / "templates/theme.yaml").write_text("timeline_page_size: 1\n")
    builder = SiteBuilder(site, Options(cache=False, jobs=1, drafts=True))
    builder.build()
    gc.collect()
    path = site / "content" / "milestones" / f"{name}.yaml"
    path.write_text(path.read_text().replace(old, new))
    gc.disable()
    try:
        builder.build(changed={f"content/milestones/{name}.yaml"})
        assert gc.collect() == 0
    finally:
        gc.enable()
