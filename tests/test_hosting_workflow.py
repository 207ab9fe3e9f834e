"""The GitHub Pages workflow: valid by GitHub's schema, GitHub's own Pages flow, and running
exactly the commands the README gives."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from .conftest import REPO, sitegen, tree_bytes

WORKFLOW = REPO / ".github/workflows/pages.yml"
README = REPO / "README.md"


def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(job: str) -> list[dict[str, Any]]:
    return workflow()["jobs"][job]["steps"]


def step(job: str, uses: str) -> dict[str, Any]:
    return next(s for s in steps(job) if s.get("uses", "").startswith(uses + "@"))


def readme_commands() -> list[str]:
    """The shell commands of the README's fenced `sh` blocks, in order."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_workflow_passes_githubs_workflow_schema() -> None:
    command = [sys.executable, "-m", "check_jsonschema"]
    command += ["--builtin-schema", "vendor.github-workflows", str(WORKFLOW)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_workflow_follows_githubs_pages_flow() -> None:
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert [s.get("uses", "run").split("@")[0] for s in steps("build")] == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "run",
        "run",
        "run",
        "actions/upload-pages-artifact",
    ]
    assert step("build", "actions/configure-pages")["id"] == "pages"
    assert step("build", "actions/upload-pages-artifact")["with"] == {"path": "output"}
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    assert deploy["steps"] == [{"id": "deployment", "uses": "actions/deploy-pages@v5"}]


def test_the_workflow_uses_current_major_versions() -> None:
    used = sorted(s["uses"] for job in ("build", "deploy") for s in steps(job) if "uses" in s)
    assert used == [
        "actions/checkout@v7",
        "actions/configure-pages@v6",
        "actions/deploy-pages@v5",
        "actions/setup-python@v7",
        "actions/upload-pages-artifact@v5",
    ]


def test_the_workflow_installs_checks_and_builds_as_the_readme_says() -> None:
    set_up = readme_commands()[0]
    install, build = set_up.rsplit(" && ", 1)
    assert build == ".venv/bin/sitegen build"
    runs = [s for s in steps("build") if "run" in s]
    assert [s["run"] for s in runs] == [
        install,
        '.venv/bin/sitegen check --base-url "$BASE_PATH/" --site-url "$SITE_URL"',
        f'{build} --base-url "$BASE_PATH/" --site-url "$SITE_URL"',
    ]
    for run in runs[1:]:
        assert run["env"] == {
            "BASE_PATH": "${{ steps.pages.outputs.base_path }}",
            "SITE_URL": "${{ steps.pages.outputs.base_url }}",
        }
    # The README's deploy section shows the very command the workflow runs.
    assert runs[2]["run"] in readme_commands()


def test_the_workflows_commands_build_the_site_for_a_project_site(tmp_path: Path) -> None:
    """The build step as configure-pages's outputs make it for USER.github.io/REPO."""
    base_path, site_url = "/sitegen-demo", "https://octocat.github.io/sitegen-demo"
    result = sitegen(
        "build",
        "--out",
        tmp_path / "output",
        "--base-url",
        f"{base_path}/",
        "--site-url",
        site_url,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    robots = (tmp_path / "output/robots.txt").read_text()
    assert robots.endswith(f"Sitemap: {site_url}/sitemap.xml\n")


def test_the_pages_artifact_keeps_everything_the_site_needs(tmp_path: Path) -> None:
    """upload-pages-artifact v4+ leaves out dot paths unless include-hidden-files is set; the
    only ones built are .nojekyll, which a site deployed by Actions does not need (Jekyll never
    runs), and sitegen's manifest, which is for sitegen alone. A new dotfile (say
    .well-known/) fails here, as a reminder to set the option."""
    sitegen("build", "--out", tmp_path / "output", cwd=REPO)
    dot_paths = [p for p in tree_bytes(tmp_path / "output") if re.search(r"(^|/)\.", p)]
    assert dot_paths == [".nojekyll", ".sitegen-manifest"]
    assert "include-hidden-files" not in step("build", "actions/upload-pages-artifact")["with"]
