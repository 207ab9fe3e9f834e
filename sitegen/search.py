"""Full-text search: rendered pages in, Pagefind's search bundle (`pagefind/...`) out.

The theme decides what is searchable, by Pagefind's own rule: a page is indexed when its
HTML holds an element marked `data-pagefind-body`, and only that element's text is read
(`data-pagefind-ignore` leaves out a part of it; `data-pagefind-meta` and
`data-pagefind-filter` give each result its date, tracks and kind). Listings, the 404 page
and a draft's page carry no such element, so they are never indexed. Only what Pagefind
reads of a page is handed over (`searched`): the marked element, or the page's `<main>`
when something around the element matters to Pagefind.

The index comes in parts, each a Pagefind bundle of its own in `pagefind/part-N-of-K/`,
which the browser searches as one (Pagefind's `mergeIndex`; `pagefind/parts.json` names
the parts, the first one's script does the searching). A part holds the pages whose path
hashes to it, at most about PART_PAGES of them, so that an edit re-indexes one part, the
parts are indexed side by side on every core, and no Pagefind process holds a big site
whole. Pages are indexed in output-path order (Pagefind numbers them in the order they
come), so the same pages always give the same bundle (see `indexer.stable` for the rest).
`sitegen build` indexes the site it has just written, before putting it in place
(`bundle_in`); the dev server indexes each build in the background (`sitegen.liveindex`).
"""

from __future__ import annotations

import ctypes
import json
import re
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .cache import Stat
from .diagnostics import SiteError
from .indexer import Pagefind, problem
from .outdir import manifest_files, real

SEARCH_DIR = "pagefind"  # the bundle's folder in the site, as Pagefind names it
PARTS = f"{SEARCH_DIR}/parts.json"  # the parts of the index, for static/search.js
# Pages of one part of the index at most (but for a split in the making, see `part_count`):
# Pagefind indexes about a thousand pages a second and holds some 80 KB for each, and the
# browser fetches a few small files from every part for a first query.
PART_PAGES = 5000
MARK = b"data-pagefind-body"
# Pagefind's own search interfaces: the theme brings its own (static/search.js), so these
# would only be published for nothing.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def page_url(output: str) -> str:
    """The site path a page is served at: `milestones/x/index.html` → `/milestones/x/`."""
    return "/" + output.removesuffix("index.html")


def part_count(pages: int) -> int:
    """How many parts `pages` HTML pages are indexed in: a power of two, so that a site
    that grows past a bound splits each part in two."""
    count = 1
    while count * PART_PAGES < pages:
        count *= 2
    return count


def split(outputs: Iterable[str]) -> dict[str, list[str]]:
    """The HTML pages among `outputs` by the part of the index they go to (its folder
    name), each part's in output-path order; every part is named, even one left empty.
    A page's part depends only on its path and the number of pages, not on its content."""
    html = sorted(o for o in outputs if o.endswith(".html"))
    count = part_count(len(html))
    parts: dict[str, list[str]] = {part_name(n, count): [] for n in range(count)}
    for output in html:
        parts[part_of(output, count)].append(output)
    return parts


def part_name(number: int, count: int) -> str:
    return f"part-{number + 1}-of-{count}"


def part_of(output: str, count: int) -> str:
    """The part a page goes to, by a checksum of its path (the same in every run)."""
    return part_name(zlib.crc32(output.encode()) % count, count)


def index_parts(
    parts: Mapping[str, list[str]], read: Callable[[str], bytes], language: str, jobs: int
) -> dict[str, dict[str, bytes]]:
    """Each part's bundle (its files by their path in the part's folder; none for a part
    without a searchable page), `jobs` Pagefind processes at a time. Raises SiteError
    when Pagefind cannot run or fails."""
    from concurrent.futures import ThreadPoolExecutor  # here: a build that indexes nothing

    def index(outputs: list[str]) -> dict[str, bytes]:
        with Pagefind(language) as pagefind:
            return without_ui(pagefind.index(pages(outputs, read)))

    with ThreadPoolExecutor(max(1, min(jobs, len(parts)))) as pool:
        bundles = dict(zip(parts, pool.map(index, parts.values()), strict=True))
    give_back_freed_memory()
    return bundles


