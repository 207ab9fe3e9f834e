"""The dependency record: what each output was made from, and how each input was then.

As in Lektor's build database or Hugo's dependency tracking, every output of a build is
listed with the inputs it read, and every input with a value: a rebuild compares the
inputs' values now with the record's, and re-renders exactly the outputs that read one that
differs. Inputs are stable strings:

- `content/milestones/x.yaml`, `templates/base.html`, `templates/static/style.css`: a fact
  file, a template or an asset; its value is a digest of its bytes;
- `site:title`: one value of `content/site.yaml`, after the command line's overrides;
- `list:frameworks`, `order:frameworks`, `has:foundation`, `list:pages`: a value every page
  may show (see `routes.Plan.facts`).

What an output read is recorded as it is read (see `Reads`): the routes say which fact
files their pages show, the template loader which templates a page loaded, the globals
which site-wide values and which assets it used. sitegen's own code is part of every
value: a record made by other code is never read (see `cache.code_digest`).

A record is a value: `updated` returns a new one, so a build that fails leaves the
record of the last good build as it was, and the next build compares against that.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Set
from contextlib import contextmanager
from dataclasses import dataclass, field

SHOWN_CHANGED = "what it shows changed"  # why a page is rendered again, for --verbose


@dataclass(frozen=True)
class Record:
    """Every input's value at the last good build, and who read what (as tuples: sets of
    a few keys each, ten thousand times over, would take ten times the memory)."""

    values: Mapping[str, object] = field(default_factory=dict)  # input → digest or value
    inputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # output → inputs, sorted
    users: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # input → outputs

    def changed(self, now: Mapping[str, object], touched: Iterable[str]) -> set[str]:
        """The inputs among `touched` whose value now is not the recorded one."""
        values = self.values
        return {key for key in touched if now.get(key) != values.get(key)}

    def read(self, output: str, key: str) -> bool:
        """Whether `output` read `key` (its inputs are sorted)."""
        inputs = self.inputs.get(output, ())
        i = bisect.bisect_left(inputs, key)
        return i < len(inputs) and inputs[i] == key

    def readers(self, keys: Iterable[str]) -> set[str]:
        """The outputs that read any of `keys`."""
        found: set[str] = set()
        for key in keys:
            found.update(self.users.get(key, ()))
        return found

    def affected(
        self,
        now: Mapping[str, object],
        touched: Iterable[str],
        shown: Mapping[str, Iterable[str]],
        outputs: Set[str],
        planned: bool,
        held: Mapping[str, object] | None,
    ) -> tuple[set[str], set[str], dict[str, str]]:
        """The outputs to render, those no longer made, and why each is rendered. To
        render: those that read an input among `touched` whose value changed; those new;
        those that now show a file they did not read (`shown`: file → the outputs showing
        it, see `routes.Plan.shown_on`); and those that are not `held` (in memory, or in
        the output folder as the last build left them; None: every one is, as a builder
        that built in memory knows without a look at ten thousand names). `outputs` are
        the record's unless `planned` (some came or went: comparing ten thousand names
        costs milliseconds)."""
        made = self.inputs.keys()
        why: dict[str, str] = {}
        for key in sorted(self.changed(now, touched), reverse=True):
            reason = f"{key} changed" if key.startswith("templates/") else SHOWN_CHANGED
            why.update(dict.fromkeys(self.readers([key]), reason))
        new = "there is no earlier build to reuse" if not made else "it is new"
        why.update(dict.fromkeys(outputs - made if planned else (), new))
        for path, showing in shown.items():
            why.update((o, SHOWN_CHANGED) for o in showing if not self.read(o, path))
        missing = "the output folder does not hold it as the last build left it"
        if held is not None and not held.keys() >= outputs:
            why.update((o, missing) for o in outputs - held.keys() if o not in why)
        why = {o: reason for o, reason in why.items() if o in outputs}
        return set(why), made - outputs if planned else set(), why

    def updated(
        self, now: Mapping[str, object], reads: Mapping[str, tuple[str, ...]], gone: Iterable[str]
    ) -> Record:
        """A new record: the outputs in `reads` rendered from these inputs (each interned,
        as `render.render_pages` gives them, in any order), those in `gone` no longer made,
        and every value as it is `now`."""
        inputs, users = dict(self.inputs), dict(self.users)
        lost: dict[str, set[str]] = {}  # input → outputs that no longer read it
        gained: dict[str, list[str]] = {}  # input → outputs that read it anew (lists: a cold
        # build notes every input of every output here, and a set costs four times as much)
        for output in gone:
            for key in inputs.pop(output, ()):
                lost.setdefault(key, set()).add(output)
        for output, keys in reads.items():
            old = inputs.get(output)
            if old is not None and len(old) == len(keys) and set(old).issuperset(keys):
                continue  # the inputs it read before: nothing to note, nor to sort again
            for key in set(old or ()).difference(keys):
                lost.setdefault(key, set()).add(output)
            for key in set(keys).difference(old) if old else keys:
                gained.setdefault(key, []).append(output)
            inputs[output] = tuple(sorted(keys))
        for key in lost.keys() | gained.keys():
            gone_from = lost.get(key, ())
            kept = [o for o in users.get(key, ()) if o not in gone_from]
            outputs = (*kept, *gained.get(key, ()))
            if outputs:
                users[key] = outputs
            else:
                users.pop(key, None)
        return Record(now, inputs, users)


class Reads:
    """What is being rendered reads: one set of inputs per page, and one more for each
    fragment being rendered inside it (see `render.Renderer.fragment`), whose inputs are the
    page's too."""

    def __init__(self) -> None:
        self._open: list[set[str]] = []

    def add(self, key: str) -> None:
        if self._open:
            self._open[-1].add(key)

    def update(self, keys: Iterable[str]) -> None:
        if self._open:
            self._open[-1].update(keys)

    @contextmanager
    def collect(self, keys: Iterable[str] = ()) -> Iterator[set[str]]:
        """Collect what the block reads (starting with `keys`) into the set it yields."""
        found = set(keys)
        self._open.append(found)
        try:
            yield found
        finally:
            self._open.pop()
            self.update(found)
