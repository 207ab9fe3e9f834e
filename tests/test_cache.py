"""The build cache between runs: a warm `sitegen build` in a new process always writes what a
clean build writes, leaves unchanged files alone, and ignores a cache it cannot trust."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import scan
from sitegen.build import Options, SiteBuilder
from sitegen.cache import CACHE_DIR, FORMAT, cache_file, load_state
from sitegen.diagnostics import SiteError

from .conftest import REPO, SiteFactory, sitegen, tree_bytes
from .test_incremental import LONG, apply, edits, fresh_site, milestone_text


def build(site: Path, *args: str) -> tuple[int, str, Path]:
    out = site.parent / ("clean" if "--no-cache" in args else "output")
    done = sitegen("build", "--site", site, "--out", out, *args)
    return done.returncode, done.stderr, out


@settings(max_examples=40 if LONG else 3, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(edits, min_size=1, max_size=4))
def test_warm_builds_in_new_processes_equal_clean_builds(sequence: list[tuple]) -> None:
    with fresh_site() as site:
        build(site)
        undo: list[tuple[Path, bytes | None]] = []
        for edit in sequence:
            apply(site, edit, undo)
            code, errors, out = build(site)
            clean_code, clean_errors, clean = build(site, "--no-cache")
            assert (code, errors) == (clean_code, clean_errors), edit
            if code == 0:
                assert tree_bytes(out) == tree_bytes(clean), edit


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def test_unchanged_output_files_are_not_rewritten(site_factory: SiteFactory) -> None:
    extra = milestone_text("alpha-2", "2019", "alpha", "Zero", "Before the first.")
    site = site_factory({"content/milestones/alpha-2.yaml": extra})
    out = site / "output"
    assert sitegen("build", "--site", site).returncode == 0
    before = inodes(out)
    folder = out.stat().st_ino
    assert sitegen("build", "--site", site).returncode == 0
    assert out.stat().st_ino == folder, "nothing changed: the output folder is left as it is"
    path = site / "content" / "milestones" / "alpha-2.yaml"
    path.write_text(path.read_text().replace("Before the first.", "Before *the* first."))
    assert sitegen("build", "--site", site).returncode == 0
    after = inodes(out)
    assert after.keys() == before.keys()
    rewritten = {name for name in after if after[name] != before[name]}
    # alpha-1's page links to alpha-2 by title: rendered again, but to the same bytes
    assert rewritten == {
        "milestones/alpha-2/index.html",
        "index.html",
        "feed.xml",
        "timeline.json",
        "frameworks/alpha/index.html",
        "sources/paper/index.html",
    }
    folder = out.stat().st_ino
    assert sitegen("build", "--site", site).returncode == 0
    assert out.stat().st_ino == folder, "after a build that linked files, still nothing to do"
    assert inodes(out) == after


def test_a_hand_edited_output_file_is_restored(site_factory: SiteFactory) -> None:
    """A file sitegen wrote is sitegen's to write again; a file it did not write stays until
    --force (see tests/test_robustness.py)."""
    site = site_factory()
    assert sitegen("build", "--site", site).returncode == 0
    page = site / "output" / "milestones" / "alpha-1" / "index.html"
    good = page.read_bytes()
    page.write_bytes(b"edited by hand")
    assert sitegen("build", "--site", site).returncode == 0
    assert page.read_bytes() == good
    page.write_bytes(b"edited by hand")
    (site / "output" / "stray.html").write_text("not ours")
    assert sitegen("build", "--site", site).returncode == 1
    assert page.read_bytes() == b"edited by hand"
    assert sitegen("build", "--site", site, "--force").returncode == 0
    assert page.read_bytes() == good
    assert not (site / "output" / "stray.html").exists()


def test_a_cache_from_elsewhere_is_ignored(site_factory: SiteFactory) -> None:
    site = site_factory()
    assert sitegen("build", "--site", site).returncode == 0
    clean = tree_bytes(site / "output")
    for cache in (site / CACHE_DIR).iterdir():
        cache.write_bytes(b"\0" * 32 + b"cos\nsystem\n(S'echo owned'\ntR.")  # unsigned pickle
    shutil.rmtree(site / "output")
    done = sitegen("build", "--site", site)
    assert done.returncode == 0, done.stderr
    assert "owned" not in done.stdout + done.stderr
    assert tree_bytes(site / "output") == clean


def test_no_cache_leaves_no_cache_folder(site_factory: SiteFactory) -> None:
    site = site_factory()
    done = sitegen("build", "--site", site, "--no-cache")
    assert done.returncode == 0, done.stderr
    assert not (site / CACHE_DIR).exists()


def test_an_unwritable_cache_folder_only_costs_speed(site_factory: SiteFactory) -> None:
    site = site_factory()
    (site / CACHE_DIR).write_text("a file where the cache folder would go")
    done = sitegen("build", "--site", site)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (site / "output" / "index.html").is_file()


def test_the_cache_key_lives_outside_the_site(
    site_factory: SiteFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_factory()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    SiteBuilder(site, Options(jobs=1)).build()
    key = tmp_path / "home-cache" / "sitegen" / "cache-key"
    assert key.stat().st_mode & 0o077 == 0, "only its owner may read the key"
    assert not list(site.rglob("cache-key"))


def test_a_new_runs_options_apply_even_after_its_first_build_failed(
    site_factory: SiteFactory,
) -> None:
    site = site_factory()
    SiteBuilder(site, Options(jobs=1)).build()  # leaves its state in the cache
    base = site / "templates" / "base.html"
    good = base.read_text()
    base.write_text(good + "{% if %}")
    builder = SiteBuilder(site, Options(base_url="/other/", jobs=1))
    with pytest.raises(SiteError):
        builder.build()
    base.write_text(good)
    warm = builder.build(changed={"templates/base.html"})
    clean = SiteBuilder(site, Options(base_url="/other/", jobs=1, cache=False)).build()
    assert warm.files == clean.files


def test_the_next_run_loads_the_cache_and_renders_nothing_again(tmp_path: Path) -> None:
    """Every kind of value the cache keeps (the repository's own site has a foundation,
    pages, eras, tags and sources) comes back from it: a new builder renders no page."""
    site = tmp_path / "site"
    for part in ("content", "templates"):
        shutil.copytree(REPO / part, site / part)
    out = tmp_path / "output"
    assert SiteBuilder(site).build(out).rendered > 0
    again = SiteBuilder(site).build(out)
    assert (again.rendered, again.why) == (0, {})


def test_a_run_that_finds_nothing_changed_loads_only_what_it_needs(tmp_path: Path) -> None:
    """A run that finds every input and every output as the last build left them says
    what that build said (its warnings, its content) without loading the last build's
    content, record and layout; once an output is missing, it loads them to render it."""
    site = tmp_path / "site"
    for part in ("content", "templates"):
        shutil.copytree(REPO / part, site / part)
    (site / "templates" / "orphan.html").write_text("<p>no page loads this</p>\n")
    out = tmp_path / "output"
    first = SiteBuilder(site).build(out)
    assert [w.message for w in first.warnings] == [
        "no site_url, so sitemap.xml and feed.xml use relative URLs, robots.txt has no "
        "Sitemap line and pages have no canonical link",
        "no page is rendered with this template, and no template uses it",
    ]
    builder = SiteBuilder(site)
    again = builder.build(out)
    assert builder.last is not None and not builder.last.body.loaded
    assert (again.rendered, again.warnings, again.why) == (0, first.warnings, {})
    assert set(again.outputs) == set(first.outputs)
    assert again.content == first.content
    (out / "index.html").unlink()
    builder = SiteBuilder(site)
    assert builder.build(out).why == {
        "index.html": "the output folder does not hold it as the last build left it"
    }
    assert builder.last is not None and builder.last.body.loaded


def test_files_read_again_for_a_recent_stat_are_noted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fact file changed within a second before a build read it is read again by the
    next run (its stat cannot vouch for it); a run that then finds its bytes unchanged
    notes it, so that the runs after it need not read it again."""
    site = tmp_path / "site"
    for part in ("content", "templates"):
        shutil.copytree(REPO / part, site / part)
    for file in (site / "content").rglob("*.yaml"):
        os.utime(file)  # changed just before the build reads them: their stat cannot vouch
    out, one = tmp_path / "output", Options(jobs=1)  # read in this process, to be counted
    SiteBuilder(site, one).build(out)
    time.sleep(1.1)
    real, read = scan.read_fact, []

    def counted(*args: Any) -> Any:
        read.append(args[0])
        return real(*args)

    monkeypatch.setattr(scan, "read_fact", counted)
    SiteBuilder(site, one).build(out)
    assert len(read) > 0
    read.clear()
    again = SiteBuilder(site, one).build(out)
    assert (read, again.rendered) == ([], 0)


