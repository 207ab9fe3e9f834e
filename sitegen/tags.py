"""Tags: `/tags/` lists every tag with its count, `/tags/<tag>/` what carries it (the
milestones in date order, then the pages). `site.yaml` may give a tag a label and a
one-line description under `tags:`; a label for a tag nothing carries is a warning."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from .diagnostics import Diagnostic
from .model import Content, Milestone, Page, Tag


class TagCount(NamedTuple):
    tag: Tag
    milestones: int
    pages: int


def tags_of(
    content: Content, indexes: Mapping[str, Sequence[int]] | None = None
) -> dict[str, tuple[tuple[Milestone, ...], tuple[Page, ...]]]:
    """Each tag carried by a milestone or a page: (its milestones in date order, its pages
    in page order), by tag. `indexes` (tag → its milestones' indexes) when known already."""
    milestones: dict[str, list[Milestone]] = defaultdict(list)
    pages: dict[str, list[Page]] = defaultdict(list)
    if indexes is None:
        for m in content.milestones:
            for tag in m.tags:
                milestones[tag].append(m)
    else:
        ms = content.milestones
        milestones.update((tag, list(map(ms.__getitem__, at))) for tag, at in indexes.items())
    for p in sorted(content.pages, key=page_order):
        for tag in p.tags:
            pages[tag].append(p)
    return {
        tag: (tuple(milestones.get(tag, ())), tuple(pages.get(tag, ())))
        for tag in sorted({*milestones, *pages})
    }


def page_order(p: Page) -> tuple[int, str, str]:
    return (p.order, p.title.casefold(), p.path)


def labelled(content: Content) -> dict[str, Tag]:
    """What site.yaml says of each tag it names."""
    return {t.id: t for t in content.site.tags}


def tag_warnings(content: Content) -> list[Diagnostic]:
    """A label in site.yaml for a tag nothing carries (a typo, or a tag since dropped)."""
    if not content.site.tags:
        return []  # no label: nothing to look for among every milestone's tags
    carried = tags_of(content)
    where: Mapping[str, tuple[int, int]] = {k: (line, col) for k, line, col in content.site.where}
    problems = []
    for tag in content.site.tags:
        if tag.id not in carried:
            line, col = where.get(f"tags.{tag.id}", (0, 0))
            message = f"the tag '{tag.id}' has a label, but no milestone or page carries it"
            hint = f"remove it here, or add '{tag.id}' to the tags of a milestone or page"
            problems.append(Diagnostic("content/site.yaml", line, col, message, hint, "warning"))
    return problems
