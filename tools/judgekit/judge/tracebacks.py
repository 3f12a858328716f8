"""What a learner sees of a traceback: their own frames and what their code called, never the
frames of the sandbox's runner or of judgekit, and at most MAX_LINES lines.

The judge trims each message as it words it, and the pages trim every message they show again
(results stored before this rule included); trimming a trimmed message changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINES = 40
"""The most lines of a message shown: its first HEAD_LINES and its last ones, where the
learner's line and the exception are."""
HEAD_LINES = 10
LEARNER_FILE = "submission.py"
"""The name the sandbox gives the learner's file (sandbox/runner.py loads it as that)."""
_HEADER = "Traceback (most recent call last):"
_FRAME = re.compile(r'(?P<indent>\s*)File "(?P<path>[^"]*)", line \d+')


@dataclass(frozen=True)
class _Block:
    """One frame (its `File` line and the indented source and marker lines under it), or one
    line of anything else."""

    lines: tuple[str, ...]
    path: str | None = None

    @property
    def is_learners(self) -> bool:
        return self.path is not None and self.path.rpartition("/")[2] == LEARNER_FILE

    @property
    def is_ours(self) -> bool:
        path = self.path
        return (
            path is not None
            and not self.is_learners
            and (path.startswith("/judge/") or "judgekit" in path)
        )


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    index = 0
    while index < len(lines):
        frame = _FRAME.match(lines[index])
        end = index + 1
        if frame is not None:
            depth = len(frame["indent"])
            while end < len(lines) and _indent(lines[end]) > depth and not _FRAME.match(lines[end]):
                end += 1
        blocks.append(_Block(tuple(lines[index:end]), frame["path"] if frame else None))
        index = end
    return blocks


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip()) if line.strip() else 0


def _sections(blocks: list[_Block]) -> list[list[_Block]]:
    """BLOCKS cut before each traceback header (a chained exception has one per traceback)."""
    sections: list[list[_Block]] = [[]]
    for block in blocks:
        if block.lines == (_HEADER,):
            sections.append([])
        sections[-1].append(block)
    return sections


def _learners_part(section: list[_Block]) -> list[_Block]:
    """SECTION without our frames, nor the frames that lead from its header to the learner's
    first frame (the runner calling their function, importlib loading their file); nothing of
    a traceback left without a frame (its exception is the message's first line already)."""
    has_header = bool(section) and section[0].lines == (_HEADER,)
    kept: list[_Block] = []
    leading = has_header
    for block in section[1:] if has_header else section:
        if block.path is None or block.is_learners:
            leading = False
        elif leading or block.is_ours:
            continue
        kept.append(block)
    if not has_header:
        return kept
    return [section[0], *kept] if any(block.path is not None for block in kept) else []


def learner_traceback(text: str) -> str:
    """TEXT (a message: the error, then its traceback) as the learner may see it."""
    sections = _sections(_blocks(text.rstrip().splitlines()))
    lines = [
        line for section in sections for block in _learners_part(section) for line in block.lines
    ]
    if len(lines) > MAX_LINES:
        tail = MAX_LINES - HEAD_LINES - 1
        skipped = len(lines) - HEAD_LINES - tail
        lines = [*lines[:HEAD_LINES], f"  … {skipped} lines skipped …", *lines[-tail:]]
    return "\n".join(lines)
