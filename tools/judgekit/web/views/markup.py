"""Server-side rendering helpers: the statement (Markdown + inline math), code highlighting,
and the per-case view of a result (expected vs got with the difference)."""

# ruff: noqa: RUF001  (the TeX table maps commands to Greek and math symbols on purpose)
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from judgekit.judge.report import CaseResult
from judgekit.package.checker import Returned, element_verdicts, problem_checker
from judgekit.package.problem import Problem

# A small TeX subset shown with Unicode; anything else in $...$ is kept as written.
_TEX_SYMBOLS = {
    r"\le": "≤",
    r"\leq": "≤",
    r"\ge": "≥",
    r"\geq": "≥",
    r"\ne": "≠",
    r"\neq": "≠",
    r"\times": "×",
    r"\cdot": "·",
    r"\pm": "±",
    r"\approx": "≈",
    r"\infty": "∞",
    r"\in": "∈",
    r"\to": "→",
    r"\rightarrow": "→",
    r"\ldots": "…",
    r"\dots": "…",
    r"\cdots": "⋯",
    r"\sum": "∑",
    r"\prod": "∏",
    r"\sqrt": "√",
    r"\alpha": "α",
    r"\beta": "β",
    r"\gamma": "γ",
    r"\delta": "δ",
    r"\epsilon": "ε",
    r"\varepsilon": "ε",
    r"\theta": "θ",
    r"\lambda": "λ",
    r"\mu": "μ",
    r"\sigma": "σ",
    r"\pi": "π",
    r"\lVert": "‖",
    r"\rVert": "‖",
    r"\|": "‖",
    r"\lvert": "|",
    r"\rvert": "|",
    r"\left": "",
    r"\right": "",
    r"\,": " ",
    r"\;": " ",
    r"\quad": "  ",
    r"\{": "{",
    r"\}": "}",
}
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+|\\[,;|{}]")
_SQRT = re.compile(r"\\sqrt\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")
_SCRIPT = re.compile(r"([_^])(\{([^{}]*)\}|([A-Za-z0-9]))")
_TEXT_COMMAND = re.compile(r"\\(?:mathrm|text|operatorname|mathbf|mathit)\{([^{}]*)\}")


def tex_to_html(tex: str) -> str:
    """Inline TeX to HTML: Unicode symbols, <sub>/<sup>, text kept upright; escaped throughout."""
    text = tex.replace(r"\_", "\x00").replace(r"\{", "\x01").replace(r"\}", "\x02")
    text = _SQRT.sub(lambda m: f"√({m.group(1)})", text)
    text = _TEXT_COMMAND.sub(lambda m: "{" + m.group(1) + "}", text)
    text = text.replace("\\ ", " ")
    text = _TEX_COMMAND.sub(lambda m: _TEX_SYMBOLS.get(m.group(0), m.group(0)), text)
    escaped = html.escape(text, quote=False)

    def script(match: re.Match[str]) -> str:
        tag = "sub" if match.group(1) == "_" else "sup"
        body = match.group(3) if match.group(3) is not None else match.group(4)
        return f"<{tag}>{body}</{tag}>"

    escaped = _SCRIPT.sub(script, escaped).replace("{", "").replace("}", "")
    return escaped.replace("\x00", "_").replace("\x01", "{").replace("\x02", "}")


def _math_inline(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "$":
        return False
    display = state.src.startswith("$$", state.pos)
    fence = "$$" if display else "$"
    begin = state.pos + len(fence)
    end = state.src.find(fence, begin)
    if end == -1 or end == begin:
        return False
    content = state.src[begin:end]
    if not display and content != content.strip():  # "$ 5 and $ 6" is money, not math
        return False
    if not silent:
        token = state.push("math_display" if display else "math_inline", "span", 0)
        token.content = content
    state.pos = end + len(fence)
    return True


def _highlight_code(code: str, language: str, _attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(language) if language else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""
    return str(highlight(code, lexer, HtmlFormatter(nowrap=True)))


def _markdown() -> MarkdownIt:
    # The statement is the problem author's own file: its HTML comments and tags are kept.
    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight_code}).enable("table")
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.add_render_rule(
        "math_inline",
        lambda self, tokens, idx, options, env: str(
            f'<span class="math">{tex_to_html(tokens[idx].content)}</span>'
        ),
    )
    md.add_render_rule(
        "math_display",
        lambda self, tokens, idx, options, env: str(
            f'<span class="math display">{tex_to_html(tokens[idx].content)}</span>'
        ),
    )
    return md


def render_markdown(text: str) -> str:
    # A code block can scroll sideways: keyboard users reach it with Tab (axe's
    # scrollable-region-focusable).
    return str(_markdown().render(text)).replace("<pre><code", '<pre tabindex="0"><code')


HIGHLIGHT_MAX_CHARACTERS = 32 * 1024
"""Longer sources are shown unhighlighted: Pygments takes about 0.5 s of CPU (under the GIL)
for a 256 KB file, on every view of its page, and a solution here is a few KB."""


def highlight_python(source: str) -> str:
    """SOURCE as highlighted HTML (the body of a <pre>); plain escaped text when it is long."""
    if len(source) > HIGHLIGHT_MAX_CHARACTERS:
        return html.escape(source, quote=False)
    return str(highlight(source, PythonLexer(), HtmlFormatter(nowrap=True)))


def pygments_css() -> str:
    # xcode: every token colour has a contrast of at least 4.5:1 on our code backgrounds
    # (WCAG 2.1 AA); "friendly" has comments and numbers below it.
    return str(HtmlFormatter(style="xcode").get_style_defs(".hl"))


@dataclass(frozen=True)
class ValueRow:
    name: str
    expected: str
    got: str
    difference: str
    ok: bool


def _number(value: float | None) -> str:
    return "—" if value is None else repr(float(value))


def value_rows(case: CaseResult, problem: Problem) -> list[ValueRow]:
    """Expected vs got for a public case, one row per output value, with |got - expected|; a
    row is OK when the problem's checker accepts that value (package.checker.element_verdicts)."""
    expected = tuple(case.expected or ())
    got = tuple(case.got or ())
    marks = element_verdicts(
        problem_checker(problem), Returned(problem.output.shape, got), expected
    )
    names = list(problem.output.names)
    rows: list[ValueRow] = []
    for index in range(max(len(expected), len(got))):
        e = expected[index] if index < len(expected) else None
        g = got[index] if index < len(got) else None
        name = names[index] if index < len(names) else f"[{index}]"
        difference = "—"
        if e is not None and g is not None:
            delta = abs(g - e)
            difference = f"{delta:.3g}" if math.isfinite(delta) else str(delta)
        ok = index < len(marks) and marks[index]
        rows.append(ValueRow(name, _number(e), _number(g), difference, ok))
    return rows
