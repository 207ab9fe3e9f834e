"""Markdown to safe HTML: raw HTML is escaped, links are checked, headings sit under the page's."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

SAFE_SCHEMES = ("http:", "https:", "mailto:")
HEADING_SHIFT = 1  # a Markdown '#' becomes <h2>: the page's own title is the only <h1>


@lru_cache(maxsize=8)
def parser(base_url: str) -> MarkdownIt:
    """CommonMark with tables and strikethrough; `html=False` escapes any raw HTML."""
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


# Rendered HTML by (text, base URL, inline?): a build renders each summary for its page and
# for every listing it appears in; `sitegen.cache` saves this between runs.
rendered: dict[tuple[str, str, bool], str] = {}


def render_markdown(text: str, base_url: str = "/") -> str:
    """Block Markdown (paragraphs, lists, headings) as HTML."""
    return _render(text, base_url, inline=False)


def render_inline(text: str, base_url: str = "/") -> str:
    """One line of Markdown (emphasis, code, links) as HTML, with no enclosing paragraph."""
    return _render(text, base_url, inline=True)


def _render(text: str, base_url: str, inline: bool) -> str:
    key = (text, base_url, inline)
    html = rendered.get(key)
    if html is None:
        md = parser(base_url)
        html = rendered[key] = md.renderInline(text) if inline else md.render(text)
    return html
