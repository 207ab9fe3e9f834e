"""How the watcher turns watchdog's events into batches of changed site files."""

from __future__ import annotations

from pathlib import Path

from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
    FileSystemEvent,
)

from sitegen.devserver import describe
from sitegen.watch import ChangeCollector


def batch(site: Path, *events: FileSystemEvent) -> set[str] | None:
    collector = ChangeCollector(site, ignored=[site / "output"])
    for event in events:
        collector.on_any_event(event)
    collector.on_any_event(FileClosedEvent(str(site / "content/site.yaml")))  # ends the wait
    return collector.next_batch()


def test_an_atomic_save_is_a_change_to_its_target(tmp_path: Path) -> None:
    folder = tmp_path / "content/milestones"
    temporary, target = str(folder / ".a.yaml.tmp123"), str(folder / "a.yaml")
    assert batch(
        tmp_path,
        FileCreatedEvent(temporary),
        FileModifiedEvent(temporary),
        FileClosedEvent(temporary),
        FileMovedEvent(temporary, target),
    ) == {"content/milestones/a.yaml", "content/site.yaml"}


def test_reading_files_is_not_a_change(tmp_path: Path) -> None:
    # Every build opens and reads every source: that must not start another build.
    source = str(tmp_path / "content/milestones/a.yaml")
    assert batch(
        tmp_path,
        FileOpenedEvent(source),
        FileClosedNoWriteEvent(source),
        DirModifiedEvent(str(tmp_path / "content/milestones")),
    ) == {"content/site.yaml"}


def test_moves_away_and_deletions_count_editor_files_do_not(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    assert batch(
        tmp_path,
        FileMovedEvent(str(folder / "base.html"), str(folder / "base.html~")),
        FileDeletedEvent(str(folder / "old.html")),
        FileCreatedEvent(str(folder / "4913")),
        FileModifiedEvent(str(folder / ".base.html.swp")),
        FileModifiedEvent(str(tmp_path / "output/index.html")),
    ) == {"templates/base.html", "templates/old.html", "content/site.yaml"}


def test_a_closed_collector_ends_the_build_loop(tmp_path: Path) -> None:
    collector = ChangeCollector(tmp_path)
    collector.close()
    assert collector.next_batch() is None


def test_rebuild_lines_name_what_changed() -> None:
    assert describe(set()) == "initial build"
    assert describe({"content/a.yaml"}) == "content/a.yaml changed"
    assert describe({"content/b.yaml", "content/a.yaml", "templates/x.html"}) == (
        "content/a.yaml and 2 more changed"
    )
