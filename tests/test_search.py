"""The search index: which pages it holds and what it says of each, that the same pages
always give the same bytes, and that a build keeps it current. Read back from the built
files, as Pagefind's script reads them."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sitegen import search
from sitegen.build import Options, SiteBuilder, build_site
from sitegen.diagnostics import SiteError
from sitegen.indexer import HEADER, Pagefind, stable, text_item
from sitegen.liveindex import BackgroundIndex
from sitegen.search import (
    bundle_in,
    pages,
    part_of,
    searched,
)

from .conftest import REPO, SiteFactory, sitegen, tree_bytes

TRACKS = {
    "content/frameworks/beta.yaml": """\
        id: beta
        name: Beta
        order: 2
        color: "#1d4ed8"
        """,
    "content/frameworks/gamma.yaml": """\
        id: gamma
        name: Gamma
        order: 3
        color: "#15803d"
        """,
    "content/milestones/beta-1.yaml": """\
        id: beta-1
        date: 2021-03
        framework: beta
        title: Beta arrives
        summary: A *compiler* for the beta track.
        sources: [{source: paper}]
        """,
    "content/milestones/joint.yaml": """\
        id: joint
        date: 2022
        framework: gamma
        also: [alpha]
        title: A joint release
        summary: Gamma and Alpha release together.
        sources: [{source: paper}]
        """,
}


def unpack(data: bytes) -> bytes:
    data = gzip.decompress(data)
    assert data.startswith(HEADER)
    return data[len(HEADER) :]


def indexed(out: Path) -> dict[str, dict]:
    """Each indexed page's record (its URL, text, metadata and filters), by URL, from every
    part of the index (a page in two parts would fail the count)."""
    records = [json.loads(unpack(p.read_bytes())) for p in out.glob("pagefind/*/fragment/*")]
    assert len({r["url"] for r in records}) == len(records)
    return {r["url"]: r for r in records}


def search_files(out: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree_bytes(out).items() if k.startswith("pagefind/")}


def test_the_index_holds_the_pages_of_milestones_tracks_and_sources_and_no_listing(
    site_factory: SiteFactory,
) -> None:
    site = site_factory(TRACKS)
    build_site(site, site / "output")
    pages = indexed(site / "output")
    assert sorted(pages) == [
        "/frameworks/alpha/",
        "/frameworks/beta/",
        "/frameworks/gamma/",
        "/milestones/alpha-1/",
        "/milestones/beta-1/",
        "/milestones/joint/",
        "/sources/paper/",
    ]
    milestone = pages["/milestones/beta-1/"]
    assert milestone["meta"] == {
        "title": "Beta arrives",
        "kind": "Milestone",
        "date": "March 2021",  # at its precision
        "tracks": "beta",
    }
    assert milestone["filters"] == {"track": ["beta"]}
    assert "A compiler for the beta track." in milestone["content"]
    joint = pages["/milestones/joint/"]
    assert (joint["meta"]["date"], joint["meta"]["tracks"]) == (
        "2022",
        "gamma alpha",
    )  # its own first
    assert sorted(joint["filters"]["track"]) == ["alpha", "gamma"]
    track = pages["/frameworks/alpha/"]
    assert track["meta"] == {"title": "Alpha", "kind": "Track", "tracks": "alpha"}
    assert track["filters"] == {"track": ["alpha"]}
    # A track's page is found by what it says of itself; its milestones, by their own pages.
    assert "Alpha is fast." in track["content"] and "first release" not in track["content"]
    source = pages["/sources/paper/"]
    assert source["meta"] == {"title": "A paper", "kind": "Source", "date": "May 2020"}
    assert source["filters"] == {}


def test_only_pages_marked_for_search_are_handed_to_pagefind() -> None:
    """A listing, the 404 page and a draft carry no `data-pagefind-body`: never indexed."""
    site = {
        "milestones/a/index.html": b"<html><body><main><article data-pagefind-body><h1>A",
        "milestones/draft/index.html": b"<html><body><main><article><h1>Draft</h1>",
        "index.html": b"<html><body><main><h1>Timeline</h1></main></body></html>",
        "static/x.css": b"data-pagefind-body",
    }
    assert [url for url, _ in pages(site, site.__getitem__)] == ["/milestones/a/"]


def test_only_what_pagefind_reads_is_handed_over() -> None:
    page = b'<html lang="en"><head><title>T</title></head><body><nav>N</nav><main id="main"><nav>x</nav><article data-pagefind-body><h1>H</h1></article></main><footer>F</footer></body></html>'
    (handed,) = pages({"a/index.html": page}, {"a/index.html": page}.__getitem__)
    assert handed == (
        "/a/",
        "<html><body><article data-pagefind-body><h1>H</h1></article></body></html>",
    )


def test_the_same_pages_give_the_same_bytes_whatever_the_run_or_order(
    site_factory: SiteFactory,
) -> None:
    """Pagefind orders a filter's values differently in each run (its hash maps are seeded
    afresh): with three tracks, five runs would almost surely differ without
    `indexer.stable`."""
    site = site_factory(TRACKS)
    build_site(site, site / "output")
    out = site / "output"
    html = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    runs = [bundle_in(out, html, "en", 1) for _ in range(5)]
    runs.append(bundle_in(out, html[::-1], "en", 1))
    assert all(run == runs[0] for run in runs)
    assert runs[0] == search_files(out)


def stable_filter(values: list[tuple[str, list[int]]]) -> dict[str, bytes]:
    """A bundle as Pagefind writes it, with one filter whose values come in this order."""

    def uints(numbers: list[int]) -> bytes:
        return bytes([0x80 | len(numbers), *numbers])

    entries = b"".join(b"\x82" + text_item(v) + uints(p) for v, p in values)
    filter_file = b"\x82" + text_item("track") + bytes([0x80 | len(values)]) + entries
    meta = b"\x86" + text_item("1.5.2") + b"\x80\x80\x81\x82" + text_item("track")
    meta += text_item("en_1234567") + b"\x80\x80"
    return {
        "filter/en_1234567.pf_filter": gzip.compress(HEADER + filter_file),
        "pagefind.en_0123456789.pf_meta": gzip.compress(HEADER + meta),
        "pagefind-entry.json": b'{"languages":{"en":{"hash":"en_0123456789"}}}',
    }


def test_filters_are_put_in_order_and_the_files_named_after_what_they_hold() -> None:
    one = stable(stable_filter([("jax", [1, 2]), ("pytorch", [0])]))
    other = stable(stable_filter([("pytorch", [0]), ("jax", [1, 2])]))
    assert one == other
    (filter_path,) = (p for p in one if p.startswith("filter/"))
    assert unpack(one[filter_path]).index(b"jax") < unpack(one[filter_path]).index(b"pytorch")
    name = filter_path.removeprefix("filter/").removesuffix(".pf_filter")
    (meta_path,) = (p for p in one if p.endswith(".pf_meta"))
    assert text_item(name) in unpack(one[meta_path])
    meta_name = meta_path.removeprefix("pagefind.").removesuffix(".pf_meta")
    assert json.loads(one["pagefind-entry.json"])["languages"]["en"]["hash"] == meta_name


def test_an_index_in_another_form_is_an_error_not_a_wrong_index() -> None:
    files = stable_filter([("jax", [1])])
    files["filter/en_1234567.pf_filter"] = gzip.compress(b"another format")
    with pytest.raises(SiteError) as raised:
        stable(files)
    assert [d.format() for d in raised.value.diagnostics] == [
        "pagefind: error: Pagefind wrote an index sitegen does not know (no Pagefind header)\n"
        "  hint: sitegen reads the index of Pagefind 1.5: pip install 'pagefind[bin]>=1.5.2,<1.6'"
    ]


def test_a_page_in_the_search_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SiteError) as raised:
        bundle_in(tmp_path, ["index.html", "pagefind/index.html"], "en", 1)
    assert [d.format() for d in raised.value.diagnostics] == [
        "pagefind: error: pagefind/index.html would be overwritten: pagefind/ holds the search index\n"
        "  hint: give that page another address"
    ]


def test_without_pagefind_the_build_stops_with_a_clear_error(site_factory: SiteFactory) -> None:
    site = site_factory()
    os.environ["PAGEFIND_BINARY_PATH"] = "/nonexistent/pagefind"
    try:
        result = sitegen("build", "--site", site)
    finally:
        del os.environ["PAGEFIND_BINARY_PATH"]
    assert result.returncode == 1
    assert result.stderr.splitlines()[:3] == [
        "pagefind: error: cannot run Pagefind: [Errno 2] No such file or directory: '/nonexistent/pagefind'",
        "  hint: install sitegen again (pip install sitegen), which brings pagefind[bin]",
        "1 error; nothing written",
    ]
    assert not (site / "output").exists()


def test_a_theme_that_marks_no_page_gets_no_index(site_factory: SiteFactory) -> None:
    site = site_factory()
    for template in (site / "templates").glob("*.html"):
        template.write_text(template.read_text().replace("data-pagefind-body", ""))
    build_site(site, site / "output")
    assert search_files(site / "output") == {}
    assert (site / "output/index.html").is_file()


def test_a_build_with_nothing_changed_keeps_the_index_and_an_edit_renews_it(
    site_factory: SiteFactory,
) -> None:
    site = site_factory(TRACKS)
    out = site / "output"
    SiteBuilder(site).build(out)
    before = {p: os.stat(out / p).st_ino for p in search_files(out)}
    result = SiteBuilder(site).build(out)
    assert "search" not in result.timings  # not indexed again
    assert {p: os.stat(out / p).st_ino for p in search_files(out)} == before
    milestone = site / "content/milestones/beta-1.yaml"
    milestone.write_text(milestone.read_text().replace("Beta arrives", "Beta lands"))
    SiteBuilder(site).build(out)
    titles = {r["meta"]["title"] for r in indexed(out).values()}
    assert "Beta lands" in titles and "Beta arrives" not in titles
    clean = site.parent / "clean"
    build_site(site, clean, Options(cache=False))
    assert search_files(out) == search_files(clean)


def test_a_big_index_comes_in_parts_and_a_build_makes_again_only_those_that_changed(
    site_factory: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part is made again when what Pagefind reads of one of its pages changed: not for
    a page whose neighbours' titles changed around its marked element."""
    site = site_factory(TRACKS)
    build_site(site, site.parent / "whole", Options(cache=False))
    whole = indexed(site.parent / "whole")
    monkeypatch.setattr(search, "PART_PAGES", 2)  # as if the site were thousands of pages
    out = site / "output"
    SiteBuilder(site).build(out)
    parts = json.loads((out / "pagefind/parts.json").read_bytes())
    assert len(parts) > 4 and indexed(out) == whole  # every page once, as in one index
    before = {p: os.stat(out / p).st_ino for p in search_files(out)}
    pages = {o: data for o, data in tree_bytes(out).items() if o.endswith(".html")}
    milestone = site / "content/milestones/beta-1.yaml"
    milestone.write_text(milestone.read_text().replace("Beta arrives", "Beta lands"))
    result = SiteBuilder(site).build(out)
    count = int(parts[0].rstrip("/").rpartition("-")[2])
    read_again = {
        part_of(o, count)
        for o in result.why
        if o.endswith(".html") and searched(pages[o]) != searched((out / o).read_bytes())
    }
    after = {p: os.stat(out / p).st_ino for p in search_files(out)}
    made_again = {p.split("/")[1] for p in before.keys() | after if before.get(p) != after.get(p)}
    rendered = {part_of(o, count) for o in result.why if o.endswith(".html")}
    # Made again where read again (which may come out the same: a change Pagefind ignores).
    assert made_again - {"parts.json"} <= read_again < rendered and read_again
    assert indexed(out)["/milestones/beta-1/"]["meta"]["title"] == "Beta lands"
    clean = site.parent / "clean"
    build_site(site, clean, Options(cache=False, jobs=1))  # one part after the other
    assert search_files(out) == search_files(clean)


