"""Hostile content: script, event handlers, javascript: and data: links, HTML comments and
Jinja syntax, written into every text field of the real site, come out as inert text or
safe links on every page, in the feed, the sitemap and timeline.json."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode

from sitegen.build import build_site

from .browser import serve_folder
from .conftest import REPO

JINJA = "⟦{{ 7*7 }}⟧"  # the brackets mark the spot: '⟦49⟧' anywhere means it was evaluated
PAYLOAD = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> '
    '<a href="javascript:alert(2)" onclick="alert(2)">a</a> [js](javascript:alert(3)) '
    "[JS]( JaVaScRiPt:alert(4)) [data](data:text/html;base64,PHNjcmlwdD4=) "
    "![img](javascript:alert(6)) <javascript:alert(7)> [ent](&#106;avascript:alert(8)) "
    "<!-- hidden-comment --> <svg onload=alert(9)> <iframe src=//evil.example> "
    f"{JINJA} {{% if true %}}jinja{{% endif %}} "
)
HOSTILE_URL = 'https://example.org/"><script>alert(10)</script>'
TEXT_KEYS = {
    "title", "description", "author", "name", "tagline", "publisher", "note", "summary",
    "text", "quote", "role", "speaker", "by", "label",
}  # fmt: skip
URL_KEYS = {"url", "website"}
LIST_KEYS = {"items"}  # tags are slugs and the language a BCP 47 tag: both checked, like ids
DANGEROUS_TAGS = {
    "script", "img", "iframe", "object", "embed", "svg", "math", "style", "link", "meta",
    "base", "form", "input", "button", "textarea", "frame", "frameset", "template",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href"}
UNSAFE_SCHEME = re.compile(r"(?:javascript|data|vbscript):")


def poison(value: Any, key: str = "") -> Any:
    """Every text field with the payload in front, every URL made hostile, every list of
    words given one hostile word more; ids, dates, colours and numbers stay valid."""
    if isinstance(value, dict):  # a poisoned quote is not verbatim: no archive can prove it
        return {k: poison(v, k) for k, v in value.items() if k != "archive"}
    if isinstance(value, list):
        items = [poison(v, key) for v in value]
        return [*items, PAYLOAD] if key in LIST_KEYS else items
    if key in TEXT_KEYS and isinstance(value, str):
        return PAYLOAD + value
    if key in URL_KEYS:
        return HOSTILE_URL
    return value


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The real site built as it is and built with every field poisoned."""
    root = tmp_path_factory.mktemp("hostile")
    clean, hostile = root / "clean", root / "hostile"
    for site in (clean, hostile):
        shutil.copytree(REPO / "templates", site / "templates")
        shutil.copytree(REPO / "content", site / "content")
    for path in (hostile / "content").rglob("*.yaml"):
        data = poison(yaml.safe_load(path.read_text(encoding="utf-8")))
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for path in (hostile / "content" / "pages").rglob("*.md"):  # front matter and body
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        data = yaml.safe_dump(poison(yaml.safe_load(front)), allow_unicode=True)
        path.write_text(f"---\n{data}---\n{PAYLOAD}\n\n## {PAYLOAD}\n\n{body}", encoding="utf-8")
    for site in (clean, hostile):
        build_site(site, site / "output")
    return clean / "output", hostile / "output"


def elements(tree: HTMLParser) -> Iterator[LexborNode]:
    return (node for node in tree.root.traverse() if not node.tag.startswith(("_", "-")))


def comments(tree: HTMLParser) -> list[str]:
    return [
        node.html or "" for node in tree.root.traverse(include_text=True) if node.tag == "-comment"
    ]


def live_markup(tree: HTMLParser, allowed_tags: Counter[str] | None = None) -> list[str]:
    """Everything in a parsed document that could run or load something."""
    found = []
    tags = Counter(node.tag for node in elements(tree))
    allowed = allowed_tags or Counter()
    found += [f"<{tag}>" for tag in DANGEROUS_TAGS if tags[tag] > allowed[tag]]
    for node in elements(tree):
        for name, value in node.attributes.items():
            if name.lower().startswith("on"):
                found.append(f"{node.tag} {name}={value}")
            squeezed = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.lower() in URL_ATTRIBUTES and UNSAFE_SCHEME.match(squeezed):
                found.append(f"{node.tag} {name}={value}")
    found += [c for c in comments(tree) if "hidden-comment" in c]
    return found


