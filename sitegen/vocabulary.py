"""What a site calls its tracks, set in `content/site.yaml`:

```yaml
track: framework      # one: the key in milestone files, and the theme's texts
tracks: frameworks    # many: the folder content/frameworks/, the URLs /frameworks/<id>/
```

Inside sitegen a track stays a `Framework` (and a milestone's track `milestone.framework`);
the site's words are mapped at the edges: the folder name (`load`), the milestone key and
era key (`validate`), the URLs (`model.Site.track_path`) and the theme's texts (`site.track`
and `site.tracks` in templates). A site that names no words keeps framework / frameworks.

The words decide how every other fact file is read, so they are looked up in site.yaml
before the rest (`load.read_words`), quietly: what is wrong with them is reported where
site.yaml is checked (`site_config.read_site`, with `problems` below).
"""

from __future__ import annotations

import re
from typing import NamedTuple

SITE_FILES = ("site.yaml", "site.yml")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A milestone's own keys, which its track key may not take; and the content folders and
# URL prefixes that the tracks' folder and URLs may not take.
MILESTONE_KEYS = frozenset({"id", "date", "title", "summary", "sources", "tags", "also"})
TAKEN_PATHS = frozenset(
    {"archive", "cards", "foundation", "milestones", "pages", "sources", "static", "tags", "years"}
)


class Words(NamedTuple):
    """The site's word for one track and for many."""

    track: str = "framework"
    tracks: str = "frameworks"


DEFAULT = Words()
STARTER = Words("track", "tracks")  # what `sitegen new` calls them unless told


def plural(track: str) -> str:
    """The plural when only `track` is given: an `s` added (write `tracks` for another)."""
    return f"{track}s"


def problems(words: Words) -> list[tuple[str, str, str]]:
    """(key, message, hint) for each way these words cannot work."""
    found = []
    if words.track in MILESTONE_KEYS:
        message = f"'track' cannot be '{words.track}': milestone files use that key already"
        found.append(("track", message, "choose another word, such as 'track' or 'line'"))
    if words.tracks in TAKEN_PATHS:
        message = f"'tracks' cannot be '{words.tracks}': sitegen uses that folder and URL already"
        found.append(("tracks", message, "choose another word, such as 'tracks' or 'lines'"))
    if words.track == words.tracks:
        message = f"'track' and 'tracks' are both '{words.track}'"
        found.append(("tracks", message, "give the plural its own word"))
    return found


def chosen(track: str | None, tracks: str | None) -> Words | None:
    """The words site.yaml's `track` and `tracks` give (DEFAULT for neither; the plural
    made from `track` when only it is given); None when they cannot work."""
    if track is None:
        return DEFAULT if tracks is None else None
    words = Words(track, plural(track) if tracks is None else tracks)
    if not all(isinstance(w, str) and SLUG.fullmatch(w) for w in words) or problems(words):
        return None
    return words