@pytest.mark.parametrize(
    ("main", "read"),
    [
        (
            "<nav>x</nav><div data-pagefind-body><div>a</div></div><p>b</p>",
            "<div data-pagefind-body><div>a</div></div>",
        ),
        ("<div data-pagefind-body>a</div><p data-pagefind-filter='k:v'>b</p>", None),
        ("<div data-pagefind-body><div>a</div>", None),
        ("<p>no mark</p>", ""),  # not indexed at all
        ("<h1>T</h1><div data-pagefind-body>a</div>", None),  # Pagefind's title, outside
        ("<div data-pagefind-body>a</div><img src=x alt=y>", None),  # its image
    ],
)
def test_what_pagefind_reads_of_a_page_is_its_marked_element(main: str, read: str | None) -> None:
    """Else the whole main element: a part is made again whenever that changed."""
    html = f"<html><body><header>h</header><main>{main}</main></body></html>".encode()
    assert searched(html) == (f"<main>{main}</main>" if read is None else read).encode()


def test_an_index_file_changed_by_hand_is_put_right(site_factory: SiteFactory) -> None:
    site = site_factory(TRACKS)
    out = site / "output"
    SiteBuilder(site).build(out)
    entry = out / "pagefind/part-1-of-1/pagefind-entry.json"
    good = entry.read_bytes()
    entry.write_bytes(b"{}")
    SiteBuilder(site).build(out)
    assert entry.read_bytes() == good


