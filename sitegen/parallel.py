"""Work spread over forked processes, which inherit everything the parent holds (templates,
the model, Markdown already rendered) instead of receiving it pickled."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

PARALLEL_MIN = 64  # pages (or texts): below this, starting processes costs more


def can_fork() -> bool:
    """Forking is safe only while this process has a single thread: a lock held by another
    thread (the dev server's, say) would stay locked forever in the child."""
    import multiprocessing  # here, as below: a build that spreads no work need not load it

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def even_batches(count: int, parts: int) -> list[list[int]]:
    """The indexes 0..count-1 in about `parts` runs of equal size."""
    size = max(1, -(-count // parts))
    return [list(range(start, min(start + size, count))) for start in range(0, count, size)]


_task: Callable[[Any], Any] | None = None  # what forked workers run: set before the fork


def in_workers(
    task: Callable[[list[int]], T],
    batches: list[list[int]],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> list[T]:
    """`task` over every batch in forked processes, which inherit everything (templates,
    model, Markdown already rendered) instead of receiving it pickled; what each batch
    gave, in the order they finished."""
    import multiprocessing

    global _task
    _task = task
    results: list[T] = []
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(batches))) as pool:
            for n, done in pool.imap_unordered(_run_task, enumerate(batches)):
                results.append(done)
                if progress:
                    progress(len(batches[n]))
    finally:
        _task = None
    return results


def _run_task(numbered: tuple[int, list[int]]) -> tuple[int, Any]:
    assert _task is not None
    n, batch = numbered
    return n, _task(batch)