def give_back_freed_memory() -> None:
    """Hand the system back what the pool's threads freed. Each thread allocated in a
    malloc arena of its own (pages read, Pagefind's replies decoded), which the main
    thread never reuses: kept, it would sit under the build's peak, which comes next,
    while the record is pickled (10 MiB at 10,000 milestones). A C library without
    glibc's `malloc_trim` has nothing to do here."""
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def bundle_files(
    names: Iterable[str], indexed: Mapping[str, Mapping[str, bytes]], kept: Iterable[str]
) -> dict[str, bytes]:
    """The files of the `indexed` parts by output path, and the list of the parts that hold
    pages (the indexed ones and those `kept` from before), in the order of `names`."""
    files = {
        f"{SEARCH_DIR}/{name}/{path}": data
        for name, bundle in indexed.items()
        for path, data in bundle.items()
    }
    kept = set(kept)
    listed = [f"{name}/" for name in names if name in kept or indexed.get(name)]
    if listed:  # else there is nothing to search: search.js says so
        files[PARTS] = json.dumps(listed).encode()
    return files


def pages(outputs: Iterable[str], read: Callable[[str], bytes]) -> Iterator[tuple[str, str]]:
    """(URL, HTML) of each searchable page among `outputs`, in output-path order, each
    read when it is asked for."""
    for output in sorted(o for o in outputs if o.endswith(".html")):
        data = read(output)
        if MARK in data:
            part = searched(data)
            page = part if part is data else b"<html><body>" + part + b"</body></html>"
            yield page_url(output), page.decode()