def test_the_default_site_is_searchable_and_its_index_is_small(default_site: Path) -> None:
    pages = indexed(default_site)
    milestones = len(list((REPO / "content/milestones").glob("*.yaml")))
    sources = len(list((REPO / "content/sources").glob("*.yaml")))
    documents = len(list((REPO / "content/pages").rglob("*.md")))
    # and the tracks, the foundation and the documentation pages
    assert len(pages) == milestones + sources + 3 + 1 + documents
    assert pages["/foundation/"]["meta"]["kind"] == "Governance"
    assert sum(len(v) for v in search_files(default_site).values()) < 600_000


def test_the_manifest_lists_the_index_so_the_next_build_may_replace_it(
    site_factory: SiteFactory,
) -> None:
    site = site_factory()
    build_site(site, site / "output")
    manifest = json.loads((site / "output/.sitegen-manifest").read_text())["files"]
    assert [f for f in manifest if f.startswith("pagefind/")] == sorted(
        search_files(site / "output")
    )
    assert sitegen("build", "--site", site).returncode == 0  # no file it did not write


def test_documentation_pages_are_indexed_and_drafts_never(site_factory: SiteFactory) -> None:
    guide = "---\ntitle: A guide\n---\n## Install\n\nRun the installer twice.\n"
    draft = "---\ntitle: Not yet\ndraft: true\n---\nUnfinished notes.\n"
    site = site_factory({**TRACKS, "content/pages/guide.md": guide, "content/pages/next.md": draft})
    build_site(site, site / "output", Options(drafts=True))  # built, marked, yet not indexed
    pages = indexed(site / "output")
    assert (site / "output/next/index.html").is_file() and "/next/" not in pages
    assert pages["/guide/"]["meta"] == {"title": "A guide", "kind": "Page"}
    assert "Run the installer twice." in pages["/guide/"]["content"]


