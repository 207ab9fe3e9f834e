"""The site's language: its BCP 47 tag checked, dates, numbers and lists written in it with
CLDR's data (through Babel), and the theme's texts (`Texts`, read by `sitegen.catalogue`)
shown in it.

Texts take named parameters written `{name}`; every text may also use the theme's word for
a track, `{track}` and `{tracks}` (capitalised: `{Track}`, `{Tracks}`), which are texts of
the catalogue themselves.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from .diagnostics import did_you_mean
from .model import PartialDate

DEFAULT_LANGUAGE = "en"
# RFC 5646's well-formed tags (grandfathered ones aside): language, script, region,
# variants, extensions and a private-use part.
LANGUAGE_TAG = re.compile(
    r"""(?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})
        (?:-(?P<script>[a-z]{4}))?
        (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
        (?P<rest>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
                 (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*
                 (?:-x(?:-[a-z0-9]{1,8})+)?)""",
    re.IGNORECASE | re.VERBOSE | re.ASCII,
)
LANGUAGE_HINT = "for example 'en', 'fr', 'zh' or 'pt-BR'"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")  # CLDR's categories
WORDS = ("track", "tracks")  # every text may use these, and their capitalised forms

Message = str | tuple[tuple[str, str], ...]  # a text, or (CLDR category, text) pairs


# The language tag -------------------------------------------------------------------------


def check_language(tag: str) -> tuple[str, str, str]:
    """(the tag in its canonical case, what is wrong with it, a hint); '' when valid."""
    match = LANGUAGE_TAG.fullmatch(tag)
    if match is None:
        written = tag.replace("_", "-")
        hint = ""
        if written != tag and not check_language(written)[1]:
            hint = f"did you mean '{check_language(written)[0]}'? BCP 47 joins its parts with '-'"
        return tag, f"'language' must be a BCP 47 language tag, got '{tag}'", hint or name_hint(tag)
    language, script, region = match["language"].lower(), match["script"], match["region"]
    canonical = "-".join(
        part
        for part in (
            language,
            script.title() if script else "",
            region.upper() if region else "",
            match["rest"].lower().strip("-"),
        )
        if part
    )
    names = english_names()
    if language.split("-")[0] not in names["languages"]:
        message = f"'language' must be a BCP 47 language tag, got '{tag}'"
        return canonical, message, name_hint(tag)
    if script and script.title() not in names["scripts"]:
        return canonical, f"'language' names no known script: '{script}'", "for example 'Hans'"
    if region and region.upper() not in names["territories"]:
        message = f"'language' names no known region: '{region}'"
        return canonical, message, "for example 'FR', 'CA' or '419'"
    return canonical, "", ""


def name_hint(word: str) -> str:
    """`did you mean 'en' (English)?` for a language written by its English name."""
    by_name = {name.lower(): code for code, name in english_names()["languages"].items()}
    name = word.strip().lower()
    if name not in by_name:
        close = did_you_mean(name, by_name)
        if not close:
            return LANGUAGE_HINT
        name = close.split("'")[1]
    return f"did you mean '{by_name[name]}' ({english_names()['languages'][by_name[name]]})?"


@functools.cache
def english_names() -> dict[str, Mapping[str, str]]:
    """CLDR's codes of languages, scripts and regions, with their English names."""
    from babel import Locale

    english = Locale("en")
    languages = {code: name for code, name in english.languages.items() if "_" not in code}
    return {"languages": languages, "scripts": english.scripts, "territories": english.territories}


@functools.cache
def babel_locale(tag: str) -> Any:
    """The CLDR locale to write dates and numbers in. English without a region is CLDR's
    international English (`12 September 2022`), not its US English; a tag Babel has no
    data for loses its last parts until it has, else is English."""
    from babel import Locale, UnknownLocaleError

    parts = tag.split("-")
    if parts == ["en"]:
        parts = ["en", "001"]
    while parts:
        try:
            return Locale.parse("_".join(parts))
        except (UnknownLocaleError, ValueError):
            parts.pop()
    return babel_locale("en")


def has_locale_data(tag: str) -> bool:
    """Whether CLDR knows the tag's language (its dates are then written in it)."""
    language = tag.split("-")[0]
    return language == "en" or babel_locale(tag).language == language  # English: no Babel


# Dates, numbers and lists -------------------------------------------------------------------

SKELETONS = {"day": "yMMMMd", "month": "yMMMM", "year": "y"}


@functools.lru_cache(maxsize=65536)
def format_date(date: PartialDate, tag: str = DEFAULT_LANGUAGE) -> str:
    """A date at its precision, in the language: `12 September 2022`, `septembre 2022`,
    `2022年9月12日`, `2016`."""
    from babel.dates import format_date as babel_format

    locale = babel_locale(tag)
    day = datetime.date(date.year, date.month or 1, date.day or 1)
    return babel_format(day, date_pattern(locale, date.precision), locale=locale)


@functools.cache
def date_pattern(locale: Any, precision: str) -> str:
    """CLDR's pattern for a date at this precision in this locale (`d MMMM y`)."""
    from babel.dates import match_skeleton

    skeleton = SKELETONS[precision]
    found = match_skeleton(skeleton, locale.datetime_skeletons) or skeleton
    return str(locale.datetime_skeletons.get(found, found).pattern)


@functools.lru_cache(maxsize=65536)
def format_number(number: int, tag: str) -> str:
    """`1,234`, `1 234`: kept, as dates are, since the pagers of a large site write the
    same few hundred counts again on every page."""
    from babel.numbers import format_decimal

    return format_decimal(number, locale=babel_locale(tag))


def format_list(items: Iterable[str], tag: str) -> str:
    """`PyTorch and JAX`, `PyTorch et JAX`, `PyTorch和JAX`."""
    from babel.lists import format_list as babel_list

    items = list(items)
    return babel_list(items, locale=babel_locale(tag)) if items else ""


def plural_form(count: int, tag: str) -> str:
    return str(babel_locale(tag).plural_form(count))


# The catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """The theme's texts in the site's language, with what fell back to English. A value:
    two builds with the same texts compare equal. Called as `t(key, **params)`."""

    language: str = DEFAULT_LANGUAGE
    messages: tuple[tuple[str, Message], ...] = ()
    missing: tuple[str, ...] = ()  # keys no catalogue of the language had: shown in English

    @functools.cached_property
    def by_key(self) -> dict[str, Message]:
        return dict(self.messages)

    def __call__(self, key: str, **params: Any) -> Markup:
        """The text `key` as HTML: its words escaped, each `{name}` replaced by the escaped
        parameter (HTML given as Markup stays HTML)."""
        return Markup(self.render(key, params, escape))

    def plain(self, key: str, **params: Any) -> str:
        """The text `key` as plain text (for a PNG card or JavaScript)."""
        return self.render(key, params, str)

    def render(self, key: str, params: Mapping[str, Any], quote: Any) -> str:
        message = self.by_key.get(key)
        if message is None:
            known = did_you_mean(key, self.by_key)
            raise KeyError(
                f"no text '{key}' in the theme's catalogue" + (f"; {known}" if known else "")
            )
        text = self.choose(message, params.get("count"))
        values = {**self.words, **params}

        def fill(found: re.Match[str]) -> str:
            name = found[1]
            if name not in values:
                return str(quote(found[0]))
            value = values[name]
            if isinstance(value, int) and not isinstance(value, bool):
                value = format_number(value, self.language)
            return str(quote(value))

        return PLACEHOLDER.sub(fill, str(quote(text)))

    def choose(self, message: Message, count: Any) -> str:
        if isinstance(message, str):
            return message
        forms = dict(message)
        if isinstance(count, int):
            form = plural_form(count, self.language)
            if count == 0 and "zero" in forms:
                form = "zero"
            return forms.get(form, forms["other"])
        return forms["other"]

    @functools.cached_property
    def words(self) -> dict[str, str]:
        """The track word, as every text may use it: `{track}`, `{Tracks}`."""
        words = {}
        for word in WORDS:
            value = self.by_key.get(word, word)
            value = value if isinstance(value, str) else dict(value)["other"]
            words[word], words[word.title()] = value, value[:1].upper() + value[1:]
        return words

    def date(self, date: PartialDate) -> str:
        return format_date(date, self.language)

    def year(self, year: int) -> str:
        """A year alone, as a date: `2019`, `2019年`."""
        return format_date(PartialDate(year), self.language)

    def number(self, number: int) -> str:
        return format_number(number, self.language)

    def list(self, items: Iterable[str]) -> str:
        return format_list(items, self.language)

    def script(self, *keys: str) -> dict[str, Message]:
        """Texts for the theme's scripts: each key's forms, the track word filled in."""
        words = self.words

        def fill(text: str) -> str:
            return PLACEHOLDER.sub(lambda m: words.get(m[1], m[0]), text)

        found: dict[str, Message] = {}
        for key in keys:
            message = self.by_key[key]
            found[key] = (
                fill(message)
                if isinstance(message, str)
                else tuple((form, fill(text)) for form, text in message)
            )
        return found


def install(env: Any, texts: Texts | None) -> None:
    """The language in templates: `t(key, **params)` for the theme's texts, and the filters
    `human` (a date at its precision) and `and_list` (`A, B and C`)."""
    texts = texts or Texts()
    env.globals["t"] = texts
    env.filters["human"] = texts.date
    env.filters["and_list"] = texts.list
