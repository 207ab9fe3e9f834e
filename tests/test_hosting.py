"""Hosting on GitHub Pages: the default site built for /REPO/ and for /, served the way Pages
serves it, crawled link by link; its feed, sitemap and absolute URLs; the site_url rules."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import xmlschema

from .conftest import REPO, SiteFactory, html, sitegen, tree_bytes
from .pages_server import crawl, fetch, html_links, origin, serve_like_pages

PUBLIC = "https://octocat.github.io"
SITEMAP_XSD = Path(__file__).parent / "data" / "sitemap-0.9.xsd"
NO_SITE_URL_WARNING = (
    "content/site.yaml: warning: no site_url, so sitemap.xml and feed.xml use relative URLs, "
    "robots.txt has no Sitemap line and pages have no canonical link\n"
    "  hint: add site_url: https://USER.github.io/REPO here, or build with --site-url URL\n"
)


def build(out: Path, *options: str, site: Path = REPO) -> Path:
    """Build a site with the real command line; fail the test on any error or warning
    that was not asked for."""
    result = sitegen("build", "--site", site, "--out", out, *options)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"Built \d+ files in \d+ ms into .*/\n", result.stdout)
    if "--site-url" in options:
        assert result.stderr == ""
    return out


def milestone_count() -> int:
    return len(list((REPO / "content/milestones").glob("*.yaml")))


@pytest.mark.parametrize(
    ("base_url", "site_url"),
    [
        ("/sitegen-demo/", f"{PUBLIC}/sitegen-demo"),
        ("/", "https://timeline.example.org"),
        ("/sitegen-demo/", None),
    ],
)
def test_every_link_of_the_default_site_works_where_pages_serves_it(
    tmp_path: Path, base_url: str, site_url: str | None
) -> None:
    options = ["--base-url", base_url] + (["--site-url", site_url] if site_url else [])
    out = build(tmp_path / "output", *options)
    with serve_like_pages(out, base_url) as home:
        public = {origin(site_url): origin(home)} if site_url else {}
        # Crawlers start at the home page and robots.txt, which names the sitemap when it
        # can; without site_url it cannot, and the sitemap is submitted by hand.
        seeds = [home, home + "robots.txt"] + ([] if site_url else [home + "sitemap.xml"])
        found = crawl(seeds, public)
    assert found.broken == []
    reached = {urlsplit(url).path[len(base_url) :] for url in found.fetched}
    reached = {path + "index.html" if path.endswith("/") or not path else path for path in reached}
    # Every file is reached by following links, but the three that are never linked:
    # the 404 page (served for missing addresses), .nojekyll and sitegen's manifest (left
    # out of the Pages artifact: see test_hosting_workflow.py); and the search, whose
    # script and index the search field loads when used (see test_search_browser.py).
    unlinked = {"404.html", ".nojekyll", ".sitegen-manifest", "static/search.js"}
    search = {name for name in tree_bytes(out) if name.startswith("pagefind/")}
    assert search and reached == set(tree_bytes(out)) - unlinked - search
    pages = {urlsplit(url).path for url in found.ids}  # `/?fw=jax` is the timeline page again
    assert len(pages) == sum(1 for name in reached if name.endswith(".html"))
    assert found.external  # sources link out; those are not fetched, offline


def test_the_404_page_works_from_a_deeply_nested_missing_address(tmp_path: Path) -> None:
    out = build(tmp_path / "output", "--base-url", "/sitegen-demo/")
    with serve_like_pages(out, "/sitegen-demo/") as home:
        missing = home + "milestones/no/such/page/"
        response = fetch(missing)
        assert response.status == 404
        assert response.body == (out / "404.html").read_bytes()
        links, ids = html_links(response.body.decode(), missing)
        stylesheet = next(link for link in links if "/static/style.css" in link)
        assert urlsplit(stylesheet).path.startswith("/sitegen-demo/static/")
        on_page = [link for link in links if link.startswith(missing + "#")]
        found = crawl([link for link in links if link not in on_page])
    assert found.broken == []
    assert {link.removeprefix(missing + "#") for link in on_page} <= ids
    page = html(out / "404.html")
    assert page.css_first("h1").text() == "Page not found"
    assert [a.text() for a in page.css("main a")] == [
        "The timeline",
        "PyTorch",
        "TensorFlow",
        "JAX",
        "The foundation",
        "About this timeline",  # the pages of nav: in site.yaml
    ]


def test_the_404_page_is_styled_in_a_browser(tmp_path: Path, browser: object) -> None:
    out = build(tmp_path / "output", "--base-url", "/sitegen-demo/")
    with serve_like_pages(out, "/sitegen-demo/") as home:
        missing = home + "a/b/c/d/e"
        page = browser.new_page()  # type: ignore[attr-defined]
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on("response", lambda r: r.url != missing and r.status >= 400 and failed.append(r.url))
        response = page.goto(missing)
        assert response.status == 404
        rules = page.evaluate("[...document.styleSheets].map(s => s.cssRules.length)")
        page.get_by_role("link", name="The timeline", exact=True).click()
        assert page.url == home
        page.close()
    assert failed == []
    assert rules and all(count > 0 for count in rules)


def test_the_feed_is_atom_with_every_milestone_and_absolute_links(tmp_path: Path) -> None:
    out = build(tmp_path / "output", "--base-url", "/sitegen-demo/", "--site-url", PUBLIC)
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == milestone_count()
    assert feed.feed.link == f"{PUBLIC}/sitegen-demo/"
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == f"{PUBLIC}/sitegen-demo/feed.xml"
    assert feed.feed.author == "The sitegen project"
    for entry in feed.entries:
        assert re.fullmatch(rf"{PUBLIC}/sitegen-demo/milestones/[a-z0-9-]+/", entry.link)
        assert entry.id == entry.link
    # Links inside summaries are site-relative; xml:base makes them absolute for readers.
    summary_links = re.findall(r'href="([^"]+)"', " ".join(e.summary for e in feed.entries))
    internal = [link for link in summary_links if "octocat" in link or link.startswith("/")]
    assert all(link.startswith(f"{PUBLIC}/sitegen-demo/") for link in internal)


def test_the_feed_without_site_url_is_still_valid_atom(tmp_path: Path) -> None:
    out = build(tmp_path / "output", "--base-url", "/sitegen-demo/")
    with serve_like_pages(out, "/sitegen-demo/") as home:
        feed = feedparser.parse(home + "feed.xml")  # fetched over HTTP, as a reader would
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert len(feed.entries) == milestone_count()
    assert all(entry.id.startswith("urn:uuid:") for entry in feed.entries)
    assert feed.entries[0].link.startswith(home + "milestones/")


def test_the_sitemap_is_valid_and_lists_every_page_by_its_absolute_url(tmp_path: Path) -> None:
    out = build(
        tmp_path / "output", "--base-url", "/sitegen-demo/", "--site-url", f"{PUBLIC}/sitegen-demo"
    )
    schema = xmlschema.XMLSchema(SITEMAP_XSD)
    schema.validate(str(out / "sitemap.xml"))
    locations = [url["loc"] for url in schema.to_dict(str(out / "sitemap.xml"))["url"]]
    pages = sorted(
        p.removesuffix("index.html") for p in tree_bytes(out) if p.endswith("index.html")
    )
    assert locations == [f"{PUBLIC}/sitegen-demo/{page}" for page in pages]


def test_the_sitemap_schema_refuses_what_search_engines_refuse(tmp_path: Path) -> None:
    """The vendored schema is a real check: a sitemap of relative URLs fails it."""
    out = build(tmp_path / "output", "--base-url", "/")
    assert not xmlschema.XMLSchema(SITEMAP_XSD).is_valid(str(out / "sitemap.xml"))


def test_site_url_makes_every_public_address_absolute(tmp_path: Path) -> None:
    out = build(tmp_path / "a", "--base-url", "/sitegen-demo/", "--site-url", PUBLIC)
    robots = (out / "robots.txt").read_text()
    assert robots == (f"User-agent: *\nAllow: /\n\nSitemap: {PUBLIC}/sitegen-demo/sitemap.xml\n")
    canonical = html(out / "milestones/pytorch-2-0/index.html").css_first('link[rel="canonical"]')
    assert canonical.attributes["href"] == f"{PUBLIC}/sitegen-demo/milestones/pytorch-2-0/"
    assert f"<loc>{PUBLIC}/sitegen-demo/</loc>" in (out / "sitemap.xml").read_text()
    # configure-pages gives the address with the base path; either form builds the same site.
    same = build(
        tmp_path / "b", "--base-url", "/sitegen-demo/", "--site-url", f"{PUBLIC}/sitegen-demo/"
    )
    assert tree_bytes(same) == tree_bytes(out)


def test_without_site_url_the_build_works_and_says_what_lacks_absolute_urls(
    tmp_path: Path,
) -> None:
    result = sitegen("build", "--site", REPO, "--out", tmp_path / "output")
    assert result.returncode == 0
    assert re.fullmatch(r"Built \d+ files in \d+ ms into .*/output/\n", result.stdout)
    assert result.stderr == NO_SITE_URL_WARNING
    out = tmp_path / "output"
    assert (out / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    assert html(out / "index.html").css_first('link[rel="canonical"]') is None
    assert "<loc>/</loc>" in (out / "sitemap.xml").read_text()
    check = sitegen("check", "--site", REPO)
    assert check.returncode == 0
    assert check.stderr == NO_SITE_URL_WARNING


def test_site_url_may_be_set_in_site_yaml(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = site_factory(
        {
            "content/site.yaml": """\
                title: Test timeline
                description: A site for tests.
                base_url: /demo/
                site_url: https://octocat.github.io/demo
                """
        }
    )
    out = build(tmp_path / "output", site=site)
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.entries[0].link == "https://octocat.github.io/demo/milestones/alpha-1/"


def test_a_site_url_under_another_path_is_an_error(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = site_factory(
        {
            "content/site.yaml": """\
                title: Test timeline
                description: A site for tests.
                site_url: https://octocat.github.io/demo
                """
        }
    )
    result = sitegen("build", "--site", site, "--out", tmp_path / "output")
    assert result.returncode == 1
    assert result.stderr == (
        "content/site.yaml: error: site_url 'https://octocat.github.io/demo' is under /demo/, "
        "but the base URL is /\n"
        "  hint: build with --base-url /demo/, or give site_url without a path: "
        "https://octocat.github.io\n"
        "1 error; nothing written\n"
    )
    assert not (tmp_path / "output").exists()
    result = sitegen("build", "--site", site, "--base-url", "/x/", "--site-url", f"{PUBLIC}/y")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"--site-url: error: site_url '{PUBLIC}/y' is under /y/, but the base URL is /x/\n"
    )


def test_the_pages_server_answers_like_github_pages(tmp_path: Path) -> None:
    out = build(tmp_path / "output", "--base-url", "/repo/")
    (tmp_path / "secret.txt").write_text("outside the site")
    with serve_like_pages(out, "/repo/") as home:
        local = home.removesuffix("/repo/")
        assert fetch(home).body == (out / "index.html").read_bytes()
        assert fetch(home + "milestones/pytorch-2-0/").status == 200
        assert fetch(home + "milestones/pytorch-2-0").location == "/repo/milestones/pytorch-2-0/"
        assert fetch(local + "/repo").location == "/repo/"
        assert fetch(home + "static/style.css?v=1").status == 200
        for missing in ("nothing/here", ".nojekyll", "../secret.txt", "%2e%2e/secret.txt"):
            response = fetch(home + missing)
            assert (response.status, response.body) == (404, (out / "404.html").read_bytes())
        assert fetch(local + "/elsewhere/").status == 404