def code(tree: HTMLParser) -> list[str]:
    """The page's scripts; data blocks (JSON-LD) only need to hold whole JSON: a payload
    that closed the element early would have cut it short."""
    scripts = []
    for script in tree.css("script"):
        if "json" in script.attributes.get("type", ""):
            json.loads(script.text())
            scripts.append("a JSON block")
        else:
            scripts.append(script.html or "")
    return scripts


def html_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))


def test_the_poisoned_site_builds_the_same_files(sites: tuple[Path, Path]) -> None:
    clean, hostile = sites

    def files(root: Path) -> list[str]:  # the search index's files are named by their text
        names = (p.relative_to(root).as_posix() for p in root.rglob("*"))
        return sorted(n for n in names if not n.startswith("pagefind/"))

    assert files(clean) == files(hostile)
    assert (hostile / "pagefind/part-1-of-1/pagefind.js").is_file()
    assert len(html_files(hostile)) > 40


def test_every_page_shows_the_payload_as_inert_text(sites: tuple[Path, Path]) -> None:
    clean, hostile = sites
    for name in html_files(hostile):
        page = HTMLParser((hostile / name).read_text(encoding="utf-8"))
        reference = HTMLParser((clean / name).read_text(encoding="utf-8"))
        allowed = Counter(node.tag for node in elements(reference))
        assert live_markup(page, allowed) == [], name
        assert code(page) == code(reference), name  # the theme's own scripts, no others
        if name != "404.html":  # the one page that shows no content
            text = page.body.text() if page.body else ""
            assert '<script>alert("x")</script> <img src=x onerror=alert(1)>' in text, name
            assert JINJA in text and "{% if true %}jinja{% endif %}" in text, name


def test_hostile_urls_stay_inside_their_attribute(sites: tuple[Path, Path]) -> None:
    _, hostile = sites
    hrefs = {
        a.attributes.get("href")
        for name in html_files(hostile)
        for a in HTMLParser((hostile / name).read_text(encoding="utf-8")).css("a")
    }
    assert HOSTILE_URL in hrefs


def test_jinja_syntax_in_content_is_never_evaluated(sites: tuple[Path, Path]) -> None:
    _, hostile = sites
    for path in hostile.rglob("*"):
        if path.is_file():
            assert "⟦49⟧" not in path.read_text(encoding="utf-8", errors="replace"), path


def test_feed_is_well_formed_and_its_html_is_inert(sites: tuple[Path, Path]) -> None:
    _, hostile = sites
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(hostile / "feed.xml").getroot()
    entries = feed.findall(f"{atom}entry")
    assert entries
    for entry in entries:
        title = entry.find(f"{atom}title")
        assert title is not None and title.get("type", "text") == "text"  # shown as plain text
        content = entry.find(f"{atom}content")
        assert content is not None and content.get("type") == "html"
        body = HTMLParser(content.text or "")
        assert live_markup(body) == []
        assert "<script>" in body.text() and JINJA in body.text()


def test_sitemap_lists_only_plain_page_addresses(sites: tuple[Path, Path]) -> None:
    _, hostile = sites
    sitemap = ET.parse(hostile / "sitemap.xml").getroot()
    locs = [
        loc.text or "" for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert locs
    assert all(re.fullmatch(r"(https?://[^\s<>\"]+)?/[a-z0-9/-]*", loc) for loc in locs), locs


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def test_timeline_json_strings_carry_no_live_markup(sites: tuple[Path, Path]) -> None:
    """TimelineJS shows `headline` and `text` as HTML: each string is parsed as HTML here."""
    _, hostile = sites
    data = json.loads((hostile / "timeline.json").read_text(encoding="utf-8"))
    assert data["events"]
    for value in strings(data):
        assert live_markup(HTMLParser(value)) == [], value
    headline = HTMLParser(data["events"][0]["text"]["headline"]).body
    assert headline is not None and headline.text().startswith('<script>alert("x")</script>')


def test_no_payload_runs_in_a_real_browser(sites: tuple[Path, Path], browser: Browser) -> None:
    """Every poisoned page opened in Chromium: no alert() fires, no payload script runs."""
    _, hostile = sites
    fired: list[str] = []
    context = browser.new_context()
    tab = context.new_page()
    tab.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    with serve_folder(hostile) as origin:
        for name in html_files(hostile):
            tab.goto(f"{origin}/{name}", wait_until="load")
            assert (
                tab.evaluate("document.querySelectorAll('[onerror],[onload],[onclick]').length")
                == 0
            )
    context.close()
    assert fired == []
