"""Markdown to safe HTML: raw HTML is escaped, links are checked, headings sit under the page's."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when first parsing: a build that renders nothing needs none
    from markdown_it import MarkdownIt

SAFE_SCHEMES = ("http:", "https:", "mailto:")
HEADING_SHIFT = 1  # a Markdown '#' becomes <h2>: the page's own title is the only <h1>


@lru_cache(maxsize=8)
def parser(base_url: str) -> MarkdownIt:
    """CommonMark with tables and strikethrough; `html=False` escapes any raw HTML."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )
    md.validateLink = is_safe_link
    md.core.ruler.push("sitegen_links", lambda state: _adjust(state.tokens, base_url))
    return md


def is_safe_link(url: str) -> bool:
    """Only web and mail links, or links within the site; never javascript:, data: or file:."""
    lowered = "".join(url.split()).lower()
    if ":" not in lowered.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # a relative link, a path or an #anchor
    return lowered.startswith(SAFE_SCHEMES)


def _adjust(tokens: list, base_url: str) -> None:
    """Root-relative links follow the base URL; headings shift down one level."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
        for child in [token, *(token.children or [])]:
            for attr in ("href", "src"):
                value = child.attrGet(attr)
                if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
                    child.attrSet(attr, base_url + value[1:])


def render_markdown(text: str, base_url: str = "/") -> str:
    """Block Markdown (paragraphs, lists, headings) as HTML."""
    return parser(base_url).render(text)


def render_inline(text: str, base_url: str = "/") -> str:
    """One line of Markdown (emphasis, code, links) as HTML, with no enclosing paragraph."""
    return parser(base_url).renderInline(text)


def plain_text(markdown: str, base_url: str = "/") -> str:
    """Markdown as one line of plain text, for meta descriptions and JSON-LD."""
    return words_of(render_markdown(markdown, base_url))


def words_of(html_text: str) -> str:
    """The words of an HTML fragment, without the markup, on one line."""
    return html.unescape(" ".join(re.sub(r"<[^>]*>", "", html_text).split()))
