"""The real `sitegen serve` under load, with slow clients and hostile requests.

A short run for CI; `python benchmarks/serve_load.py` gives the full figures (50
connections for 10 seconds, memory, the time slow clients are hung up on).
"""

from __future__ import annotations

import importlib.util
import socket
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from .conftest import REPO


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("serve_load", REPO / "benchmarks/serve_load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


serve_load = load_benchmark()


@pytest.fixture(scope="module")
def served() -> Iterator[Any]:
    with serve_load.serve(REPO) as served:
        yield served


def test_thirty_hostile_requests_are_refused_and_leak_nothing(served: Any) -> None:
    lines = serve_load.run_probes(served)
    assert len(lines) == 30
    assert [line for line in lines if not line.startswith("ok")] == []


def test_pages_stay_whole_under_load_with_edits_and_slow_clients(served: Any) -> None:
    slow: list[socket.socket] = serve_load.open_slow_clients(served, 10)
    try:
        result, edits, _ = serve_load.run_load(served, seconds=3, connections=10, edit_every=0.2)
    finally:
        for s in slow:
            s.close()
    assert result.problems() == []  # no failure, no page of two builds, no stale page
    assert result.bad == 0 and result.requests > 0
    assert edits > 1 and len(result.builds_seen) > 1  # the edits were served meanwhile
