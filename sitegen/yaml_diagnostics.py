"""Diagnostics about YAML itself, for `load` and the readers after it: a parser's or
reader's error turned into a `file:line:col` message with a hint for the usual cause; the
checks made on a composed node tree (tags, aliases, duplicate keys); the comment noted
after an empty value; and `at` and `describe`, which place a diagnostic at a node and say
what a node holds in words.

Its own module because these say what is wrong with YAML, while `load` finds and reads
the files: the modules that read nodes into values (`reader`, `validate`, `site_config`,
`catalogue`) use `at` and `describe` and need nothing else of `load`.
"""

from __future__ import annotations

import re

import yaml

from .diagnostics import Diagnostic

# What plain YAML resolves to without a '!': `<<` (merge) and `=` (value) are kept as
# ordinary keys, so they are reported as unknown keys rather than as tags nobody wrote.
PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge", "value")
)

SYNTAX_HINTS = {
    "expected a single document": "keep one document a file: remove the '---' separator",
    "found undefined alias": "anchors and aliases are not supported: write the value out",
    "could not find expected ':'": "close the quote or bracket, or add the missing ':'",
    "while scanning a quoted scalar": "close the quote",
    "expected ',' or ']'": "close the '[' with ']'",
    "expected ',' or '}'": "close the '{' with '}'",
    "mapping values are not allowed": "quote a value that contains ': '",
    "exceeded maximum nesting depth": "nest lists and mappings less deeply",
    # The usual causes of the rest: a value that starts with a character YAML reserves.
    "while scanning an alias": "quote the value: YAML reads a '*' at its start as an alias",
    "cannot start any token": "quote the value: YAML does not let one start with '@', '`' or '%'",
    "did not find expected key": (
        "quote a value that starts with '[', '{' or a quote and goes on after it, "
        "or check the indentation"
    ),
    "expected <document start>": "check the indentation: top-level keys start in column 1",
}


def syntax_error(path: str, error: yaml.MarkedYAMLError, text: str) -> Diagnostic:
    """A parser error at the parser's own position, with a hint for the usual causes."""
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    if mark and text[mark.index : mark.index + 1] == "\t":
        hint = "indent with spaces: YAML does not allow tabs"
        return Diagnostic(path, line, col, "invalid YAML: a tab character here", hint)
    problem = error.problem or "syntax error"
    if error.context and problem.startswith("but "):
        problem = f"{error.context}, {problem}"
    elif error.context:
        problem = f"{problem} ({error.context})"
    text = f"{error.context or ''} {problem}"
    hint = next((h for needle, h in SYNTAX_HINTS.items() if needle in text), "")
    return Diagnostic(path, line, col, f"invalid YAML: {problem}", hint)


def character_error(path: str, error: yaml.reader.ReaderError, text: str) -> Diagnostic:
    """A character YAML refuses before parsing, such as a control character pasted in."""
    # Located by the character itself: libyaml counts its position in bytes, PyYAML in
    # characters, and the first occurrence is the one the reader stopped at.
    code = error.character if isinstance(error.character, int) else 0
    index = text.find(chr(code))
    line = text.count("\n", 0, index) + 1 if index >= 0 else 0
    col = index - text.rfind("\n", 0, index) if index >= 0 else 0
    message = f"invalid YAML: character U+{code:04X} is not allowed"
    hint = "delete it: text may hold tabs and line breaks but no other control characters"
    return Diagnostic(path, line, col, message, hint)


def check_nodes(path: str, root: yaml.Node) -> list[Diagnostic]:
    """Tags, aliases and duplicate keys, checked once per node (so alias bombs stay cheap)."""
    problems: list[Diagnostic] = []
    seen: set[int] = set()
    aliased: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            if id(node) in aliased:
                continue
            aliased.add(id(node))
            message = "anchors and aliases are not supported"
            problems.append(at(path, node, message, "write the value out in full"))
            continue
        seen.add(id(node))
        if node.tag not in PLAIN_TAGS:
            hint = "remove the '!' tag; fact files hold plain values"
            problems.append(at(path, node, f"YAML tag '{node.tag}' is not allowed", hint))
        if isinstance(node, yaml.MappingNode):
            problems += duplicate_keys(path, node)
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return problems


COMMENT_AFTER = "sitegen_comment_after"  # see `note_comments`


def note_comments(root: yaml.Node, text: str) -> None:
    """Mark each empty value followed by a comment on its line (`color: #abcdef`: an
    unquoted '#' starts a comment, so `color` is empty), so that an error about the empty
    value can name the usual cause (see `reader.Reader.value`). The comment is kept on the
    value node, as `COMMENT_AFTER`: composing keeps no comments."""
    lines: list[str] | None = None
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += node.value
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            stack.append(value)
            if value.tag.endswith(":null") and value.value == "" and "#" in text:
                lines = lines if lines is not None else text.splitlines()
                line = lines[key.start_mark.line] if key.start_mark.line < len(lines) else ""
                found = re.search(r":[ \t]+(#.*)$", line)
                if found:
                    setattr(value, COMMENT_AFTER, found[1].rstrip())


def duplicate_keys(path: str, node: yaml.MappingNode) -> list[Diagnostic]:
    """PyYAML keeps the last of two equal keys silently; we refuse them."""
    first: dict[str, yaml.Node] = {}
    problems = []
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            problems.append(at(path, key, "a key must be a plain word", "write 'key: value'"))
        elif key.value in first:
            line = first[key.value].start_mark.line + 1
            message = f"duplicate key '{key.value}' (first on line {line})"
            problems.append(at(path, key, message, "remove one of them"))
        else:
            first[key.value] = key
    return problems


def at(path: str, node: yaml.Node, message: str, hint: str = "") -> Diagnostic:
    """A diagnostic at a node's start."""
    mark = node.start_mark
    return Diagnostic(path, mark.line + 1, mark.column + 1, message, hint)


def describe(node: yaml.Node) -> str:
    """How a node reads to a person: 'a list', 'a mapping', 'the text 'x''."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag.endswith(":null"):
        return "nothing"
    return f"'{node.value}'" if len(node.value) <= 40 else f"'{node.value[:37]}...'"
