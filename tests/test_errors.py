"""One tiny broken site per error kind, with the full message users read."""

from __future__ import annotations

import pytest

from sitegen.cli import main

from .conftest import MINIMAL_SITE, SiteFactory


def build_errors(
    site_factory: SiteFactory, files: dict[str, str | None], capsys: pytest.CaptureFixture[str]
) -> str:
    site = site_factory(files)
    code = main(["build", "--site", str(site)])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.err
    assert not (site / "output").exists(), "a failed build must write nothing"
    return captured.err


MILESTONE = """\
id: alpha-1
date: DATE
framework: alpha
title: Alpha 1.0
summary: The first release.
sources:
  - source: paper
"""

CASES = {
    "yaml syntax: unclosed quote": (
        {"content/milestones/alpha-1.yaml": 'id: alpha-1\ntitle: "Alpha\n'},
        "content/milestones/alpha-1.yaml:3:1: error: invalid YAML: found unexpected end of stream "
        "(while scanning a quoted scalar)\n  hint: close the quote\n1 error; nothing written\n",
    ),
    "tab indentation": (
        {"content/site.yaml": "title: T\ndescription: D\nintro:\n\ttext: x\n"},
        "content/site.yaml:4:1: error: invalid YAML: a tab character here\n  hint: indent with spaces: YAML does not allow tabs\n"
        "1 error; nothing written\n",
    ),
    "an unquoted # starts a comment": (
        {"content/frameworks/alpha.yaml": "id: alpha\nname: Alpha\ncolor: #9a3412\n"},
        "content/frameworks/alpha.yaml:3:7: error: 'color' is empty\n"
        "  hint: an unquoted '#' starts a comment, so 'color' is empty: quote it, as in "
        'color: "#9a3412"\n1 error; nothing written\n',
    ),
    "a value starting with @": (
        {"content/site.yaml": "title: @me\ndescription: D\n"},
        "content/site.yaml:1:8: error: invalid YAML: found character that cannot start any token "
        "(while scanning for the next token)\n"
        "  hint: quote the value: YAML does not let one start with '@', '`' or '%'\n"
        "1 error; nothing written\n",
    ),
    "a value starting with *": (
        {"content/site.yaml": "title: *bold* move\ndescription: D\n"},
        "content/site.yaml:1:13: error: invalid YAML: did not find expected alphabetic or numeric "
        "character (while scanning an alias)\n"
        "  hint: quote the value: YAML reads a '*' at its start as an alias\n"
        "1 error; nothing written\n",
    ),
    "a value starting with [ that goes on": (
        {"content/site.yaml": "title: [draft] notes\ndescription: D\n"},
        "content/site.yaml:1:16: error: invalid YAML: did not find expected key (while parsing a "
        "block mapping)\n  hint: quote a value that starts with '[', '{' or a quote and goes on "
        "after it, or check the indentation\n1 error; nothing written\n",
    ),
    "a colon and a space in a plain value": (
        {"content/site.yaml": "title: Note: it works\ndescription: D\n"},
        "content/site.yaml:1:12: error: invalid YAML: mapping values are not allowed in this "
        "context\n  hint: quote a value that contains ': '\n1 error; nothing written\n",
    ),
    "broken link in content": (
        {
            "content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020").replace(
                "summary: The first release.",
                "summary: |\n  The first release,\n  before [Alpha 2](/milestones/alpha-2/).",
            )
        },
        "content/milestones/alpha-1.yaml:7:20: error: broken link '/milestones/alpha-2/'\n"
        "  hint: no page at that address; the closest page is '/milestones/alpha-1/'\n"
        "1 error; nothing written\n",
    ),
    "broken anchor in content": (
        {
            "content/frameworks/alpha.yaml": "id: alpha\nname: Alpha\ncolor: '#9a3412'\n"
            "facts:\n  - text: Its [sources](/milestones/alpha-1/#source-h).\n"
            "    sources: [{source: paper}]\n",
        },
        "content/frameworks/alpha.yaml:5:25: error: broken anchor '/milestones/alpha-1/#source-h'\n"
        "  hint: that page has no id 'source-h'; the closest id is 'sources-h'\n"
        "1 error; nothing written\n",
    ),
    "relative link in a summary": (
        {
            "content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020").replace(
                "summary: The first release.", "summary: After [Alpha 0](../alpha-0/)."
            )
        },
        "content/milestones/alpha-1.yaml:5:26: error: a link relative to the page: '../alpha-0/'\n"
        "  hint: this text is shown on several pages, where a relative link leads to different "
        "places: write it from the site's root, as in '/milestones/ID/' (the base URL is added "
        "when the site is built)\n"
        "1 error; nothing written\n",
    ),
    "duplicate key": (
        {"content/site.yaml": "title: T\ndescription: D\ntitle: U\n"},
        "content/site.yaml:3:1: error: duplicate key 'title' (first on line 1)\n"
        "  hint: remove one of them\n1 error; nothing written\n",
    ),
    "unknown key with a close match": (
        {"content/site.yaml": "title: T\ndescription: D\nbase_ulr: /x/\n"},
        "content/site.yaml:3:1: error: unknown key 'base_ulr'\n  hint: did you mean 'base_url'?\n"
        "1 error; nothing written\n",
    ),
    "missing required key": (
        {"content/site.yaml": "title: T\n"},
        "content/site.yaml:1:1: error: missing required key 'description'\n"
        "  hint: add 'description: ...'\n1 error; nothing written\n",
    ),
    "wrong type": (
        {"content/site.yaml": "title: [a, b]\ndescription: D\n"},
        "content/site.yaml:1:8: error: 'title' must be text, got a list\n1 error; nothing written\n",
    ),
    "impossible date": (
        {"content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2023-02-30")},
        "content/milestones/alpha-1.yaml:2:7: error: 'date' is not a real date: 2023-02-30\n"
        "  hint: February 2023 has days 01 to 28\n1 error; nothing written\n",
    ),
    "month out of range": (
        {"content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2023-13")},
        "content/milestones/alpha-1.yaml:2:7: error: 'date' has no month 13: 2023-13\n"
        "  hint: months run 01 to 12\n1 error; nothing written\n",
    ),
    "year zero": (
        {"content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "0000-05")},
        "content/milestones/alpha-1.yaml:2:7: error: 'date' has no year 0000: 0000-05\n"
        "  hint: years run from 0001\n1 error; nothing written\n",
    ),
    "date in words": (
        {"content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "March 2023")},
        "content/milestones/alpha-1.yaml:2:7: error: 'date' must be YYYY, YYYY-MM or YYYY-MM-DD, "
        "got 'March 2023'\n  hint: write the date at the precision you know, e.g. 2016 or 2022-09\n"
        "1 error; nothing written\n",
    ),
    "unknown framework": (
        {
            "content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020").replace(
                "framework: alpha", "framework: alpah"
            )
        },
        "content/milestones/alpha-1.yaml:3:12: error: unknown framework 'alpah'\n"
        "  hint: did you mean 'alpha'?\n1 error; nothing written\n",
    ),
    "unknown framework in 'also'": (
        {"content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020") + "also: [alpah]\n"},
        "content/milestones/alpha-1.yaml:8:8: error: unknown framework 'alpah'\n"
        "  hint: did you mean 'alpha'?\n1 error; nothing written\n",
    ),
    "a milestone's own framework in 'also'": (
        {"content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020") + "also: [alpha]\n"},
        "content/milestones/alpha-1.yaml:8:7: error: 'also' names the milestone's own framework 'alpha'\n"
        "  hint: remove it\n1 error; nothing written\n",
    ),
    "an era naming an unknown framework twice": (
        {
            "content/site.yaml": "title: T\ndescription: D\neras:\n"
            "  - {title: E, start: 2020, frameworks: [alpha, beta, alpha]}\n"
        },
        "content/site.yaml:4:49: error: unknown framework 'beta'\n"
        "  hint: add content/frameworks/beta.yaml or use a known framework id\n"
        "content/site.yaml:4:55: error: 'frameworks' names 'alpha' twice\n"
        "  hint: name each one once\n2 errors; nothing written\n",
    ),
    "unknown source": (
        {
            "content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020").replace(
                "source: paper", "source: blog"
            )
        },
        "content/milestones/alpha-1.yaml:7:13: error: unknown source 'blog'\n"
        "  hint: add content/sources/blog.yaml or use a known source id\n1 error; nothing written\n",
    ),
    "duplicate milestone id": (
        {"content/milestones/alpha-2.yaml": MILESTONE.replace("DATE", "2021")},
        "content/milestones/alpha-2.yaml:1:5: error: duplicate id 'alpha-1' (also in "
        "content/milestones/alpha-1.yaml)\n  hint: give each file its own id\n1 error; nothing written\n",
    ),
    "id that is not a slug": (
        {
            "content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020").replace(
                "id: alpha-1", "id: Alpha One"
            )
        },
        "content/milestones/alpha-1.yaml:1:5: error: 'id' must be a slug of lowercase letters, digits "
        "and hyphens, got 'Alpha One'\n  hint: for example 'pytorch-2-0'\n1 error; nothing written\n",
    ),
    "milestone without a source": (
        {
            "content/milestones/alpha-1.yaml": "id: alpha-1\ndate: 2020\nframework: alpha\ntitle: T\nsummary: S\nsources: []\n"
        },
        "content/milestones/alpha-1.yaml:6:10: error: 'sources' must not be empty\n"
        "  hint: add at least one item\n1 error; nothing written\n",
    ),
    "yaml tag": (
        {"content/site.yaml": "title: !!python/object/apply:os.system [echo hi]\ndescription: D\n"},
        "content/site.yaml:1:8: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
        "is not allowed\n  hint: remove the '!' tag; fact files hold plain values\n"
        "1 error; nothing written\n",
    ),
    "a list instead of a mapping": (
        {"content/site.yaml": "- title: T\n"},
        "content/site.yaml:1:1: error: expected a mapping of keys to values at the top of the file, "
        "got a list\n  hint: write 'key: value' lines at the top level\n1 error; nothing written\n",
    ),
    "empty file": (
        {"content/sources/paper.yaml": ""},
        "content/sources/paper.yaml:1:1: error: file is empty\n"
        "  hint: write a mapping of keys to values, or delete the file\n1 error; nothing written\n",
    ),
    "two documents": (
        {"content/site.yaml": "title: T\ndescription: D\n---\ntitle: U\n"},
        "content/site.yaml:3:1: error: invalid YAML: expected a single document in the stream, "
        "but found another document\n  hint: keep one document a file: remove the '---' separator\n"
        "1 error; nothing written\n",
    ),
    "file in an unknown place": (
        {"content/milestone/alpha-2.yaml": "id: x\n"},
        "content/milestone/alpha-2.yaml: error: fact file in an unknown place (known: content/site.yaml, "
        "content/foundation.yaml, content/sources, content/frameworks, content/milestones, content/pages)\n"
        "  hint: did you mean 'milestones'?\n1 error; nothing written\n",
    ),
    "missing site.yaml": (
        {"content/site.yaml": None},
        "content/site.yaml: error: missing site configuration\n"
        "  hint: create content/site.yaml with 'title' and 'description'\n1 error; nothing written\n",
    ),
    "a language written in words": (
        {"content/site.yaml": "title: T\ndescription: D\nlanguage: english\n"},
        "content/site.yaml:3:11: error: 'language' must be a BCP 47 language tag, got 'english'\n"
        "  hint: did you mean 'en' (English)?\n1 error; nothing written\n",
    ),
    "a language tag with an underscore": (
        {"content/site.yaml": "title: T\ndescription: D\nlanguage: en_US\n"},
        "content/site.yaml:3:11: error: 'language' must be a BCP 47 language tag, got 'en_US'\n"
        "  hint: did you mean 'en-US'? BCP 47 joins its parts with '-'\n1 error; nothing written\n",
    ),
    "a text the theme does not have": (
        {"content/site.yaml": "title: T\ndescription: D\nstrings:\n  previus_in: x\n"},
        "content/site.yaml:4:3: error: unknown text 'previus_in'\n"
        "  hint: did you mean 'previous_in'?\n1 error; nothing written\n",
    ),
    "a text with a parameter it is not given": (
        {
            "content/site.yaml": "title: T\ndescription: D\nstrings:\n  previous_in: 'Back to {title}'\n"
        },
        "content/site.yaml:4:3: error: the text 'previous_in' uses {title}, which it is not given\n"
        "  hint: it may use {name}\n1 error; nothing written\n",
    ),
    "a plural form CLDR does not have": (
        {
            "content/site.yaml": "title: T\ndescription: D\nstrings:\n  lane_count: {single: x, other: y}\n"
        },
        "content/site.yaml:4:16: error: 'single' is not a plural category\n"
        "  hint: CLDR's are zero, one, two, few, many, other\n1 error; nothing written\n",
    ),
    "plural forms for a text shown without a count": (
        {
            "content/site.yaml": "title: T\ndescription: D\nstrings:\n  skip_to_content: {one: x, other: y}\n"
        },
        "content/site.yaml:4:3: error: the text 'skip_to_content' takes no count\n"
        "  hint: write one text: this one is not shown with a count\n1 error; nothing written\n",
    ),
    "an unknown text in a catalogue": (
        {
            "content/site.yaml": "title: T\ndescription: D\nlanguage: fr-CA\n",
            "templates/i18n/fr-CA.yaml": "skip_to_content: Aller au contenu\nskip_to_contnt: x\n",
        },
        "templates/i18n/fr-CA.yaml:2:1: error: unknown text 'skip_to_contnt'\n"
        "  hint: did you mean 'skip_to_content'?\n1 error; nothing written\n",
    ),
    "a tag that is not a slug, and a tag twice": (
        {
            "content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020")
            + "tags: [Release Notes, compiler, compiler]\n"
        },
        "content/milestones/alpha-1.yaml:8:8: error: 'tags' must list slugs of lowercase letters, "
        "digits and hyphens, got 'Release Notes'\n  hint: for example 'release-notes'\n"
        "content/milestones/alpha-1.yaml:8:33: error: 'tags' names 'compiler' twice\n"
        "  hint: name each one once\n2 errors; nothing written\n",
    ),
    "a tag label for a tag that is not a slug, and one without a label": (
        {
            "content/site.yaml": "title: T\ndescription: D\ntags:\n  Big Tag: {label: Big}\n"
            "  compiler: {description: x}\n"
        },
        "content/site.yaml:4:3: error: a tag must be a slug of lowercase letters, digits and "
        "hyphens, got 'Big Tag'\n  hint: for example 'big-tag'\n"
        "content/site.yaml:5:13: error: missing required key 'label'\n  hint: add 'label: ...'\n"
        "2 errors; nothing written\n",
    ),
    "tags given as a list in site.yaml": (
        {"content/site.yaml": "title: T\ndescription: D\ntags: [a, b]\n"},
        "content/site.yaml:3:7: error: 'tags' must be a mapping of tags, got a list\n"
        "  hint: write 'release: {label: Releases, description: ...}'\n1 error; nothing written\n",
    ),
    "draft that is not true or false": (
        {"content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020") + "draft: yes\n"},
        "content/milestones/alpha-1.yaml:8:8: error: 'draft' must be true or false, got 'yes'\n"
        "1 error; nothing written\n",
    ),
    "a page without front matter": (
        {"content/pages/about.md": "title: About\n\nText.\n"},
        "content/pages/about.md:1:1: error: a page starts with its front matter\n"
        "  hint: begin the file with a line '---', then 'title: ...', then a line '---'\n"
        "1 error; nothing written\n",
    ),
    "a page whose front matter is not closed": (
        {"content/pages/about.md": "---\ntitle: About\n\nText.\n"},
        "content/pages/about.md:1:1: error: the front matter is not closed\n"
        "  hint: end it with a line '---' before the text of the page\n1 error; nothing written\n",
    ),
    "a page with empty front matter": (
        {"content/pages/about.md": "---\n---\nText.\n"},
        "content/pages/about.md:1:1: error: the front matter is empty\n"
        "  hint: write 'title: ...' between the '---' lines\n1 error; nothing written\n",
    ),
    "an unknown key in a page's front matter, at its own line": (
        {"content/pages/about.md": "---\ntitle: About\ntitel: x\n---\nText.\n"},
        "content/pages/about.md:3:1: error: unknown key 'titel'\n  hint: did you mean 'title'?\n"
        "1 error; nothing written\n",
    ),
    "invalid YAML in a page's front matter, at its own line": (
        {"content/pages/about.md": "---\ntitle: About\n  bad: [\n---\nText.\n"},
        "content/pages/about.md:3:6: error: invalid YAML: mapping values are not allowed in this "
        "context\n  hint: quote a value that contains ': '\n1 error; nothing written\n",
    ),
    "a control character in a page's body, at its line and column": (
        {"content/pages/about.md": "---\ntitle: A\n---\nLine one.\nA \x01 here.\n"},
        "content/pages/about.md:5:3: error: the page contains the control character U+0001\n"
        "  hint: delete it: text may hold tabs and line breaks but no other control characters\n"
        "1 error; nothing written\n",
    ),
    "a page at the timeline's address": (
        {"content/pages/index.md": "---\ntitle: Home\n---\n"},
        "content/pages/index.md: error: its address / is already the timeline's "
        "(templates/timeline.html)\n  hint: rename or move the page\n1 error; nothing written\n",
    ),
    "a page at a track's address, naming both files": (
        {"content/pages/frameworks/alpha.md": "---\ntitle: A\n---\n"},
        "content/pages/frameworks/alpha.md: error: its address /frameworks/alpha/ is already the "
        "page of framework 'alpha' (content/frameworks/alpha.yaml)\n  hint: rename or move the page\n"
        "1 error; nothing written\n",
    ),
    "two pages at one address": (
        {
            "content/pages/guide.md": "---\ntitle: A\n---\n",
            "content/pages/guide/index.md": "---\ntitle: B\n---\n",
        },
        "content/pages/guide/index.md: error: its address /guide/ is also that of "
        "content/pages/guide.md\n  hint: keep one of the two\n1 error; nothing written\n",
    ),
    "a page file name that is no address": (
        {"content/pages/Getting Started.md": "---\ntitle: A\n---\n"},
        "content/pages/Getting Started.md: error: a page's address comes from its path, so "
        "'Getting Started' must be lowercase letters, digits and hyphens\n"
        "  hint: rename it 'getting-started'\n1 error; nothing written\n",
    ),
    "a page under /static/": (
        {"content/pages/static/x.md": "---\ntitle: A\n---\n"},
        "content/pages/static/x.md: error: a page's address may not start with /static/\n"
        "  hint: sitegen keeps that folder for the theme's files, social cards or tags: move the "
        "page\n1 error; nothing written\n",
    ),
    "a YAML page": (
        {"content/pages/about.yaml": "title: About\n"},
        "content/pages/about.yaml: error: a YAML file in content/pages/, where pages are Markdown\n"
        "  hint: write it as content/pages/about.md, its keys as front matter\n"
        "1 error; nothing written\n",
    ),
    "Markdown outside content/pages/": (
        {"content/notes.md": "Some notes.\n"},
        "content/notes.md: error: a Markdown file outside content/pages/, where pages are\n"
        "  hint: move it to content/pages/notes.md\n1 error; nothing written\n",
    ),
    "a page's broken link and anchor, at their line and column": (
        {
            "content/pages/about.md": "---\ntitle: A\n---\n# One\n\nSee [x](/nowhere/) and [y](#two).\n"
        },
        "content/pages/about.md:6:9: error: broken link '/nowhere/'\n"
        "  hint: no page is built at that address\n"
        "content/pages/about.md:6:28: error: broken anchor '#two'\n"
        "  hint: no heading on that page has the anchor 'two'\n2 errors; nothing written\n",
    ),
    "a link to another page's file that is not there": (
        {"content/pages/about.md": "---\ntitle: A\n---\nSee [the guide](guide.md).\n"},
        "content/pages/about.md:4:17: error: broken link 'guide.md'\n"
        "  hint: no page is built at that address\n1 error; nothing written\n",
    ),
    "nav naming a page that is not there": (
        {
            "content/site.yaml": "title: T\ndescription: D\nnav: [abot.md]\n",
            "content/pages/about.md": "---\ntitle: A\n---\n",
        },
        "content/site.yaml:3:7: error: unknown page 'abot.md'\n  hint: did you mean 'about.md'?\n"
        "1 error; nothing written\n",
    ),
    "nav naming a page without its file name": (
        {"content/site.yaml": "title: T\ndescription: D\nnav: [about]\n"},
        "content/site.yaml:3:7: error: 'nav' must list pages by their path in content/pages/, got "
        "'about'\n  hint: for example 'about.md' or 'guide/index.md'\n1 error; nothing written\n",
    ),
    "template syntax error": (
        {
            "templates/milestone.html": "{% extends 'base.html' %}\n{% block main %}\n{{ milestone.title }\n{% endblock %}\n"
        },
        "templates/milestone.html:3: error: template syntax error: unexpected '}'\n1 error; nothing written\n",
    ),
    "undefined variable in a template": (
        {
            "templates/milestone.html": "{% extends 'base.html' %}\n{% block main %}\n{{ milestone.titel }}\n{% endblock %}\n"
        },
        "templates/milestone.html:3: error: template error: 'sitegen.model.Milestone object' has no attribute 'titel'\n"
        "1 error; nothing written\n",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_error_message(
    case: str, site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    files, expected = CASES[case]
    assert build_errors(site_factory, files, capsys) == expected


def test_all_errors_are_reported_at_once_in_order(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    err = build_errors(
        site_factory,
        {
            "content/site.yaml": "title: T\n",
            "content/milestones/alpha-1.yaml": MILESTONE.replace("DATE", "2020-13"),
            "content/frameworks/alpha.yaml": "id: alpha\nname: A\ncolor: red\n",
        },
        capsys,
    )
    locations = [line.split(": error")[0] for line in err.splitlines() if ": error" in line]
    assert locations == [
        "content/frameworks/alpha.yaml:3:8",
        "content/milestones/alpha-1.yaml:2:7",
        "content/site.yaml:1:1",
    ]
    assert err.endswith("3 errors; nothing written\n")


@pytest.mark.parametrize("order", ["0x1F", "1:30", "1_000", "2.5"])
def test_order_must_be_a_plain_whole_number(
    order: str, site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    framework = MINIMAL_SITE["content/frameworks/alpha.yaml"].replace("order: 1", f"order: {order}")
    err = build_errors(site_factory, {"content/frameworks/alpha.yaml": framework}, capsys)
    assert err == (
        f"content/frameworks/alpha.yaml:3:8: error: 'order' must be a whole number, got '{order}'\n"
        "1 error; nothing written\n"
    )
