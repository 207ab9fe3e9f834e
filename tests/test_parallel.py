"""Rendering over several processes gives exactly the bytes, and the errors, of one process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build import Options, SiteBuilder
from sitegen.diagnostics import SiteError

from .conftest import REPO, SiteFactory, sitegen, tree_bytes

CORPUS = REPO / "benchmarks" / "corpus.py"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic site of 150 milestones: enough pages to be shared among workers."""
    site = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, CORPUS, "150", site], check=True)
    return site


def test_parallel_output_is_byte_identical(corpus: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for out, jobs in ((one, "1"), (two, "2")):
        done = sitegen("build", "--site", corpus, "--out", out, "--jobs", jobs, "--no-cache")
        assert done.returncode == 0, done.stderr
        assert "\r" not in done.stderr, "no progress bar when stderr is not a terminal"
    assert len(tree_bytes(one)) > 150
    assert tree_bytes(one) == tree_bytes(two)


def test_corpus_is_deterministic(corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    subprocess.run([sys.executable, CORPUS, "150", again], check=True)
    assert tree_bytes(again / "content") == tree_bytes(corpus / "content")


def test_template_errors_are_reported_alike_from_workers(corpus: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, CORPUS, "150", site], check=True)
    template = site / "templates" / "milestone.html"
    template.write_text(template.read_text().replace("milestone.title", "milestone.nope", 1))
    reports = [errors(site, jobs) for jobs in (1, 2)]
    assert reports[0] == reports[1]
    assert reports[0] == [
        "templates/milestone.html:4: error: template error: "
        "'sitegen.model.Milestone object' has no attribute 'nope'"
    ]


def test_fact_file_errors_are_reported_alike_from_workers(tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, CORPUS, "150", site], check=True)
    files = sorted((site / "content" / "milestones").iterdir())
    bad_date, bad_framework = files[10], files[100]
    bad_date.write_text(bad_date.read_text().replace("date: ", "date: 2021-02-30 #", 1))
    text = bad_framework.read_text()
    framework = text.split("framework: ")[1].split("\n")[0]
    bad_framework.write_text(text.replace(f"framework: {framework}", "framework: jaxx"))
    reports = [errors(site, jobs) for jobs in (1, 2)]
    assert reports[0] == reports[1]
    assert [line.split(": ")[0] for line in reports[0]] == [
        f"content/milestones/{bad_date.name}:2:7",
        f"content/milestones/{bad_framework.name}:3:12",
    ]


def errors(site: Path, jobs: int) -> list[str]:
    """The errors a build over `jobs` processes reports."""
    with pytest.raises(SiteError) as raised:
        SiteBuilder(site, Options(cache=False, jobs=jobs)).build()
    return [d.format() for d in raised.value.diagnostics]


def test_jobs_must_be_a_positive_number(site_factory: SiteFactory) -> None:
    done = sitegen("build", "--site", site_factory(), "--jobs", "0")
    assert done.returncode == 2
    assert done.stderr.endswith(
        "sitegen build: error: argument --jobs: '0' is not a number of processes such as 1 or 4\n"
    )
