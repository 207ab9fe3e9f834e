"""The site's language: the tag checked, dates at their precision in it (CLDR, through
Babel), the theme's texts from its catalogue, `strings:` over them, English as the
fallback; French and Chinese fixture sites built and read with a parser."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from sitegen.build import build_site
from sitegen.cli import main
from sitegen.i18n import check_language, format_date
from sitegen.model import PartialDate

from .conftest import REPO, SiteFactory, html

MILESTONES = {
    "content/milestones/alpha-1.yaml": """\
        id: alpha-1
        date: 2016
        framework: alpha
        title: Alpha 1
        summary: The first one.
        sources: [{source: paper}]
        """,
    "content/milestones/alpha-2.yaml": """\
        id: alpha-2
        date: 2022-09
        framework: alpha
        title: Alpha 2
        summary: The second one.
        sources: [{source: paper}]
        """,
    "content/milestones/alpha-3.yaml": """\
        id: alpha-3
        date: 2022-09-12
        framework: alpha
        title: Alpha 3
        summary: The third one.
        sources: [{source: paper}]
        """,
}


def site_in(site_factory: SiteFactory, language: str, extra: str = "") -> Path:
    site_yaml = f"title: T\ndescription: D.\nlanguage: {language}\n{extra}"
    site = site_factory({**MILESTONES, "content/site.yaml": site_yaml})
    build_site(site, site / "output")
    return site / "output"


def dates(page: Path) -> list[str]:
    return [t.text() for t in html(page).css("main time")]


def words(node) -> str:
    return " ".join(node.text(separator=" ").split())


def json_ld(page: Path) -> list[dict]:
    scripts = html(page).css('script[type="application/ld+json"]')
    return [json.loads(s.text()) for s in scripts]


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [
        ("en", "en"),
        ("FR", "fr"),
        ("fr-ca", "fr-CA"),
        ("zh-hans-cn", "zh-Hans-CN"),
        ("es-419", "es-419"),
    ],
)
def test_a_bcp47_tag_is_accepted_in_its_canonical_case(tag: str, canonical: str) -> None:
    assert check_language(tag) == (canonical, "", "")


@pytest.mark.parametrize(
    ("tag", "hint"),
    [
        ("english", "did you mean 'en' (English)?"),
        ("French", "did you mean 'fr' (French)?"),
        ("en_US", "did you mean 'en-US'? BCP 47 joins its parts with '-'"),
        ("en-", "for example 'en', 'fr', 'zh' or 'pt-BR'"),
        ("qq", "for example 'en', 'fr', 'zh' or 'pt-BR'"),
    ],
)
def test_a_language_that_is_not_a_bcp47_tag_is_refused_with_a_hint(tag: str, hint: str) -> None:
    assert check_language(tag)[1:] == (
        f"'language' must be a BCP 47 language tag, got '{tag}'",
        hint,
    )


def test_an_unknown_region_is_refused() -> None:
    assert check_language("fr-XX")[1:] == (
        "'language' names no known region: 'XX'",
        "for example 'FR', 'CA' or '419'",
    )


@pytest.mark.parametrize(
    ("language", "day", "month", "year"),
    [
        ("en", "12 September 2022", "September 2022", "2016"),  # the default site's, unchanged
        ("en-US", "September 12, 2022", "September 2022", "2016"),
        ("fr", "12 septembre 2022", "septembre 2022", "2016"),
        ("zh", "2022年9月12日", "2022年9月", "2016年"),
        ("de", "12. September 2022", "September 2022", "2016"),
    ],
)
def test_dates_are_written_at_their_precision_in_the_language(
    language: str, day: str, month: str, year: str
) -> None:
    written = [format_date(PartialDate(*d), language) for d in ((2022, 9, 12), (2022, 9), (2016,))]
    assert written == [day, month, year]


def test_a_french_site_writes_its_dates_and_texts_in_french(site_factory: SiteFactory) -> None:
    out = site_in(site_factory, "fr")
    home = html(out / "index.html")
    assert home.css_first("html").attributes["lang"] == "fr"
    assert home.css_first(".skip-link").text() == "Aller au contenu"
    assert home.css_first("#filter-status").text() == (
        "3 jalons, de 2016 à 2022, du plus ancien au plus récent."
    )
    assert home.css_first(".lane-count").text() == "3 jalons, 2016–2022"
    assert [c.text() for c in home.css(".card .when")] == [
        "En 2016",
        "septembre 2022",
        "12 septembre 2022",
    ]
    texts = json.loads(home.css_first("#timeline-texts").text())
    assert texts["show_all"] == "Tout afficher"
    assert json_ld(out / "index.html")[0]["inLanguage"] == "fr"

    page = out / "milestones" / "alpha-2" / "index.html"
    milestone = html(page)
    assert words(milestone.css_first(".neighbours")) == (
        "← Précédent pour Alpha Alpha 1 Suivant pour Alpha → Alpha 3"
    )
    assert milestone.css_first("#sources-h").text() == "Sources"
    assert dates(page)[0] == "septembre 2022"
    assert json_ld(page)[0]["inLanguage"] == "fr"
    assert html(out / "sources" / "paper" / "index.html").css_first("dd time").text() == "mai 2020"

    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.attrib["{http://www.w3.org/XML/1998/namespace}lang"] == "fr"
    content = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}content")]
    assert content[1].startswith(
        "<p>Date\u00a0: septembre 2022 (connue au mois près seulement).</p>"
    )


def test_a_chinese_site_writes_its_dates_and_texts_in_chinese(site_factory: SiteFactory) -> None:
    out = site_in(site_factory, "zh-Hans")
    home = html(out / "index.html")
    assert home.css_first("html").attributes["lang"] == "zh-Hans"
    assert (
        home.css_first("#filter-status").text()
        == "共 3 个里程碑，2016 年至 2022 年，按时间先后排列。"
    )
    assert [c.text() for c in home.css(".card .when")] == ["2016年", "2022年9月", "2022年9月12日"]
    assert home.css_first("#filters-label").text() == "轨道"
    milestone = html(out / "milestones" / "alpha-1" / "index.html")
    assert words(milestone.css_first(".neighbours")) == ("Alpha 的下一个 → Alpha 2")
    assert milestone.css_first(".skip-link").text() == "跳到正文"
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert 'xml:lang="zh-Hans"' in feed
    assert "日期：2016年（仅知道年份）。" in feed


def test_a_language_without_a_catalogue_falls_back_to_english_with_one_warning(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_factory(
        {
            **MILESTONES,
            "content/site.yaml": "title: T\ndescription: D.\nlanguage: de\nsite_url: https://example.org\n",
        }
    )
    assert main(["build", "--site", str(site)]) == 0
    keys = sorted(yaml.safe_load((REPO / "templates" / "i18n" / "en.yaml").read_text()))
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == [
        f"content/site.yaml: warning: not everything is in German (de): {len(keys)} of the "
        f"theme's texts are shown in English: {', '.join(keys)}"
    ]
    home = html(site / "output" / "index.html")
    assert home.css_first("html").attributes["lang"] == "de"
    assert home.css_first(".skip-link").text() == "Skip to content"  # English texts
    assert home.css_first(".card:last-child .when").text() == "12. September 2022"  # German dates


def test_strings_in_site_yaml_override_the_theme_and_the_track_word_follows(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    strings = (
        "strings:\n"
        "  track: framework\n"
        "  tracks: frameworks\n"
        "  previous_in: 'Earlier in {name}'\n"
        "  lane_count: {one: 'one entry', other: '{count} entries'}\n"
    )
    out = site_in(site_factory, "en", strings)
    home = html(out / "index.html")
    assert home.css_first("#filters-label").text() == "Frameworks"
    assert home.css_first(".lane-count").text() == "3 entries, 2016–2022"
    milestone = html(out / "milestones" / "alpha-2" / "index.html")
    assert "Earlier in Alpha" in milestone.css_first(".neighbours").text()
    texts = json.loads(home.css_first("#timeline-texts").text())
    assert texts["filter_none"] == "No framework selected: choose one above to see its milestones."


def test_a_partial_catalogue_names_only_what_it_lacks(
    site_factory: SiteFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    site = site_factory(
        {
            **MILESTONES,
            "content/site.yaml": "title: T\ndescription: D.\nlanguage: nl\nsite_url: https://example.org\nstrings:\n  atom_feed: Atom-feed\n",
        }
    )
    keys = yaml.safe_load((REPO / "templates" / "i18n" / "en.yaml").read_text())
    dutch = "\n".join(
        f"{key}: 'nl {key}'" for key in keys if key not in ("draft", "today", "atom_feed")
    )
    (site / "templates" / "i18n" / "nl.yaml").write_text(dutch + "\n")
    assert main(["build", "--site", str(site)]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: not everything is in Dutch (nl): 2 of the theme's texts are shown in English: draft, today\n"
        in err
    )
    assert "hint: translate them under 'strings:' here, or add templates/i18n/nl.yaml" in err


def test_the_default_site_reads_as_before_in_english(default_site: Path) -> None:
    page = html(default_site / "milestones" / "pytorch-foundation-announced" / "index.html")
    assert page.css_first("main time").text() == "12 September 2022"
    home = html(default_site / "index.html")
    whens = [w.text() for w in home.css(".card .when")]
    assert "November 2016" in whens and "In 2016" in whens
