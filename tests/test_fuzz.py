"""Fuzzing: random fact files through load, validate, plan and render end in a built site
or in diagnostics, never in any other exception.

Sites are near-valid on purpose (a valid site with a few fields replaced by random YAML),
so that many runs get past validation into rendering; some files are random bytes or
YAML-ish punctuation soup. The default profile is short for CI; for a long local run:
`HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py --hypothesis-show-statistics`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sitegen.build import build_site
from sitegen.diagnostics import SiteError, format_report

from .conftest import REPO

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
pytestmark = pytest.mark.timeout(0 if PROFILE == "long" else 300)  # a long run takes minutes

RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # all but the line break

# Any character but lone surrogates (which no UTF-8 file can hold): controls, astral plane.
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
PLAIN_CHAR = st.characters(blacklist_categories=("Cs", "Cc"))
YAMLISH = st.sampled_from([*":-[]{}#&*!|>'\"%@`,? \n\t\\~<=", "𝄞", "\ufeff", "\x85"])

# Valid values: text in any script (astral plane included), Markdown, slugs, dates.
texts = st.text(PLAIN_CHAR, min_size=1, max_size=40).filter(str.strip)
markdown = st.builds(
    "".join,
    st.lists(
        st.one_of(texts, st.sampled_from(["*", "_", "`", "[a](", ")", "<b>", "# ", "\n\n", "- "])),
        max_size=8,
    ),
).map(lambda text: "x" + text)
slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
dates = st.one_of(
    st.dates(),  # written unquoted, so YAML reads it as its own date type
    st.dates().map(str),
    st.dates().map(lambda d: d.isoformat()[:7]),
    st.integers(1000, 9999).map(str),
)

# Anything at all, for the corruptions: control characters, timestamps, impossible dates.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(ANY_CHAR, max_size=40),
    slugs,
    dates,
    st.datetimes(),  # a YAML timestamp
    st.from_regex(r"\d{1,5}-\d{1,3}(-\d{1,3})?", fullmatch=True),
)
anything = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(texts, slugs), inner, max_size=4)
    ),
    max_leaves=12,
)
raw_files = st.one_of(
    st.binary(min_size=1, max_size=200), st.text(YAMLISH, min_size=1, max_size=80).map(str.encode)
)

citations = st.one_of(
    st.fixed_dictionaries({"source": st.just("paper")}, optional={"quote": texts}),
    st.fixed_dictionaries({"url": st.just("https://example.org/x"), "title": texts}),
)
milestones = st.fixed_dictionaries(
    {
        "id": slugs,
        "date": dates,
        "framework": st.just("alpha"),
        "title": texts,
        "summary": markdown,
        "sources": st.lists(citations, min_size=1, max_size=2),
    },
    optional={"tags": st.lists(texts, max_size=2)},
)
valid_sites = st.fixed_dictionaries(
    {
        "site.yaml": st.fixed_dictionaries(
            {"title": texts, "description": texts},
            optional={
                "intro": st.fixed_dictionaries(
                    {"text": markdown, "sources": citations.map(lambda c: [c])}
                )
            },
        ),
        "frameworks/alpha.yaml": st.fixed_dictionaries(
            {"id": st.just("alpha"), "name": texts, "color": st.just("#9a3412")},
            optional={
                "order": st.integers(-5, 5),
                "facts": st.lists(
                    st.fixed_dictionaries(
                        {"text": markdown, "sources": st.lists(citations, min_size=1, max_size=1)}
                    ),
                    max_size=2,
                ),
            },
        ),
        "sources/paper.yaml": st.fixed_dictionaries(
            {"id": st.just("paper"), "title": texts},
            optional={"published": dates, "url": st.just("https://example.org/p")},
        ),
        "milestones": st.lists(milestones, max_size=4),
    }
)


@st.composite
def sites(draw: st.DrawFn) -> dict[str, Any]:
    """A valid site (flattened to path: data) with up to three corruptions: a value replaced
    by anything, a key removed or added, or a whole file replaced by random bytes."""
    valid = draw(valid_sites)
    files = {name: data for name, data in valid.items() if name != "milestones"}
    files |= {f"milestones/m{i}.yaml": m for i, m in enumerate(valid["milestones"])}
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(sorted(files)))
        mapping = files[name]
        action = draw(st.sampled_from(["replace", "remove", "add", "raw"]))
        if action == "raw" or not isinstance(mapping, dict):
            files[name] = draw(raw_files)
        elif action == "remove" and mapping:
            del mapping[draw(st.sampled_from(sorted(mapping)))]
        else:
            if action == "replace" and mapping:
                key = draw(st.sampled_from(sorted(mapping)))
            else:  # a new key, perhaps with control characters: it is echoed in the message
                key = draw(st.one_of(st.just("extra"), st.text(ANY_CHAR, min_size=1, max_size=8)))
            mapping[key] = draw(anything)
    return files


class Dumper(yaml.SafeDumper):
    """Writes a value shared by two keys out twice, as a person would, not as an alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_site_files(content: Path, files: dict[str, Any], flow: bool, raw: bool) -> None:
    shutil.rmtree(content, ignore_errors=True)
    for name, data in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not isinstance(data, bytes):
            text = yaml.dump(
                data, Dumper=Dumper, allow_unicode=raw, default_flow_style=flow, sort_keys=False
            )
            data = text.encode()
        path.write_bytes(data)


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(REPO / "templates", site / "templates")
    return site


@given(files=sites(), flow=st.booleans(), raw=st.booleans())
def test_random_fact_files_build_or_fail_with_diagnostics(
    files: dict[str, Any], flow: bool, raw: bool, fuzz_site: Path
) -> None:
    write_site_files(fuzz_site / "content", files, flow, raw)
    try:
        result = build_site(fuzz_site, None)
    except SiteError as error:
        event("diagnostics")
        assert error.diagnostics
        for d in error.diagnostics:
            assert d.path.startswith("content/") and d.message, d
        report = format_report(error.diagnostics, "nothing written")
        assert not RAW_CONTROL.search(report), report  # nothing raw reaches the terminal
        return
    event("built")
    pages = {page.output: page.data for page in result.pages}
    ET.fromstring(pages["feed.xml"])  # well-formed XML, whatever the text held
    ET.fromstring(pages["sitemap.xml"])
    json.loads(pages["timeline.json"])
    for name, data in pages.items():
        if name.endswith(".html"):
            data.decode("utf-8")
