"""Checks on the default content in `content/`, independent of the sitegen engine.

These tests read the YAML fact files directly with `yaml.safe_load` and check
that quotes from the source article are verbatim, that the milestone files are
well formed, and that no machine-translation slip has leaked into the prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
ARTICLE_ID = "article-2022-09-14"
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "source" / f"{ARTICLE_ID}.txt"

PROSE_KEYS = frozenset({"text", "title", "summary", "items", "tagline", "description"})
# Slips from the machine-translated article that must never reach the prose.
FORBIDDEN_PROSE = (
    ("PyToarch", re.compile(r"PyToarch")),
    ("' Ai '", re.compile(r" Ai ")),
    ("'to to'", re.compile(r"\bto to\b", re.IGNORECASE)),
)


def normalise(text: str) -> str:
    """Collapse every run of whitespace to a single space."""
    return " ".join(text.split())


def content_files() -> list[Path]:
    """Every YAML fact file under `content/`, in path order."""
    return sorted(p for p in CONTENT.rglob("*") if p.suffix in {".yaml", ".yml"})


def load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict nested anywhere in a loaded YAML document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def prose_strings(node: Any) -> Iterator[tuple[str, str]]:
    """(key, text) for every prose value: text, title, summary, items, tagline."""
    for mapping in walk(node):
        for key, value in mapping.items():
            if key not in PROSE_KEYS:
                continue
            if isinstance(value, str):
                yield key, value
            elif isinstance(value, list):
                yield from ((key, item) for item in value if isinstance(item, str))


def article_quotes() -> list[tuple[Path, str]]:
    """(file, quote) for every citation of the article that carries a quote."""
    found = []
    for path in content_files():
        for mapping in walk(load(path)):
            if mapping.get("source") == ARTICLE_ID and "quote" in mapping:
                found.append((path, mapping["quote"]))
    return found


def test_content_folder_exists() -> None:
    assert CONTENT.is_dir(), f"no content folder at {CONTENT}"
    assert content_files(), "content/ holds no YAML files"


def test_article_quotes_are_verbatim() -> None:
    if not ARTICLE.is_file():
        pytest.skip(f"source article not found at {ARTICLE} (expected beside the repo)")
    article = normalise(ARTICLE.read_text(encoding="utf-8"))
    quotes = article_quotes()
    assert quotes, "no quotes from the article were found"
    missing = [
        f"{path.relative_to(REPO)}: {quote!r}"
        for path, quote in quotes
        if not isinstance(quote, str) or not quote.strip() or normalise(quote) not in article
    ]
    assert not missing, "quotes not found verbatim in the article:\n" + "\n".join(missing)


def test_milestone_files() -> None:
    files = sorted((CONTENT / "milestones").glob("*.yaml"))
    assert 15 <= len(files) <= 40, f"expected 15-40 milestone files, found {len(files)}"
    wrong = [
        f"{path.name}: id {data.get('id')!r}"
        for path in files
        if not isinstance(data := load(path), dict) or data.get("id") != path.stem
    ]
    assert not wrong, "milestone file names must equal their ids:\n" + "\n".join(wrong)


def test_prose_has_no_translation_slips() -> None:
    problems = [
        f"{path.relative_to(REPO)} [{key}]: contains {label}: {text!r}"
        for path in content_files()
        for key, text in prose_strings(load(path))
        for label, pattern in FORBIDDEN_PROSE
        if pattern.search(text)
    ]
    assert not problems, "\n".join(problems)


def test_cited_sources_exist() -> None:
    known = {path.stem for path in (CONTENT / "sources").glob("*.yaml")}
    assert ARTICLE_ID in known, f"content/sources/{ARTICLE_ID}.yaml is missing"
    dangling = [
        f"{path.relative_to(REPO)}: {mapping['source']!r}"
        for path in content_files()
        for mapping in walk(load(path))
        if isinstance(mapping.get("source"), str) and mapping["source"] not in known
    ]
    assert not dangling, "citations of unknown sources:\n" + "\n".join(dangling)


# The article's opinions and labels: the site may report them, never state them as its own.
ARTICLE_OPINIONS = (
    "almost all deep learning applications",
    "reliable framework",
    "no longer the outsider",
    "deep learning framework created",
    "good news",
)
# Garbles of the machine translation, and claims the fact-check found wrong or out of date.
CORRECTED = (
    "neutral nature",
    "specialized in scientific research",
    "is developed by the google brain team",
)


def test_the_articles_opinions_are_attributed_to_it() -> None:
    unattributed = [
        f"{path.relative_to(REPO)} [{key}]: {text!r}"
        for path in content_files()
        for key, text in prose_strings(load(path))
        if any(o in text.lower() for o in ARTICLE_OPINIONS) and "article" not in text.lower()
    ]
    assert not unattributed, "the article's opinions in the site's own voice:\n" + "\n".join(
        unattributed
    )


def test_corrected_claims_do_not_come_back() -> None:
    found = [
        f"{path.relative_to(REPO)} [{key}]: {text!r}"
        for path in content_files()
        for key, text in prose_strings(load(path))
        if any(c in normalise(text).lower() for c in CORRECTED)
    ]
    assert not found, "\n".join(found)


def sources_by_id() -> dict[str, dict[str, Any]]:
    return {path.stem: load(path) for path in (CONTENT / "sources").glob("*.yaml")}


def test_every_milestone_cites_a_source_with_an_address() -> None:
    sources = sources_by_id()
    unsourced = [
        path.name
        for path in sorted((CONTENT / "milestones").glob("*.yaml"))
        if not any(
            "url" in c or "url" in sources.get(c.get("source", ""), {})
            for c in load(path)["sources"]
        )
    ]
    assert not unsourced, "milestones citing no primary source with a URL: " + ", ".join(unsourced)


def test_eras_name_their_tracks_and_the_foundation_era_is_pytorchs_alone() -> None:
    site = load(CONTENT / "site.yaml")
    frameworks = {path.stem for path in (CONTENT / "frameworks").glob("*.yaml")}
    eras = {era["title"]: era for era in site["eras"]}
    assert all(era.get("frameworks") for era in eras.values()), "every era names its tracks"
    assert all(set(era["frameworks"]) <= frameworks for era in eras.values())
    assert eras["The PyTorch Foundation era"]["frameworks"] == ["pytorch"]
    ending = [era for era in eras.values() if era.get("end") == "2022-09"]
    assert ending and all(era["frameworks"] == ["pytorch"] for era in ending)


def test_keras_3_is_a_cross_track_milestone() -> None:
    keras = load(CONTENT / "milestones/keras-3.yaml")
    assert keras["framework"] == "tensorflow"
    assert sorted(keras["also"]) == ["jax", "pytorch"]
    assert "JAX, TensorFlow or PyTorch" in keras["summary"]


def test_archives_are_publishable_excerpts_and_not_the_article() -> None:
    """Only text that may be published is kept: each archive says where it comes from and
    under which licence; the article, which may not be published, is never among them."""
    archived = [s["archive"] for s in sources_by_id().values() if "archive" in s]
    assert archived, "the default site archives some of its sources"
    for relative in archived:
        text = (REPO / relative).read_text(encoding="utf-8")
        assert "Archived excerpt" in text and "license" in text.lower(), relative
    files = sorted(p for p in (CONTENT / "archive").iterdir())
    assert [p.relative_to(REPO).as_posix() for p in files] == sorted(archived)
    for path in files:
        assert "Almost everyone is inside" not in path.read_text(encoding="utf-8"), path
