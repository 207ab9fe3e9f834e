"""Crashes mid-build and builds that race: output/ is always one complete site.

A large synthetic site is built by the real command, killed with SIGKILL at random moments
(some while the pages are being written), and output/ must then hold exactly the old site
or exactly the new one; the next build succeeds and leaves no staging folder behind.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .conftest import MINIMAL_SITE, REPO, SiteFactory, sitegen, tree_bytes

MILESTONES = 1000
KILLS = 8
pytestmark = pytest.mark.timeout(900)  # real builds of a large site, on a machine that may be busy


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal site plus MILESTONES milestones, one file each."""
    site = tmp_path_factory.mktemp("crash") / "site"
    # Without social cards: this test needs many builds of a big site, and the cards
    # (tested in tests/test_cards.py) would be most of each build's time.
    shutil.copytree(REPO / "templates", site / "templates")
    (site / "templates/theme.yaml").write_text("social_cards: false\n")
    for name, text in MINIMAL_SITE.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(textwrap.dedent(text))
    for i in range(MILESTONES):
        day = f"{2000 + i % 20}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        (site / f"content/milestones/m{i:04d}.yaml").write_text(
            textwrap.dedent(f"""\
                id: m{i:04d}
                date: {day}
                framework: alpha
                title: Milestone {i}
                summary: Milestone {i} did *something* worth a page of its own.
                sources:
                  - source: paper
                    quote: words {i}
                """)
        )
    return site


def set_title(site: Path, title: str) -> None:
    config = textwrap.dedent(MINIMAL_SITE["content/site.yaml"]).replace("Test timeline", title)
    (site / "content/site.yaml").write_text(config)


BUILD = [sys.executable, "-m", "sitegen", "build", "--site"]


