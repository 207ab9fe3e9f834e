"""Stage 2, across files: put the checked files together into the content model, checking
what no file can check alone (duplicate ids, references to ids) and ordering what lists."""

from __future__ import annotations

import bisect
import dataclasses
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import partial

from . import model
from .diagnostics import Diagnostic, SiteError, did_you_mean
from .load import Document
from .model import DAY, Milestone, date_order
from .pages import built_in, url_problems
from .quotes import QuoteReport
from .reader import Reference
from .route import Paths
from .validate import Checked, check_document
from .vocabulary import DEFAULT, Words


def validate(documents: list[Document]) -> model.Content:
    """The content model, or SiteError naming every problem in every file."""
    return assemble([check_document(doc) for doc in documents])


def assemble(checked: list[Checked], quotes: Iterable[Diagnostic] = ()) -> model.Content:
    """The content model from documents checked one by one, in path order; SiteError with
    every problem, including duplicate and unknown ids across files and the `quotes` problems
    found by `sitegen.quotes` (which reads files, so the caller runs it)."""
    problems = [p for c in checked for p in c.problems]
    problems += quotes
    read: dict[str, list[Checked]] = defaultdict(list)
    for c in checked:
        read[c.kind].append(c)
    site = read["site"][0].value if read.get("site") else None
    words = Words(site.track, site.tracks) if isinstance(site, model.Site) else DEFAULT
    problems += check_ids(read, [r for c in checked for r in c.references], words)
    taken = built_in({kind: [(c.path, c.value) for c in entries] for kind, entries in read.items()})
    problems += url_problems(((c.path, c.value) for c in read["pages"]), taken)
    for kind in ("site", "foundation"):  # `site.yml` beside `site.yaml`: one would be ignored
        for extra in read.get(kind, [])[1:]:
            first = read[kind][0].path
            message = f"a second {kind} file beside {first}, which is the one read"
            hint = f"merge them into {first} and delete this one"
            problems.append(Diagnostic(extra.path, 0, 0, message, hint))
    if "site" not in read:
        problems.append(
            Diagnostic(
                "content/site.yaml",
                0,
                0,
                "missing site configuration",
                "create content/site.yaml with 'title' and 'description'",
            )
        )
    if problems:
        raise SiteError(problems)
    frameworks = sorted((c.value for c in read["frameworks"]), key=lambda f: (f.order, f.id))
    return model.Content(
        site=read["site"][0].value,
        sources=tuple(sorted((c.value for c in read["sources"]), key=ID)),
        frameworks=tuple(frameworks),
        milestones=in_date_order([c.value for c in read["milestones"]], frameworks),
        foundation=read["foundation"][0].value if read["foundation"] else None,
        pages=tuple(sorted((c.value for c in read["pages"]), key=lambda p: p.path)),
    )  # type: ignore[arg-type]


ID = operator.attrgetter("id")
PATH = operator.attrgetter("path")


def rewritten(
    content: model.Content, changes: Iterable[tuple[Checked, Checked]]
) -> tuple[model.Content, list[Milestone]] | None:
    """`content` with the values of files rewritten in place (see `place`) put where the
    old ones were, and milestones given only a new date moved to it: what `assemble` would
    give, since no check across files can answer otherwise; and the milestones that moved.
    None when a file changed otherwise, or has a problem."""
    site, foundation = content.site, content.foundation
    ms, fws, sources = list(content.milestones), list(content.frameworks), list(content.sources)
    pages = list(content.pages)
    rank = {fw.id: i for i, fw in enumerate(fws)}
    key = partial(date_order, rank)
    moved = []
    for old, new in changes:
        a, b = old.value, new.value
        was, now = place(old), place(new)
        moves = was != now
        if new.problems or (moves and not (new.kind == "milestones" and redated(was, now))):
            return None
        if new.kind == "milestones":
            i = bisect.bisect_left(ms, key(a), key=key)
            if i == len(ms) or ms[i] is not a:
                return None
            if not moves:
                ms[i] = b
            else:  # its id and references are as they were: only its place in the order
                del ms[i]
                bisect.insort(ms, b, key=key)
                moved.append(b)
        elif new.kind == "frameworks":
            fws[rank[a.id]] = b
        elif new.kind == "sources":
            sources[bisect.bisect_left(sources, a.id, key=ID)] = b
        elif new.kind == "pages":
            pages[bisect.bisect_left(pages, a.path, key=PATH)] = b
        elif new.kind == "site":
            site = b
        else:
            foundation = b
    return dataclasses.replace(
        content,
        site=site,
        sources=tuple(sources),
        frameworks=tuple(fws),
        milestones=tuple(ms),
        foundation=foundation,
        pages=tuple(pages),
    ), moved


