"""Stage 2, across files: put the checked files together into the content model, checking
what no file can check alone (duplicate ids, references to ids) and ordering what lists."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable

from . import model
from .diagnostics import Diagnostic, SiteError, did_you_mean
from .load import Document
from .model import DAY
from .pages import built_in, url_problems
from .validate import Checked, Reference, check_document
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
