"""What the command line may override in `content/site.yaml` (`--base-url`, `--site-url`,
`--drafts`), how to build, and the content with those overrides applied: the one place
that knows which wins."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .diagnostics import Diagnostic, SiteError
from .drafts import published
from .model import Content, Site


@dataclass(frozen=True)
class Options:
    """What the command line may override in `content/site.yaml`, and how to build."""

    base_url: str | None = None
    site_url: str | None = None
    jobs: int = 0  # processes rendering pages; 0 means one per CPU
    cache: bool = True  # keep what a build computed under .sitegen-cache/ for the next run
    save_cache: bool = True  # `check` reads the cache but writes nothing
    force: bool = False  # replace an output folder that holds files sitegen did not write
    drafts: bool = False  # show milestones and pages marked `draft: true` (as `serve` does)
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)


def apply_options(content: Content, options: Options) -> Content:
    """The content with the command line's overrides, and `site_url` cut to its origin."""
    site = content.site
    if options.base_url is not None:
        site = dataclasses.replace(site, base_url=options.base_url)
    if options.site_url is not None:
        site = dataclasses.replace(site, site_url=options.site_url.rstrip("/"))
    if not options.drafts:
        content = published(content)
        site = dataclasses.replace(site, nav=content.site.nav)
    where = "--site-url" if options.site_url is not None else "content/site.yaml"
    site = dataclasses.replace(site, site_url=site_origin(site, where))
    return dataclasses.replace(content, site=site)


def site_origin(site: Site, where: str) -> str:
    """The `scheme://host` every absolute URL starts with (the base URL follows it).

    `site_url` may include the base path, as GitHub's configure-pages gives it
    (`https://USER.github.io/REPO`), but no other path: that would be a second base URL.
    """
    if not site.site_url:
        return ""
    parts = urlsplit(site.site_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/") + "/"
    if path not in ("/", site.base_url):
        message = f"site_url '{site.site_url}' is under {path}, but the base URL is {site.base_url}"
        hint = f"build with --base-url {path}, or give site_url without a path: {origin}"
        raise SiteError([Diagnostic(where, 0, 0, message, hint)])
    return origin


def site_url_warnings(site: Site) -> list[Diagnostic]:
    """Without the site's address, the outputs that need absolute URLs make do without."""
    if site.site_url:
        return []
    message = (
        "no site_url, so sitemap.xml and feed.xml use relative URLs, "
        "robots.txt has no Sitemap line and pages have no canonical link"
    )
    hint = "add site_url: https://USER.github.io/REPO here, or build with --site-url URL"
    return [Diagnostic("content/site.yaml", 0, 0, message, hint, severity="warning")]