def test_a_body_another_run_saved_is_never_taken_for_the_states(
    site_factory: SiteFactory,
) -> None:
    """The state's content, record and layout are a file of their own, saved before the
    rest: a run that stops between the two, or another run saving in between, leaves a
    body that is not the one the state names; the next build then starts afresh."""
    extra = milestone_text("alpha-2", "2019", "alpha", "Zero", "Before the first.")
    site = site_factory({"content/milestones/alpha-2.yaml": extra})
    assert build(site)[0] == 0
    body = cache_file(site, "body")
    first_body = body.read_bytes()
    renamed = site / "content" / "milestones" / "alpha-2.yaml"
    renamed.write_text(extra.replace("title: Zero", "title: Renamed"))
    assert build(site)[0] == 0
    body.write_bytes(first_body)  # signed with this user's key, but for the first state
    other = site / "content" / "milestones" / "alpha-1.yaml"
    other.write_text(other.read_text() + "# read again, so the last content is needed\n")
    code, errors, out = build(site)
    clean_code, clean_errors, clean = build(site, "--no-cache")
    assert (code, errors) == (clean_code, clean_errors) == (0, clean_errors)
    assert tree_bytes(out) == tree_bytes(clean)
    assert "Renamed" in (out / "milestones" / "alpha-2" / "index.html").read_text()


