"""The base of the frozen dataclasses the cache keeps (the content model, the scanned fact
files and what checking them found)."""

from __future__ import annotations

from typing import Any


class Value:
    """A frozen value, pickled as its class and its fields in order: loading the cache
    then calls the constructor, several times faster than the state dataclasses give
    slotted classes (a call of `fields()` a value, and there are 100,000 at 10,000
    milestones)."""

    __slots__ = ()
    __match_args__: tuple[str, ...]

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return (type(self), tuple(map(self.__getattribute__, self.__match_args__)))
