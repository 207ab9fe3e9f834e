"""The site's language: the tag checked, dates at their precision in it (CLDR, through
Babel), the theme's texts from its catalogue, `strings:` over them, English as the
fallback; French and Chinese fixture sites built and read with a parser."""

from __future__ import annotations

import json
import re
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
    latest = home.css(".card")[-1]  # the last card of the timeline
    assert latest.css_first(".when").text() == "12. September 2022"  # German dates


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


# A site split into pages of years: two milestones a page (templates/theme.yaml), so that
# 2022's four are in two parts, and the three tagged "compiler" too.

SPLIT = {
    **MILESTONES,
    "templates/theme.yaml": "timeline_page_size: 2\n",
    **{
        f"content/milestones/alpha-{n}.yaml": MILESTONES["content/milestones/alpha-3.yaml"]
        .replace("alpha-3", f"alpha-{n}")
        .replace("2022-09-12", f"2022-{n + 6:02d}-12")
        .replace("sources:", "tags: [compiler]\n        sources:")
        for n in (3, 4, 5)
    },
}
CATALOGUE = REPO / "templates" / "i18n"


def split_site_in(site_factory: SiteFactory, language: str) -> Path:
    site = site_factory(
        {**SPLIT, "content/site.yaml": f"title: T\ndescription: D.\nlanguage: {language}\n"}
    )
    build_site(site, site / "output")
    return site / "output"


def test_a_french_site_split_by_years_shows_its_pager_and_index_in_french(
    site_factory: SiteFactory,
) -> None:
    out = split_site_in(site_factory, "fr")
    home = html(out / "index.html")
    assert home.css_first(".pager").attributes["aria-label"] == "Plus anciens et plus récents"
    assert words(home.css_first(".pager")) == "← Plus anciens 2022, partie 1 sur 2"
    assert home.css_first("#years-label").text() == "Années"
    assert home.css_first("#year-index-h").text() == "Toutes les années"
    assert [words(li) for li in home.css(".year-index li")] == [
        "2016 1 jalon",
        "2022 2022, partie 1 2022, partie 2 4 jalons",
    ]
    assert home.css_first("#filter-status").text() == (
        "2 jalons, de 2022 à 2022 : les plus récents, du plus ancien au plus récent."
    )

    part = html(out / "years" / "2022" / "page" / "2" / "index.html")
    assert part.css_first("h1").text() == "2022, partie 2 sur 2"
    assert part.css_first("title").text() == "2022, partie 2 sur 2 · T"
    description = part.css_first('meta[name="description"]').attributes["content"]
    assert description == "Les jalons de 2022, partie 2 sur 2, sur chaque piste\u00a0: 2 en tout."
    assert words(part.css_first(".trail")) == "Frise 2022, partie 2 sur 2"
    assert part.css_first(".trail").attributes["aria-label"] == "Fil d'Ariane"
    assert words(part.css_first(".pager")) == (
        "← Plus anciens 2022, partie 1 sur 2 Plus récents → Dernières années"
    )

    track = html(out / "frameworks" / "alpha" / "2016" / "index.html")
    assert track.css_first("h1").text() == "Alpha, 2016"
    description = track.css_first('meta[name="description"]').attributes["content"]
    assert description == "Alpha, 2016\u00a0: 1 jalon."
    assert words(track.css_first(".pager")) == "Plus récents → 2022, partie 1 sur 2"

    tag = html(out / "tags" / "compiler" / "2022" / "page" / "2" / "index.html")
    assert tag.css_first("title").text() == (
        "Étiquette «\u00a0compiler\u00a0», 2022, partie 2 sur 2 · T"
    )
    assert words(tag.css_first(".pager")) == (
        "← Plus anciens 2022, partie 1 sur 2 Plus récents → Dernières années"
    )