def without_ui(bundle: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bundle but for Pagefind's own interfaces."""
    return {p: data for p, data in sorted(bundle.items()) if not p.startswith(UNUSED)}


Renew = Callable[[Path, str, int], dict[str, bytes]]  # (staging folder, language, jobs)


def renewal(
    out_dir: Path,
    on_disk: Mapping[str, Stat],
    listed: Collection[str] | None,
    outputs: Iterable[str],
    fresh: set[str],
    gone: set[str],
) -> tuple[set[str], Renew | None]:
    """What a build writing `outputs` to `out_dir` does for search, the pages `fresh`
    rendered again and those `gone`: the files of the last index it keeps as they are, and
    what makes the rest from the new site (None when no page changed and the last index
    is still there whole). `listed`: the files its manifest lists, if read already."""
    if listed is None:
        listed = manifest_files(real(out_dir))
    if not fresh and not gone and (whole := kept_bundle(listed, on_disk)) is not None:
        return whole, None
    last = last_index(out_dir, on_disk, listed, outputs)
    untouched, pages = last.untouched(fresh | gone), set(outputs)

    def renew(staging: Path, language: str, jobs: int) -> dict[str, bytes]:
        return bundle_in(staging, pages, language, jobs, set(untouched), last, fresh)

    return {file for files in untouched.values() for file in files}, renew


def kept_bundle(listed: Collection[str], on_disk: Mapping[str, Stat]) -> set[str] | None:
    """The index the last build left (the files of it its manifest `listed`), when every
    file of it is still there as it was written (`on_disk`); else None."""
    index = {f for f in listed if f.startswith(f"{SEARCH_DIR}/")}
    return index if index <= on_disk.keys() else None


@dataclass(frozen=True)
class LastIndex:
    """The index the last build left in `folder`: each part of it whose files are all still
    as written (its name says how the pages were split), and the pages still there."""

    folder: Path
    parts: Mapping[str, set[str]]  # name → its files
    pages: Mapping[str, list[str]]  # the pages still there, by part

    def untouched(self, changed: Iterable[str]) -> dict[str, set[str]]:
        """The parts none of whose pages `changed` (re-rendered or gone), with their files."""
        stale = {part_of(o, len(self.pages)) for o in changed if o.endswith(".html")}
        return {name: files for name, files in self.parts.items() if name not in stale}

    def still_holds(self, name: str, pages: list[str], folder: Path, fresh: set[str]) -> bool:
        """Whether part `name` holds these pages, as written to `folder`, already: it had the
        same pages, and those rendered again (`fresh`) came out the same where Pagefind
        reads them (a page's neighbours, say, changed around its marked element)."""
        return (
            name in self.parts
            and self.pages.get(name) == pages
            and all(
                searched((self.folder / o).read_bytes()) == searched((folder / o).read_bytes())
                for o in pages
                if o in fresh
            )
        )

    def files_of(self, name: str) -> dict[str, bytes]:
        prefix = f"{SEARCH_DIR}/{name}/"
        return {f.removeprefix(prefix): (self.folder / f).read_bytes() for f in self.parts[name]}


def last_index(
    out_dir: Path, on_disk: Mapping[str, Stat], listed: Collection[str], outputs: Iterable[str]
) -> LastIndex:
    """The parts of the index in `out_dir` (its manifest `listed` their files) that the
    pages `outputs` still split into, every file still as it was written (`on_disk`)."""
    names = split(outputs).keys()
    files: dict[str, set[str]] = {}
    for file in listed:
        top, _, rest = file.partition("/")
        name = rest.partition("/")[0]
        if top == SEARCH_DIR and name in names:
            files.setdefault(name, set()).add(file)
    intact = {name: part for name, part in files.items() if part <= on_disk.keys()}
    return LastIndex(out_dir, intact, split(on_disk))


def searched(html: bytes) -> bytes:
    """What Pagefind reads of a page: the element marked `data-pagefind-body`; all of
    `<main>` (or of the page, without one) when something outside that element also
    speaks to Pagefind (a heading, an image, a `data-pagefind-` attribute) or its end is not
    found; nothing of a page without the mark."""
    start, end = html.find(b"<main"), html.rfind(b"</main>")
    main = html[start : end + len(b"</main>")] if 0 <= start < end else html
    mark = main.find(MARK)
    if mark < 0:
        return b""
    opening = main.rfind(b"<", 0, mark)
    name = re.match(rb"<([a-zA-Z][a-zA-Z0-9-]*)", main[opening:])
    if name is None:
        return main
    depth, tags = 0, re.compile(rb"<(/?)" + re.escape(name[1]) + rb"[\s>]")
    for tag in tags.finditer(main, opening):
        depth += -1 if tag[1] else 1
        if depth == 0:
            close = main.find(b">", tag.end() - 1) + 1
            outside = main[:opening] + main[close:]
            speaks = any(word in outside for word in (b"data-pagefind", b"<h1", b"<img"))
            return main if speaks else main[opening:close]
    return main


def bundle_in(
    folder: Path,
    outputs: Iterable[str],
    language: str,
    jobs: int,
    kept: Iterable[str] = (),
    last: LastIndex | None = None,
    fresh: Iterable[str] = (),
) -> dict[str, bytes]:
    """The index of the site written in `folder` (`outputs` are its pages), but for the
    parts `kept` from the last build, whose files are in `folder` already, and those the
    `last` index holds as they are (its files taken again) though pages of them were
    rendered afresh (`fresh`)."""
    outputs = list(outputs)
    taken = sorted(o for o in outputs if o.startswith(f"{SEARCH_DIR}/"))
    if taken:
        message = f"{taken[0]} would be overwritten: {SEARCH_DIR}/ holds the search index"
        raise SiteError([problem(message, "give that page another address")])
    parts, kept, fresh = split(outputs), set(kept), set(fresh)
    todo, again = {}, {}
    for name, pages in parts.items():
        if name in kept:
            continue
        if last is not None and last.still_holds(name, pages, folder, fresh):
            again[name] = last.files_of(name)
        else:
            todo[name] = pages
    read = lambda output: (folder / output).read_bytes()  # noqa: E731
    return bundle_files(parts, {**again, **index_parts(todo, read, language, jobs)}, kept)
