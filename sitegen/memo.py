"""Values kept from one build to the next, keyed by what they are made from.

A rebuild after one edit recomputes what the edit touched and reuses the rest: routes
(see `routes.plan_routes`) and rendered pieces of pages (see `render.cached`). Model values
are immutable and stay the same objects while their file is unchanged, so they are keyed by
identity: an entry keeps its arguments alive, so an id is never reused while it is a key.
Strings, numbers and sequences are keyed by value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from markupsafe import Markup

T = TypeVar("T")


class Memo:
    """Values by key, for one build and the next: what a build does not use is forgotten
    after the build that follows, so a long-running dev server does not grow."""

    def __init__(self) -> None:
        self.current: dict[Hashable, tuple[object, Any]] = {}
        self.previous: dict[Hashable, tuple[object, Any]] = {}

    def get(self, key: Hashable, args: object, make: Callable[[], T]) -> T:
        """The value kept under `key`, else `make()` kept there (with `args` kept alive)."""
        value = self.find(key)
        return self.keep(key, args, make()) if value is None else value

    def find(self, key: Hashable) -> Any:
        """The value kept under `key`, or None."""
        entry = self.current.get(key) or self.previous.get(key)
        if entry is None:
            return None
        self.current[key] = entry
        return entry[1]

    def keep(self, key: Hashable, args: object, value: T) -> T:
        self.current[key] = (args, value)
        return value

    def forget(self, key: Hashable) -> None:
        """Drop what is kept under `key`, and with it what kept its arguments alive."""
        self.current.pop(key, None)
        self.previous.pop(key, None)

    def next_build(self) -> None:
        """Forget what the last build did not use."""
        self.previous, self.current = self.current, {}


def value_key(value: Any) -> Hashable:
    """A key equal for values that render the same: TypeError for a value that may change."""
    kind = type(value)
    if kind is str:
        return value
    if kind is tuple or kind is list:  # read now, so a list changed later cannot match
        return (tuple, *map(value_key, value))
    if issubclass(kind, tuple):  # a named tuple: its kind and its fields
        return (kind, *map(value_key, value))
    if kind in SCALARS:
        return (kind, value)  # typed: 1, 1.0 and True are equal in Python, not on a page
    if frozen_dataclass(kind):
        return id(value)
    raise TypeError(kind.__name__)


SCALARS = frozenset({int, float, bool, type(None), Markup})


@functools.cache
def frozen_dataclass(kind: type) -> bool:
    params = getattr(kind, "__dataclass_params__", None)
    return bool(params and params.frozen)
