"""What a theme decides for itself, in `templates/theme.yaml` (the site's file, else the
packaged theme's; a site's file replaces the packaged one whole, and a key it leaves out
takes its default):

```yaml
timeline_page_size: 250   # milestones a page of the timeline (see `sitegen.pagination`)
social_cards: true        # a PNG card a page for link previews (see `sitegen.cards`)
```

A page of cards has a weight the theme knows, and the cards' look is the theme's: so both
are the theme's to say, not the content's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import SiteError
from .load import read_document
from .reader import read_mapping
from .theme import settings_file

PAGE_SIZE = 250  # milestones a page, when the theme does not say
SMALLEST = 1


@dataclass(frozen=True)
class ThemeSettings:
    timeline_page_size: int = PAGE_SIZE
    social_cards: bool = True


def theme_settings(templates_dir: Path) -> ThemeSettings:
    """The theme's settings; SiteError, at their line, for what is wrong in them."""
    found = settings_file(templates_dir)
    if found is None:
        return ThemeSettings()
    file, path = found
    document, problems = read_document("theme", path, file)
    settings = ThemeSettings()
    if document is not None:
        settings = read_mapping(path, document.node, problems, [], [], read_settings)
    if problems:
        raise SiteError(problems)
    return settings


def read_settings(r: Any) -> ThemeSettings:
    size = r.integer("timeline_page_size", PAGE_SIZE)
    if size < SMALLEST:
        node = r.pairs["timeline_page_size"][1]
        hint = f"a few hundred suits a browser; the default is {PAGE_SIZE}"
        r.error(node, f"'timeline_page_size' must be at least {SMALLEST}, got {size}", hint)
        size = PAGE_SIZE
    return ThemeSettings(size, r.boolean("social_cards", default=True))