def start_build(site: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*BUILD, str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def staging(site: Path, pid: int | str = "") -> list[Path]:
    """Staging folders beside output/: all of them, or those of one build process."""
    return sorted(site.glob(f".output.tmp-{pid}*"))


def kill_while_writing(build: subprocess.Popen[bytes], site: Path, rng: random.Random) -> None:
    """Wait for the staging folder to appear, then kill a random moment later."""
    while not staging(site, f"{build.pid}-") and build.poll() is None:
        time.sleep(0.001)
    time.sleep(rng.uniform(0, 0.3))
    build.send_signal(signal.SIGKILL)


def test_sigkill_at_random_moments_leaves_old_or_new_site(big_site: Path) -> None:
    site = big_site
    sites: dict[str, dict[str, bytes]] = {}
    for title in ("Old timeline", "New timeline"):
        set_title(site, title)
        start = time.monotonic()
        result = sitegen("build", "--site", site)
        duration = time.monotonic() - start
        assert result.returncode == 0, result.stderr
        sites[title] = tree_bytes(site / "output")
    assert sites["Old timeline"] != sites["New timeline"]

    rng = random.Random()
    current = "New timeline"
    landed = {"before writing": 0, "while writing": 0, "after the swap": 0}  # for `pytest -s`
    for run in range(KILLS):
        target = "Old timeline" if current == "New timeline" else "New timeline"
        set_title(site, target)
        build = start_build(site)
        if run % 2:
            kill_while_writing(build, site, rng)
        else:
            time.sleep(rng.uniform(0, duration * 1.2))  # a few builds get to finish
            build.send_signal(signal.SIGKILL)
        build.wait()
        was_writing = bool(staging(site, f"{build.pid}-"))
        output = tree_bytes(site / "output")
        assert output in (sites[current], sites[target]), f"run {run}: a mixed or partial site"
        if output == sites[target]:
            current = target
            landed["after the swap"] += 1
        else:
            landed["while writing" if was_writing else "before writing"] += 1

    result = sitegen("build", "--site", site)
    assert result.returncode == 0, result.stderr
    assert tree_bytes(site / "output") == sites[target]
    assert staging(site) == []
    print(f"{KILLS} SIGKILLs: {landed}")


def reference_sites(site: Path, folder: Path) -> dict[str, dict[str, bytes]]:
    """The site as built for each base URL, into folders of their own (without the cache,
    which the races below share)."""
    sites = {}
    for base in BASES:
        out = folder / base.strip("/")
        result = sitegen("build", "--site", site, "--base-url", base, "--out", out, "--no-cache")
        assert result.returncode == 0, result.stderr
        sites[base] = tree_bytes(out)
    return sites


BASES = ("/a/", "/b/")
ROUNDS = 4


def start_build_for(site: Path, base: str) -> subprocess.Popen[bytes]:
    command = [*BUILD, str(site), "--base-url", base]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_two_builds_at_once_never_mix(big_site: Path, tmp_path: Path) -> None:
    """Two builds of one site with different base URLs, started together, with the cache
    they share: the lock on the output folder makes one wait, so output/ is one build's
    site, whole."""
    site = big_site
    set_title(site, "Raced timeline")
    sites = reference_sites(site, tmp_path)
    for _ in range(ROUNDS):
        builds = [start_build_for(site, base) for base in BASES]
        assert [build.wait() for build in builds] == [0, 0]
        assert tree_bytes(site / "output") in (sites["/a/"], sites["/b/"])
        assert staging(site) == []


def test_a_build_that_waits_for_another_trusts_nothing_it_saw_before(
    big_site: Path, tmp_path: Path
) -> None:
    """A warm build after one edit re-renders a few pages and links the rest from the last
    output. Here another build (another base URL) replaces output/ while the warm one plans:
    the files it would link are no longer the ones it looked at. It must look at them only
    once it holds the output folder, or its site gets the other build's pages."""
    site = big_site
    first = site / "content/milestones/m0000.yaml"
    takes = [first.read_text().replace("Milestone 0", f"Milestone 0, take {n}") for n in (0, 1)]
    expected = []
    for n, take in enumerate(takes):
        first.write_text(take)
        out = tmp_path / f"take-{n}"
        built = sitegen("build", "--site", site, "--base-url", "/a/", "--out", out, "--no-cache")
        assert built.returncode == 0, built.stderr
        expected.append(tree_bytes(out))
    assert sitegen("build", "--site", site, "--base-url", "/a/").returncode == 0
    for round in range(ROUNDS):
        first.write_text(takes[round % 2])  # so the /a/ build below is a warm one, after an edit
        other = start_build_for(site, "/b/")
        while not staging(site, f"{other.pid}-") and other.poll() is None:
            time.sleep(0.001)  # until it holds the lock and writes
        warm = start_build_for(site, "/a/")
        assert [other.wait(), warm.wait()] == [0, 0]
        assert tree_bytes(site / "output") == expected[round % 2], f"round {round}: a mixed site"


@pytest.mark.parametrize("between", ["build", "check"])
def test_a_record_of_what_a_folder_holds_is_dropped_when_the_routes_change(
    site_factory: SiteFactory, tmp_path: Path, between: str
) -> None:
    """The cache remembers what each output folder holds, trusted while the routes that
    wrote it are the cache's own. A build or check with other routes in between (another
    base URL) makes that record stale: trusting it would leave one folder with the other
    base URL's site."""
    site = site_factory()
    clean = tmp_path / "clean"
    assert (
        sitegen(
            "build", "--site", site, "--out", clean, "--base-url", "/a/", "--no-cache"
        ).returncode
        == 0
    )
    out = tmp_path / "out"
    assert sitegen("build", "--site", site, "--out", out, "--base-url", "/b/").returncode == 0
    extra = ["--out", tmp_path / "other"] if between == "build" else []
    assert sitegen(between, "--site", site, *extra, "--base-url", "/a/").returncode == 0
    assert sitegen("build", "--site", site, "--out", out, "--base-url", "/a/").returncode == 0
    assert tree_bytes(out) == tree_bytes(clean)
