"""The theme's message catalogue: `templates/i18n/<tag>.yaml`, one file a language, each
mapping a key to a text (or, for a text shown with a count, one text a CLDR plural
category), read and checked against the English one, which names every key; a site's
`strings:` (in `site.yaml`) over them. A language without a catalogue falls back to
English, key by key, with one warning that lists what is missing (see `sitegen.i18n` for
how texts are shown)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from .diagnostics import Diagnostic, SiteError, did_you_mean
from .i18n import (
    DEFAULT_LANGUAGE,
    PLACEHOLDER,
    PLURAL_FORMS,
    WORDS,
    Message,
    Texts,
    english_names,
    has_locale_data,
)
from .model import Content, Site
from .theme import I18N_DIR, read_plain, text_files
from .vocabulary import DEFAULT

# The texts sitegen itself writes, outside templates, and where.
WRITTEN_BY_SITEGEN = {
    "in_year": "on social cards",
    "site_card_count": "on social cards",
    "site_card_empty": "on social cards",
    "announced_on": "on social cards",
    "part_of_short": "on source pages",
    "latest": "in the links of a timeline split by years",
    "year_part": "in the labels of a timeline split by years",
}


def candidates(tag: str) -> list[str]:
    """The catalogues a tag reads, most specific first: `zh-Hant-TW`, `zh-Hant`, `zh`."""
    parts = tag.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def load_texts(
    templates_dir: Path,
    language: str,
    strings: Iterable[tuple[str, Message]],
    where: Mapping[str, tuple[int, int]],
) -> Texts:
    """The texts for `language`: its catalogues (most specific first), then `strings` from
    site.yaml over them, English for the rest. SiteError for every problem in a catalogue
    or in `strings` (`where` gives each key's line and column in site.yaml)."""
    problems: list[Diagnostic] = []
    files = text_files(templates_dir)  # links out of the theme refused, as for templates
    english = read_catalogue(files, DEFAULT_LANGUAGE, None, problems)
    shown = f"templates/{I18N_DIR}/{DEFAULT_LANGUAGE}.yaml"
    if f"{I18N_DIR}/{DEFAULT_LANGUAGE}.yaml" not in files:
        hint = f"copy templates/{I18N_DIR}/ from sitegen's default theme"
        problems.append(Diagnostic(shown, 0, 0, "the theme has no texts in English", hint))
    elif not problems:
        for key in sorted(set(WRITTEN_BY_SITEGEN) - set(english)):
            message = f"no text '{key}', which sitegen writes {WRITTEN_BY_SITEGEN[key]}"
            problems.append(Diagnostic(shown, 0, 0, message, "add it: see sitegen's default theme"))
    layers: list[dict[str, Message]] = []
    for tag in candidates(language):
        if tag != DEFAULT_LANGUAGE:
            layers.append(read_catalogue(files, tag, english, problems))
    overrides: dict[str, Message] = {}
    for key, message in strings:
        line, col = where.get(f"strings.{key}", (0, 0))
        found = check_message(key, message, english, "content/site.yaml", line, col)
        problems += found
        if not found:
            overrides[key] = message
    if problems:
        raise SiteError(problems)
    merged: dict[str, Message] = dict(english)
    translated: set[str] = set(overrides)
    for layer in reversed(layers):
        merged.update(layer)
        translated |= set(layer)
    merged.update(overrides)
    english_site = language.split("-")[0] == DEFAULT_LANGUAGE
    missing = () if english_site else tuple(k for k in sorted(english) if k not in translated)
    return Texts(language, tuple(sorted(merged.items())), missing)


def read_catalogue(
    files: Mapping[str, Path],
    tag: str,
    english: Mapping[str, Message] | None,
    problems: list[Diagnostic],
) -> dict[str, Message]:
    """One catalogue file's texts (none when the theme has no such file), each checked
    against the English one; problems are added to `problems`."""
    from .load import parse_document, read_fact_file

    path = files.get(f"{I18N_DIR}/{tag}.yaml")
    shown = f"templates/{I18N_DIR}/{tag}.yaml"
    if path is None:
        return {}
    try:
        data = read_fact_file(shown, path)
    except OSError as error:
        problems.append(Diagnostic(shown, 0, 0, f"cannot read file: {error.strerror}"))
        return {}
    if isinstance(data, Diagnostic):
        problems.append(data)
        return {}
    document, found = parse_document("texts", shown, data)
    problems += found
    if document is None:
        return {}
    texts: dict[str, Message] = {}
    for key, node in document.node.value:
        message, found = message_from_node(node, key.value, shown)
        if not found and english is not None:
            line, col = key.start_mark.line + 1, key.start_mark.column + 1
            found = check_message(key.value, message, english, shown, line, col)
        problems += found
        if not found and message is not None:
            texts[key.value] = message
    return texts


def message_from_node(
    node: yaml.Node, key: str, path: str
) -> tuple[Message | None, list[Diagnostic]]:
    """A text (a scalar), or plural forms (a mapping of CLDR categories to texts)."""
    from .yaml_diagnostics import at, describe

    if isinstance(node, yaml.ScalarNode) and not node.tag.endswith(":null"):
        text = str(node.value).strip()
        if text:
            return text, []
        return None, [
            at(path, node, f"the text '{key}' is empty", "write a text or remove the key")
        ]
    if isinstance(node, yaml.MappingNode):
        forms: list[tuple[str, str]] = []
        problems = []
        for form, value in node.value:
            if form.value not in PLURAL_FORMS:
                hint = (
                    did_you_mean(form.value, PLURAL_FORMS)
                    or f"CLDR's are {', '.join(PLURAL_FORMS)}"
                )
                problems.append(at(path, form, f"'{form.value}' is not a plural category", hint))
            elif not (isinstance(value, yaml.ScalarNode) and str(value.value).strip()):
                problems.append(
                    at(path, value, f"'{key}.{form.value}' must be text, got {describe(value)}")
                )
            else:
                forms.append((form.value, str(value.value).strip()))
        if not problems and "other" not in dict(forms):
            problems.append(
                at(path, node, f"the text '{key}' has no 'other' form", "add 'other: ...'")
            )
        return (tuple(sorted(forms)) if not problems else None), problems
    message = f"the text '{key}' must be text, or one text a plural category, got {describe(node)}"
    return None, [at(path, node, message)]


def check_message(
    key: str,
    message: Message | None,
    english: Mapping[str, Message],
    path: str,
    line: int,
    col: int,
) -> list[Diagnostic]:
    """A text against the English one of the same key: a key the theme has, and only the
    parameters the theme gives it."""
    if message is None:
        return []
    if key not in english:
        hint = did_you_mean(key, english) or "the keys are those of templates/i18n/en.yaml"
        return [Diagnostic(path, line, col, f"unknown text '{key}'", hint)]
    reference = english[key]
    if not isinstance(message, str) and isinstance(reference, str):
        hint = "write one text: this one is not shown with a count"
        return [Diagnostic(path, line, col, f"the text '{key}' takes no count", hint)]
    given = set(placeholders(reference)) | {*WORDS, *(w.title() for w in WORDS)}
    for name in placeholders(message):
        if name not in given:
            listed = ", ".join(f"{{{n}}}" for n in sorted(placeholders(reference)))
            hint = f"it may use {listed}" if listed else "it takes no parameters but the track word"
            return [
                Diagnostic(
                    path,
                    line,
                    col,
                    f"the text '{key}' uses {{{name}}}, which it is not given",
                    hint,
                )
            ]
    return []


def placeholders(message: Message) -> list[str]:
    texts = [message] if isinstance(message, str) else [text for _, text in message]
    return [name for text in texts for name in PLACEHOLDER.findall(text)]


def language_warnings(texts: Texts | None) -> list[Diagnostic]:
    """One warning when the theme lacks some of its texts in the site's language (they are
    shown in English), or CLDR has no dates in it (they are written in English too)."""
    if texts is None or (not texts.missing and has_locale_data(texts.language)):
        return []
    tag = texts.language
    name = english_names()["languages"].get(tag.split("-")[0], tag)
    parts = []
    if texts.missing:
        count = len(texts.missing)
        listed = ", ".join(texts.missing)
        shown = "texts are" if count != 1 else "text is"
        parts.append(f"{count} of the theme's {shown} shown in English: {listed}")
    if not has_locale_data(tag):
        parts.append("CLDR has no dates in it, so dates are written in English")
    message = f"not everything is in {name} ({tag}): " + "; ".join(parts)
    hint = f"translate them under 'strings:' here, or add templates/{I18N_DIR}/{tag}.yaml"
    return [Diagnostic("content/site.yaml", 0, 0, message, hint, severity="warning")]


def with_texts(
    content: Content, templates_dir: Path, loaded: dict[tuple, Texts] | None = None
) -> Content:
    """The content with the theme's texts in its language; SiteError for their problems.
    `loaded` (a builder's, kept from build to build) holds the texts last read: they are
    read again only when the catalogue's files or the site's `strings:` changed, compared
    by their bytes, which is cheap for a few small files and never fooled by a clock."""
    loaded = {} if loaded is None else loaded
    site = content.site
    files = text_files(templates_dir)
    strings = (*track_words(site), *site.strings)
    key = (site.language, strings, tuple((n, file_bytes(p)) for n, p in sorted(files.items())))
    texts = loaded.get(key)
    if texts is None:
        where = {name: (line, col) for name, line, col in site.where}
        texts = load_texts(templates_dir, site.language, strings, where)
        loaded.clear()  # one site's texts at a time: a dev server must not grow
        loaded[key] = texts
    return dataclasses.replace(content, texts=texts)


def track_words(site: Site) -> tuple[tuple[str, Message], ...]:
    """The site's words for its tracks (`track:`, `tracks:` in site.yaml) as the theme's
    `{track}` and `{tracks}`, which `strings:` may still override: for a site that names its
    own, or an English one (whose default words, framework and frameworks, are English); a
    site in another language that names none keeps its catalogue's word."""
    if site.language.split("-")[0] != "en" and (site.track, site.tracks) == tuple(DEFAULT):
        return ()
    return (("track", site.track), ("tracks", site.tracks))


def file_bytes(path: Path) -> bytes | None:
    try:
        return read_plain(path)
    except OSError:
        return None