def place(checked: Checked) -> tuple:
    """All of a fact file's value that decides where it sits, in the content and in the
    site's listings: its kind, its id, the ids it refers to (a milestone's tracks and cited
    sources among them), and a milestone's date, framework and tags or a framework's order.
    `layout.Layout` reads nothing else of a milestone."""
    v, kind = checked.value, checked.kind
    refs = frozenset((r.kind, r.id) for r in checked.references)
    if kind == "milestones":
        extra: tuple = (DAY(v), v.framework, v.tags, v.draft)
    elif kind == "pages":
        extra = (v.url, v.tags, v.order, v.draft)
    elif kind == "site":  # the words name the tracks' folder; nav and drafts its entries
        extra = (v.track, v.tracks)
    else:
        extra = (getattr(v, "order", 0),)
    return (kind, getattr(v, "id", ""), refs, extra)


def redated(was: tuple, now: tuple) -> bool:
    """Whether two `place`s of a milestone differ in nothing but its date."""
    return was[:3] == now[:3] and was[3][1:] == now[3][1:]


def paths(checked: Iterable[Checked]) -> dict[str, dict[str, str]]:
    """For each kind of fact file, the path of the file defining each id."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for c in checked:
        found[c.kind][getattr(c.value, "id", "")] = c.path
    return dict(found)


def in_date_order(
    milestones: list[model.Milestone], frameworks: list[model.Framework]
) -> tuple[model.Milestone, ...]:
    """By date; on the same date (or a less precise one: `2016` comes before `2016-01-05`)
    in framework order, then by id. Sorted in stable passes, each keyed in C."""
    tracks: dict[str, list[model.Milestone]] = {f.id: [] for f in frameworks}
    for m in sorted(milestones, key=ID):
        tracks[m.framework].append(m)
    ordered = [m for track in tracks.values() for m in track]
    ordered.sort(key=DAY)
    return tuple(ordered)


def check_ids(
    read: dict[str, list[Checked]], references: list[Reference], words: Words = DEFAULT
) -> list[Diagnostic]:
    """Duplicate ids within a kind, and references to ids that no file defines (a track
    named with the site's `words`)."""
    problems = []
    known: dict[str, dict[str, str]] = defaultdict(dict)
    for kind, entries in read.items():
        named = [(getattr(c.value, "id", ""), c) for c in entries]
        first = known[kind] = {ident: c.path for ident, c in reversed(named) if ident}
        if len(first) == sum(1 for ident, _ in named if ident):
            continue  # no duplicates: the usual case, decided without a loop in Python
        seen = set()
        for ident, c in named:
            if ident and ident in seen and c.id_at is not None:
                w, hint = c.id_at, "give each file its own id"
                message = f"duplicate id '{ident}' (also in {first[ident]})"
                problems.append(Diagnostic(w.path, w.line, w.col, message, hint))
            seen.add(ident)
    for ref in references:
        if ref.id not in known[ref.kind]:
            tracks = ref.kind == "frameworks"
            folder = words.tracks if tracks else ref.kind
            singular = words.track if tracks else ref.kind.removesuffix("s")
            file = ref.id if ref.kind == "pages" else f"{ref.id}.yaml"
            hint = did_you_mean(ref.id, known[ref.kind]) or (
                f"add content/{folder}/{file} or use a known {singular}"
                + ("" if ref.kind == "pages" else " id")
            )
            w = ref.where
            problems.append(
                Diagnostic(w.path, w.line, w.col, f"unknown {singular} '{ref.id}'", hint)
            )
    return problems


def content_of(
    last: model.Content | None,
    last_paths: Paths,
    last_docs: Mapping[str, Checked],
    docs: Mapping[str, Checked],
    edited: list[str],
    quotes: QuoteReport,
) -> tuple[model.Content, Paths, list[Milestone] | None]:
    """The content the checked fact files make (before the command line's options), where
    each value's file is, and the milestones given a new date, which moved; None for those
    when the files were put together anew (so ids may have changed, and anything moved).
    Files rewritten in place are swapped into the last content when no check across files
    can answer otherwise (see `rewritten`). A quote not found in its source's archive fails
    the build with the rest (see `sitegen.quotes`)."""
    if last is not None and not edited and not quotes.problems:
        return last, last_paths, []
    pairs = [
        (old, new) for path in edited if (old := last_docs.get(path)) and (new := docs.get(path))
    ]
    if last is not None and len(pairs) == len(edited) and not quotes.problems:
        found = rewritten(last, pairs)
        if found is not None:
            content, moved = found
            return content, last_paths, moved
    checked = list(docs.values())
    return assemble(checked, quotes.problems), paths(checked), None
