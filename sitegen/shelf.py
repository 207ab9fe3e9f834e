"""Mappings made when first read. The build state keeps each fact file's checked
document (its references, quotes and their positions) pickled this way, since only a
build in which a fact file changed reads them: at 10,000 milestones they are a tenth of
the state's bytes but a third of the time it takes to load, being many small objects.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import ItemsView, Iterator, KeysView, Mapping, Sequence, ValuesView
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class Later(Mapping[str, V], Generic[V]):
    """A mapping made when first read (`items_loaded`), with the made dict's own views:
    a build walks all 10,000 items, and Mapping's would call `__getitem__` once an item."""

    def items_loaded(self) -> Mapping[str, V]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> V:
        return self.items_loaded()[key]

    def keys(self) -> KeysView[str]:
        return self.items_loaded().keys()

    def values(self) -> ValuesView[V]:
        return self.items_loaded().values()

    def items(self) -> ItemsView[str, V]:
        return self.items_loaded().items()

    def __iter__(self) -> Iterator[str]:
        return iter(self.items_loaded())

    def __len__(self) -> int:
        return len(self.items_loaded())


class Shelved(Later[V]):
    """`items`, or their pickled bytes, loaded on first use. Values found in `among` (the
    content model's, pickled with it) are pickled as their place there, so that loading
    both gives one object each, as before saving: identity matters to the callers that
    find a document's value in the content by `is`."""

    def __init__(self, items: Mapping[str, V] | bytes, among: Sequence[object]) -> None:
        self._items = items if isinstance(items, Mapping) else None
        self._data = items if isinstance(items, bytes) else None
        self._among = among

    def __reduce__(self) -> tuple[type, tuple[bytes, Sequence[object]]]:
        if self._data is None:
            self._data = shelve(self.items_loaded(), self._among)
        return (type(self), (self._data, self._among))

    def items_loaded(self) -> Mapping[str, V]:
        if self._items is None:
            assert self._data is not None
            self._items = unshelve(self._data, self._among)
        return self._items


def shelve(items: Mapping[str, Any], among: Sequence[object]) -> bytes:
    place = {id(value): n for n, value in enumerate(among)}  # lives only while pickling
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: place.get(id(obj))  # type: ignore[method-assign]
    pickler.dump(dict(items))
    return out.getvalue()


def unshelve(data: bytes, among: Sequence[object]) -> Any:
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = among.__getitem__  # type: ignore[method-assign]
    return unpickler.load()
