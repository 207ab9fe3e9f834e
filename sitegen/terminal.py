"""How the command line's output looks on a terminal: colour (when, and which), and the
`--verbose` report. Only `cli` prints; this module only makes the text."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple, TextIO

from .diagnostics import Paint, plain

# SGR codes: bold red errors, bold magenta warnings, bold paths, cyan hints, and the summary
# line bold red when something failed, green when all went well.
STYLES = {
    "path": "1",
    "error": "1;31",
    "failed": "1;31",
    "warning": "1;35",
    "hint": "36",
    "done": "32",
}


def colour_wanted(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to paint what goes to `stream`: never with NO_COLOR set (no-color.org),
    always with FORCE_COLOR set (but to 0), else only on a terminal that is not `dumb`:
    never on a pipe or into a file."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    try:
        return stream.isatty() and environ.get("TERM") != "dumb"
    except ValueError:  # closed
        return False


def painter(on: bool) -> Paint:
    """A Paint that colours each kind of text with ANSI escapes, or changes nothing."""
    if not on:
        return plain

    def paint(kind: str, text: str) -> str:
        style = STYLES.get(kind)
        return f"\x1b[{style}m{text}\x1b[0m" if style else text

    return paint


def timings(seconds: Mapping[str, float]) -> str:
    """`Stages: load 12 ms, validate 3 ms, ...`, in the order the build ran them."""
    stages = ", ".join(f"{stage} {value * 1000:.0f} ms" for stage, value in seconds.items())
    return f"Stages: {stages or 'none ran'}"


SHOWN = 10  # files named for each reason; the rest are counted


def rerendered(reasons: Mapping[str, str], total: int) -> list[str]:
    """What a build rendered afresh and why, grouped by reason: each group's first files
    by name, the rest counted."""
    lines = [f"Rendered {len(reasons)} of {total} files afresh" + (":" if reasons else ".")]
    groups: dict[str, list[str]] = {}
    for output, reason in sorted(reasons.items()):
        groups.setdefault(reason, []).append(output)
    for reason, outputs in sorted(groups.items(), key=lambda group: -len(group[1])):
        lines.append(f"  {len(outputs)} because {reason}:")
        lines += [f"    {output}" for output in outputs[:SHOWN]]
        if len(outputs) > SHOWN:
            lines.append(f"    and {len(outputs) - SHOWN} more")
    return lines


class Talk(NamedTuple):
    """How much a command says (after each build, for the dev server), in which colours."""

    quiet: bool = False  # errors only
    verbose: bool = False  # also each stage's time, and what was rendered afresh and why
    paint: Paint = plain
