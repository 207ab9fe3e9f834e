"""The globals that record what a page reads (see `sitegen.depends`): `site`, `frameworks`,
`framework_by_id` and `source_by_id`, `has_foundation` and `social_cards`, `t` and `nav`.

Each is made once per `Renderer` and reads the build the renderer is bound to: an imported
template's module keeps the globals it was made with (Jinja copies them), so they cannot be
made again for each build. They stand alone because each is a small proxy with one job,
to pass a value through and note the input it came from; the renderer only installs them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:  # `environment` imports this module
    from .environment import Renderer


class SiteValues:
    """`site` in templates: the site's values, each read recorded as `site:<name>`."""

    def __init__(self, renderer: Renderer) -> None:
        self._renderer = renderer

    def __getattr__(self, name: str) -> Any:
        site = self._renderer.site
        if name.startswith("_") or not hasattr(site, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return self._renderer.env.undefined(obj=site, name=name)
        return self._renderer.read(name)

    def __str__(self) -> str:
        for field in dataclasses.fields(self._renderer.site):
            self._renderer.read(field.name)
        return str(self._renderer.site)


class ById(Mapping[str, Any]):
    """`framework_by_id` and `source_by_id`: each value looked up records its file."""

    def __init__(self, renderer: Renderer, kind: str) -> None:
        self._renderer, self._kind = renderer, kind

    def __getitem__(self, key: str) -> Any:
        renderer = self._renderer
        renderer.reads.add(renderer.paths.get(self._kind, {}).get(key, f"list:{self._kind}"))
        return renderer.by_id[self._kind][key]

    def __iter__(self) -> Iterator[str]:
        self._renderer.reads.add(f"list:{self._kind}")
        return iter(self._renderer.by_id[self._kind])

    def __len__(self) -> int:
        self._renderer.reads.add(f"list:{self._kind}")
        return len(self._renderer.by_id[self._kind])


class Flag:
    """A site-wide yes or no (`has_foundation`, `social_cards`: see `Plan.facts`), read as
    its key."""

    def __init__(self, renderer: Renderer, key: str, value: Callable[[], bool]) -> None:
        self._renderer, self._key, self._value = renderer, key, value

    def __bool__(self) -> bool:
        self._renderer.reads.add(self._key)
        return self._value()

    def __str__(self) -> str:
        return str(bool(self))


class TextsRead:
    """`t` in templates: the theme's texts (`t(key)`, `t.plain(key)`, `t.year(2019)`), read
    as `texts`."""

    def __init__(self, renderer: Renderer) -> None:
        self._renderer = renderer

    def __call__(self, key: str, **params: Any) -> Markup:
        return self._renderer.texts()(key, **params)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._renderer.texts(), name)


class Recorded(Sequence[Any]):
    """A site-wide sequence (`nav`), read as its key."""

    def __init__(self, renderer: Renderer, key: str, make: Callable[[], Sequence[Any]]) -> None:
        self._renderer, self._key, self._make = renderer, key, make

    def items(self) -> Sequence[Any]:
        self._renderer.reads.add(self._key)
        return self._make()

    def __getitem__(self, index: Any) -> Any:
        return self.items()[index]

    def __len__(self) -> int:
        return len(self.items())

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items())


class Listed(Recorded):
    """`frameworks`: the frameworks in track order, read as `list:frameworks`."""

    def __init__(self, renderer: Renderer, kind: str) -> None:
        super().__init__(renderer, f"list:{kind}", lambda: getattr(renderer.content, kind))