def test_a_run_forgets_what_another_cache_format_left(site_factory: SiteFactory) -> None:
    site = site_factory()
    cache = site / CACHE_DIR
    cache.mkdir()
    for name in ("build-1.pickle", "markdown-1.pickle", "notes-1.pickle", "notes.txt"):
        (cache / name).write_bytes(b"left by another sitegen")
    assert build(site)[0] == 0
    ours = [f"{name}-{FORMAT}.pickle" for name in ("body", "build", "markdown")]
    assert sorted(p.name for p in cache.iterdir()) == [*ours, "notes-1.pickle", "notes.txt"]


def test_a_loaded_state_shares_its_documents_values_with_its_content(tmp_path: Path) -> None:
    """The checked documents are kept pickled apart, loaded only when a fact file changed;
    loaded, each value is the content's own object, as it was before saving (a milestone
    rewritten in place is found in the content by identity)."""
    site = tmp_path / "site"
    for part in ("content", "templates"):
        shutil.copytree(REPO / part, site / part)
    SiteBuilder(site).build(tmp_path / "output")
    state = load_state(site)
    assert state is not None
    docs, content = state.facts.docs, state.content
    values = {id(v) for v in (*content.milestones, *content.sources, *content.pages)}
    kept = [d for d in docs.values() if d.kind in ("milestones", "sources", "pages")]
    assert len(kept) == len(values) > 0
    assert all(id(d.value) in values for d in kept)