def test_the_dev_servers_index_waits_while_a_build_runs(site_factory: SiteFactory) -> None:
    """No page goes to Pagefind between `pause` and `resume` (the dev server's build would
    share the interpreter with it); the index is made once the build is done."""
    files = SiteBuilder(site_factory(TRACKS), Options(cache=False)).build().files
    published: list[dict[str, bytes]] = []
    index = BackgroundIndex(published.append, delay=0.0)
    try:
        index.pause()
        index.update(files, "en")
        index.wait(timeout=3.0)
        assert published == []
        index.resume()
        index.wait(timeout=60.0)
        assert len(published) == 1 and "pagefind/part-1-of-1/pagefind-entry.json" in published[0]
    finally:
        index.close()


def test_the_dev_servers_index_makes_again_only_the_parts_whose_pages_changed(
    site_factory: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PART_PAGES", 2)
    files = SiteBuilder(site_factory(TRACKS), Options(cache=False)).build().files
    changed = "milestones/beta-1/index.html"
    edited = {**files, changed: files[changed].replace(b"Beta arrives", b"Beta lands")}
    published: list[dict[str, bytes]] = []
    index = BackgroundIndex(published.append, delay=0.0)
    try:
        for build in (files, edited, dict(edited)):  # the last: no page changed
            index.update(build, "en")
            index.wait(timeout=60.0)
    finally:
        index.close()
    first, second = published
    parts = json.loads(first[search.PARTS])
    part = part_of(changed, int(parts[0].rstrip("/").rpartition("-")[2]))
    others = [p for p in first if p.count("/") > 1 and p.split("/")[1] != part]
    assert len(parts) > 4 and others and all(second[p] is first[p] for p in others)
    titles = [
        json.loads(unpack(data))["meta"]["title"]
        for p, data in second.items()
        if p.startswith(f"pagefind/{part}/fragment/")
    ]
    assert "Beta lands" in titles and "Beta arrives" not in titles


def test_a_page_without_a_main_element_is_read_whole() -> None:
    page = b"<html><body><h1>T</h1><div data-pagefind-body>a</div></body></html>"
    assert searched(page) == page


class Trickle(io.RawIOBase):
    """A pipe that gives a few bytes at a time, as a busy one may."""

    def __init__(self, data: bytes, at_most: int) -> None:
        self.data, self.at_most = data, at_most

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), self.at_most, len(self.data))
        buffer[:size], self.data = self.data[:size], self.data[size:]
        return size


@pytest.mark.parametrize("at_most", [1, 3, 7, 1 << 20])
def test_pagefinds_replies_are_read_whole_however_the_pipe_splits_them(at_most: int) -> None:
    replies = [{"message_id": 1, "payload": {"files": "x" * 50}}, {"message_id": 2}]
    wire = b"".join(base64.b64encode(json.dumps(r).encode()) + b"," for r in replies)
    pagefind = Pagefind("en")
    stdout = io.BufferedReader(Trickle(wire, at_most), buffer_size=max(at_most, 8))
    pagefind.process = SimpleNamespace(stdout=stdout)  # type: ignore[assignment]
    assert [pagefind._read(), pagefind._read()] == replies
