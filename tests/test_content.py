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
    assert 15 <= len(files) <= 30, f"expected 15-30 milestone files, found {len(files)}"
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