def test_a_french_site_searches_in_french(site_factory: SiteFactory) -> None:
    out = split_site_in(site_factory, "fr")
    form = html(out / "index.html").css_first("form[role=search]")
    assert form.css_first("label[for=search-input]").text() == "Rechercher sur le site"
    assert form.css_first("#search-input").attributes["placeholder"] == "Rechercher"
    assert form.css_first("#search-tracks-label").text() == "Pistes"
    assert form.css_first(".search-results").attributes["aria-label"] == (
        "Résultats de la recherche"
    )
    assert form.css_first(".search-more").text() == "Plus de résultats"
    texts = json.loads(form.css_first("#search-texts").text())
    assert dict(texts["search_found"]) == {
        "one": "{count} résultat pour «\u00a0{query}\u00a0»",
        "other": "{count} résultats pour «\u00a0{query}\u00a0»",
    }
    assert texts["search_no_track"] == (
        "Aucune piste choisie\u00a0: choisissez-en une ci-dessus pour y chercher."
    )
    assert texts["search_kind_track"] == "Piste"


def test_a_chinese_site_split_by_years_writes_its_years_and_parts_in_chinese(
    site_factory: SiteFactory,
) -> None:
    out = split_site_in(site_factory, "zh")
    part = html(out / "years" / "2022" / "page" / "2" / "index.html")
    assert part.css_first("h1").text() == "2022年（第 2 部分，共 2 部分）"
    assert words(part.css_first(".pager")) == ("← 更早 2022年（第 1 部分，共 2 部分） 更近 → 最新")
    assert [words(li) for li in part.css(".year-index li")] == [
        "2016",
        "2022 2022年第 1 部分 2022年第 2 部分",
    ]
    first = html(out / "index.html")  # the year index counts on the first page only
    assert [words(li) for li in first.css(".year-index li")] == [
        "2016 1 个里程碑",
        "2022 2022年第 1 部分 2022年第 2 部分 4 个里程碑",
    ]
    # Each part shows its number; a screen reader reads it with the rest of the text.
    parts = part.css(".year-index-parts a")
    assert [a.text(deep=False) for a in parts] == ["1", "2"]
    assert [a.text() for a in parts] == ["2022年第 1 部分", "2022年第 2 部分"]
    track = html(out / "frameworks" / "alpha" / "2016" / "index.html")
    assert track.css_first("h1").text() == "Alpha，2016年"
    assert track.css_first("#search-input").attributes["placeholder"] == "搜索"


def forms(message: str | dict[str, str]) -> list[str]:
    return [message] if isinstance(message, str) else list(message.values())


def english_words(key: str) -> set[str]:
    """The words of a text of the English catalogue that its French one does not share
    (parameters left out): none of them should be read on a French page."""
    english, french = (
        yaml.safe_load((CATALOGUE / f"{lang}.yaml").read_text()) for lang in ("en", "fr")
    )
    shared = " ".join(forms(french[key]))
    found = set()
    for text in forms(english[key]):
        for piece in re.split(r"\{\w+\}", text):
            piece = piece.strip(" .,:–“”'")
            if len(piece) >= 4 and piece not in shared:
                found.add(piece)
    return found


def read_on(page: Path) -> str:
    """What a reader of the page reads: its text, its scripts' texts, the labels and
    descriptions in its attributes."""
    tree = html(page)
    said = [tree.css_first("title").text()]
    for node in tree.css("[aria-label], [placeholder], [alt], meta[content]"):
        said += [
            node.attributes.get(a) or "" for a in ("aria-label", "placeholder", "alt", "content")
        ]
    for script in tree.css('script[type="application/json"]'):  # texts by key, for scripts
        said += [
            text
            for m in json.loads(script.text()).values()
            for text in forms(dict(m) if isinstance(m, list) else m)
        ]
    tree.strip_tags(["script", "style"])
    return "\n".join([*said, tree.body.text(separator="\n")])


def test_no_text_of_a_split_french_site_or_its_search_is_in_english(
    site_factory: SiteFactory,
) -> None:
    out = split_site_in(site_factory, "fr")
    keys = [
        k
        for k in yaml.safe_load((CATALOGUE / "en.yaml").read_text())
        if k not in ("track", "tracks")
    ]
    pages = [
        "index.html",
        "years/2022/page/2/index.html",
        "frameworks/alpha/2016/index.html",
        "tags/compiler/2022/page/2/index.html",
    ]
    for page in pages:
        said = read_on(out / page)
        for key in keys:
            for english in english_words(key):
                assert english not in said, (page, key, english)
