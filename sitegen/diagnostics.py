"""One error shape for every stage: a compiler-style diagnostic with a position."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .frozen import Value

# Control characters from a file name, key or value would reach the terminal as they are:
# an escape sequence could recolour it, clear it or retitle it. They are shown escaped.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with every control character written as an escape, such as `\\x1b`."""
    return CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


# How a part of a report is shown: (its kind, its text) → the text to print. The kinds are
# "path", "error", "warning", "hint" and "failed" (the summary line of a failure); the
# command line paints them in colour on a terminal (see `sitegen.terminal`).
Paint = Callable[[str, str], str]


def plain(kind: str, text: str) -> str:
    return text


@dataclass(frozen=True, order=True, slots=True)
class Diagnostic(Value):
    """A problem at `path:line:col` (1-based; 0 means unknown), with an optional fix."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"  # or "warning": worth saying, but the build goes on

    def format(self, paint: Paint = plain) -> str:
        where = printable(self.path)
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        severity = paint(self.severity, f"{self.severity}:")
        text = f"{paint('path', where + ':')} {severity} {printable(self.message)}"
        if self.hint:
            text += f"\n  {paint('hint', 'hint:')} {printable(self.hint)}"
        return text


class SiteError(Exception):
    """Raised by a stage with every problem it found; only the CLI turns it into output."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics))
        super().__init__(format_report(self.diagnostics, "nothing written"))


def format_report(diagnostics: list[Diagnostic], outcome: str, paint: Paint = plain) -> str:
    """All diagnostics, sorted, then one summary line."""
    count = len(diagnostics)
    summary = paint("failed", f"{count} error{'s' if count != 1 else ''}; {outcome}")
    return "\n".join([*(d.format(paint) for d in diagnostics), summary])


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
