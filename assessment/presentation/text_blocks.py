"""Plain text written by a person, as paragraphs and lists: no markup is ever interpreted.

A blank line separates paragraphs; lines starting with "- " or "* " form a bulleted
list, lines starting with "1. " (any number) a numbered list. Templates escape each line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")


@dataclass(frozen=True)
class TextBlock:
    """A paragraph ("p", its lines joined) or a list ("ul" or "ol", one item a line)."""

    kind: str
    lines: tuple[str, ...]


def text_blocks(text: str) -> tuple[TextBlock, ...]:
    """The blocks of a plain text, in order."""
    blocks: list[TextBlock] = []
    kind, lines = "", list[str]()

    def close() -> None:
        nonlocal kind, lines
        if lines:
            blocks.append(TextBlock(kind, (" ".join(lines),) if kind == "p" else tuple(lines)))
        kind, lines = "", []

    for raw in text.replace("\r\n", "\n").split("\n"):
        if not raw.strip():
            close()
            continue
        for pattern, line_kind in ((_BULLET, "ul"), (_NUMBERED, "ol")):
            if match := pattern.match(raw):
                if kind != line_kind:
                    close()
                kind = line_kind
                lines.append(match.group(1).strip())
                break
        else:
            if kind in ("ul", "ol"):
                close()
            kind = "p"
            lines.append(raw.strip())
    close()
    return tuple(blocks)
