"""Reading `content/site.yaml` into the model's `Site`: its title and description, base
URL and address, intro and eras (with the readers of `sitegen.validate`), and the keys that
shape the whole site: `language`, `strings`, `tags` and `nav`."""

from __future__ import annotations

import re

import yaml

from . import i18n, model, validate, vocabulary
from .catalogue import message_from_node
from .reader import BASE_URL, BASE_URL_HINT, CONTROL, CONTROL_HINT, SLUG, Reader, Reference, slugify
from .vocabulary import DEFAULT, Words
from .yaml_diagnostics import at, describe


def read_language(r: Reader) -> str:
    """A BCP 47 tag, in its canonical case (`fr-CA`); English when left out."""
    node = r.value("language", required=False)
    text = "" if node is None else r.scalar(node, "language")
    if node is None or not text:
        return i18n.DEFAULT_LANGUAGE
    canonical, problem, hint = i18n.check_language(text)
    if problem:
        r.error(node, problem, hint)
    return canonical


def read_texts(
    r: Reader, where: list[tuple[str, int, int]]
) -> tuple[tuple[str, model.Message], ...]:
    """`strings:`, the theme's texts this site words its own way; each key is checked
    against the theme's catalogue once that is read (see `sitegen.i18n`)."""
    node = r.value("strings", required=False)
    if node is None:
        return ()
    if not isinstance(node, yaml.MappingNode):
        r.error(
            node,
            f"'strings' must be a mapping of texts, got {describe(node)}",
            "write 'previous: Back'",
        )
        return ()
    texts = []
    for key, value in node.value:
        message, problems = message_from_node(value, key.value, r.path)
        r.problems += problems
        where.append((f"strings.{key.value}", key.start_mark.line + 1, key.start_mark.column + 1))
        if message is not None:
            texts.append((key.value, message))
    return tuple(sorted(texts))


def read_tag(r: Reader) -> model.Tag:
    return model.Tag("", r.text("label"), r.text("description", required=False))


def read_tags(r: Reader, where: list[tuple[str, int, int]]) -> tuple[model.Tag, ...]:
    """`tags:`, a label and a one-line description for some tags, by tag."""
    node = r.value("tags", required=False)
    if node is None:
        return ()
    if not isinstance(node, yaml.MappingNode):
        hint = "write 'release: {label: Releases, description: ...}'"
        r.error(node, f"'tags' must be a mapping of tags, got {describe(node)}", hint)
        return ()
    tags = []
    for key, value in node.value:
        if not SLUG.fullmatch(key.value):
            message = (
                f"a tag must be a slug of lowercase letters, digits and hyphens, got '{key.value}'"
            )
            r.error(key, message, f"for example '{slugify(key.value)}'")
            continue
        tag = r.nested(value, key.value, read_tag)
        where.append((f"tags.{key.value}", key.start_mark.line + 1, key.start_mark.column + 1))
        if tag is not None:
            tags.append(model.Tag(key.value, tag.label, tag.description))
    return tuple(sorted(tags, key=lambda t: t.id))


def read_nav(r: Reader) -> tuple[str, ...]:
    """`nav:`, pages by their path under content/pages/, checked once every page is read."""

    def entry(node: yaml.Node) -> str:
        text = r.scalar(node, "nav")
        if text and not PAGE_PATH.fullmatch(text):
            message = f"'nav' must list pages by their path in content/pages/, got {describe(node)}"
            r.error(node, message, "for example 'about.md' or 'guide/index.md'")
            return ""
        if text:
            r.references.append(Reference("pages", text, at(r.path, node, "")))
        return text

    return tuple(path for path in r.sequence("nav", False, entry) if path)


# A page's path under content/pages/, as nav: names it (and as its address comes from).
PAGE_PATH = re.compile(r"(?:[^\W_A-Z]+(?:-[^\W_A-Z]+)*/)*[^\W_A-Z]+(?:-[^\W_A-Z]+)*\.md")


def read_site(r: Reader) -> model.Site:
    where: list[tuple[str, int, int]] = []
    base_url = (
        r.matching(
            "base_url",
            BASE_URL,
            "a URL path such as '/' or '/my-repo/'",
            BASE_URL_HINT,
            required=False,
        )
        or "/"
    )
    r.words = read_track_words(r)  # before the eras, which name tracks with them
    return model.Site(
        title=r.text("title"),
        description=r.text("description"),
        language=read_language(r),
        base_url=base_url,
        site_url=r.url("site_url", site=True).rstrip("/"),
        author=r.text("author", required=False),
        intro=r.mapping("intro", validate.read_fact, required=False),
        eras=r.mappings("eras", validate.read_era),
        track=r.words.track,
        tracks=r.words.tracks,
        extra=read_extra(r),
        strings=read_texts(r, where),
        tags=read_tags(r, where),
        nav=read_nav(r),
        where=tuple(where),
    )


def read_track_words(r: Reader) -> Words:
    """`track` and `tracks`: what the site calls its tracks (see `sitegen.vocabulary`)."""
    expected, hint = "a word of lowercase letters, digits and hyphens", "for example 'track'"
    track = r.matching("track", SLUG, expected, hint, required=False)
    tracks = r.matching("tracks", SLUG, expected, hint + "s", required=False)
    if "track" not in r.pairs and "tracks" in r.pairs:
        r.error(r.pairs["tracks"][0], "'tracks' needs 'track' beside it", "add 'track: ...'")
    if not track or ("tracks" in r.pairs and not tracks):
        return DEFAULT  # none given, or reported above
    words = Words(track, tracks or vocabulary.plural(track))
    problems = vocabulary.problems(words)
    for key, message, hint in problems:
        r.error(r.pairs.get(key, r.pairs["track"])[1], message, hint)
    return DEFAULT if problems else words


def read_extra(r: Reader) -> model.Extra:
    """`extra`: any mapping the site likes, for its templates as `site.extra`."""
    node = r.value("extra", required=False)
    if node is None:
        return model.Extra()
    if not isinstance(node, yaml.MappingNode):
        r.error(node, f"'extra' must be a mapping of keys to values, got {describe(node)}")
        return model.Extra()
    value = plain_value(r, node)
    return value if isinstance(value, model.Extra) else model.Extra()


def plain_value(r: Reader, node: yaml.Node) -> object:
    """A node as the value templates see: mappings as `model.Extra`, lists as tuples, and
    scalars as YAML reads them (text, numbers, true/false, dates, null)."""
    if isinstance(node, yaml.MappingNode):
        return model.Extra({key.value: plain_value(r, value) for key, value in node.value})
    if isinstance(node, yaml.SequenceNode):
        return tuple(plain_value(r, item) for item in node.value)
    if isinstance(node.value, str) and (control := CONTROL.search(node.value)):
        message = f"'extra' contains the control character U+{ord(control[0]):04X}"
        r.error(node, message, CONTROL_HINT)
        return ""
    return SCALARS.construct_object(node)


SCALARS = yaml.constructor.SafeConstructor()  # only ever given scalars: plain tags, checked
