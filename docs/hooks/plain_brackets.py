"""A griffe extension for the API reference: docstrings write maths such as `H[i][j]` outside
code spans, which Markdown would read as a reference link `[i][j]` (and strict mode then fails on
the missing target `j`). Escape `][` there; code spans, fences and doctest lines stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")


def escape_brackets(text: str) -> str:
    """`text` with every `][` outside code written `]\\[`, so no reference link is formed."""
    lines, fenced = [], False
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("```"):
            fenced = not fenced
        if fenced or stripped.startswith((">>>", "...")):
            lines.append(line)
            continue
        pieces, start = [], 0
        for match in _CODE_SPAN.finditer(line):
            pieces.append(line[start : match.start()].replace("][", "]\\["))
            pieces.append(match.group(0))
            start = match.end()
        pieces.append(line[start:].replace("][", "]\\["))
        lines.append("".join(pieces))
    return "\n".join(lines)


class PlainBrackets(griffe.Extension):
    """Apply `escape_brackets` to every docstring griffe loads."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = escape_brackets(obj.docstring.value)
