"""How long each stage of a build took, over every process, and how far rendering has got:
what `sitegen build -v` and the benchmarks report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from .render import Rendered


def stage_timer(timings: dict[str, float]) -> Callable[[str], AbstractContextManager[None]]:
    @contextmanager
    def timed(stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start

    return timed


def note_cpu(timings: dict[str, float], rendered: Rendered) -> Rendered:
    """Add how long the pages took to render and to write, over every process."""
    timings["render (cpu)"] = timings.get("render (cpu)", 0.0) + rendered.render_seconds
    timings["write (cpu)"] = timings.get("write (cpu)", 0.0) + rendered.deliver_seconds
    return rendered


def counter(total: int, report: Callable[[int, int], None] | None) -> Callable[[int], None] | None:
    """Turn "n more pages done" into `report(done, total)`."""
    if report is None:
        return None
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        report(done, total)

    return advance
