"""Pieces of pages (`cached()` in templates, and the listings' pieces), kept by what they
were made from: valid in any page, build, process or run where that is unchanged."""

from __future__ import annotations

import operator
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from .layout import Run
from .model import Framework, Milestone, Source
from .route import Paths
from .scan import digest
from .timeline import Card, Year

FOLDERS = {Milestone: "milestones", Source: "sources", Framework: "frameworks"}
SCALARS = frozenset({int, float, bool, type(None), Markup})
ID = operator.attrgetter("id")


class Fragments:
    """Pieces of pages by key, each with the inputs it read and their values then: valid
    in any build whose inputs have those values. Kept between runs (see `sitegen.cache`).

    Bounded: when the pieces' text has doubled since the last pruning, those made from
    inputs that changed since, or not used since, are forgotten."""

    SLACK = 1 << 24  # characters: a small site never prunes

    def __init__(self) -> None:
        self.entries: dict[Hashable, list[Any]] = {}  # key → [value, inputs, values, used]
        self.build = self.pruned = 0  # this build's number, and the last pruning's
        self.size = self.kept = 0  # characters held, and held after the last pruning

    def get(self, key: Hashable, now: Mapping[str, object]) -> list[Any] | None:
        found = self.entries.get(key)
        if found is None or (found[1] and tuple(map(now.get, found[1])) != found[2]):
            return None
        found[3] = self.build
        return found

    def put(
        self, key: Hashable, value: Any, read: Iterable[str], now: Mapping[str, object]
    ) -> list[Any]:
        inputs = tuple(sorted(read))
        entry = self.entries[key] = [value, inputs, tuple(map(now.get, inputs)), self.build]
        self.size += len(value) if isinstance(value, str) else 0
        return entry

    def next_build(self, now: Mapping[str, object]) -> None:
        self.build += 1
        if self.size > 2 * self.kept + self.SLACK:
            used = [(k, e) for k, e in self.entries.items() if e[3] >= self.pruned]
            valid = [(k, e) for k, e in used if tuple(map(now.get, e[1])) == e[2]]
            self.entries, self.pruned = dict(valid), self.build
            self.size = self.kept = sum(len(e[0]) for _, e in valid if isinstance(e[0], str))


def value_key(value: Any, paths: Paths, now: Mapping[str, object], files: list[str]) -> Hashable:
    """A key equal for arguments that render the same; TypeError for a value that may
    change. A model value is known by its file's digest (the file goes to `files`)."""
    kind = type(value)
    if kind is str:
        return value
    folder = FOLDERS.get(kind)
    if folder is not None:
        file = paths[folder][value.id]
        files.append(file)
        return (folder, now[file])
    if kind is Card:  # a year holds hundreds: one call each, rather than one a field
        file = paths["milestones"][value.milestone.id]
        files.append(file)
        return (Card, now[file], value.row, value.end, value.lanes)  # the rest are ints
    if kind is Year:  # its milestones and cards as below; its labels, rails and bands
        # are the layout's plain values (ints, bools, strings and the site's eras)
        head = [value_key(part, paths, now, files) for part in value[:4]]  # year … cards
        return (Year, *head, *value[4:])
    if kind is Run:
        found = value.__dict__.get("key")  # worked out once for this plan's run
        if found is None:
            found = value.key = listing_key(value, paths, now, value.__dict__.get("files"))
        files += found[1]
        return found[0]
    if kind in SCALARS:
        return (kind, value)  # typed: 1, 1.0 and True are equal in Python, not on a page
    if isinstance(value, tuple | list):
        kinds = set(map(type, value))
        alike = kinds.pop() if len(kinds) == 1 else None
        if alike in FOLDERS:
            key, listed = listing_key(value, paths, now)
            files += listed
            return key
        if alike is Card:  # a year's cards: their milestones by one digest, the rest ints
            key, listed = listing_key([card.milestone for card in value], paths, now)
            files += listed
            return (Card, key, tuple(card[1:] for card in value))
        return (tuple, *[value_key(v, paths, now, files) for v in value])
    params = getattr(kind, "__dataclass_params__", None)
    if params is not None and params.frozen:
        return (kind, value)  # an immutable value of the model: by value
    raise TypeError(kind.__name__)


def listing_key(
    values: Sequence[Any],
    paths: Paths,
    now: Mapping[str, object],
    files: Sequence[str] | None = None,
) -> tuple[Hashable, list[str]]:
    """Model values of one kind, in order, known by one digest of their files' digests, in
    C: no call per value (a listing holds thousands). `files`: theirs, if known."""
    folder = FOLDERS[type(values[0])]
    files = list(map(paths[folder].__getitem__, map(ID, values)) if files is None else files)
    joined = b"".join(map(now.__getitem__, files))  # type: ignore[arg-type]  # digests: 16 bytes each
    return (folder, digest(joined)), files
