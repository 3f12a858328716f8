"""Text a submission could have written (messages, tracebacks, stderr, even the platform its
sandbox reports), made safe to print on a terminal.

A learner's exception message reaches our console verbatim. Printed raw, `ESC c` clears the
screen, other escape sequences repaint it (a fake green "AC"), a carriage return or a bidi
override rewrites what was already shown, and a lone surrogate cannot even be encoded. Every
such character is shown as a Python-style escape instead (`\\x1b`, `\\u202e`), so the reader
sees that it was there. Newlines and tabs stay: tracebacks need them.

Printing the result still needs Rich's markup off (`rich.text.Text`, never a str with `[...]`),
which `plain()` gives.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 controls but tab and newline, DEL, C1 controls, bidi marks/embeddings/overrides/isolates,
# the line and paragraph separators, and surrogates (only lone ones can occur in a str).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: object) -> str:
    """TEXT as a str whose control, bidi and surrogate characters are written as escapes."""
    return _UNSAFE.sub(_escape, str(text))


def plain(text: object, style: str = "") -> Text:
    """TEXT, made visible, as Rich text that is never parsed for markup, emoji or highlights."""
    return Text(visible(text), style=style)
