"""Jinja2 templates and the view models the pages and the live event stream share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.templating import Jinja2Templates

from judgekit.judge import strict_json
from judgekit.judge.learner_view import learner_case
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem
from judgekit.package.testcase import INPUT_SUFFIX
from judgekit.web.views.markup import ValueRow, value_rows

TEMPLATES_DIR = Path(__file__).parent / "templates"
MAX_TRACEBACK_LINES = 40

templates = Jinja2Templates(directory=TEMPLATES_DIR)
# The `tojson` filter: strict JSON in pages too.
templates.env.policies["json.dumps_function"] = strict_json.dumps


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "—"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(ms: int | None) -> str:
    if ms is None:
        return "—"
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def _verdict_title(code: str | None) -> str:
    if not code:
        return ""
    try:
        return Verdict(code).title
    except ValueError:
        return code


def trim_traceback(text: str) -> str:
    """The learner's traceback, trimmed: judge frames dropped, at most MAX_TRACEBACK_LINES."""
    lines = text.rstrip().splitlines()
    kept = [line for line in lines if "/judge/runner.py" not in line and "judgekit" not in line]
    if len(kept) > MAX_TRACEBACK_LINES:
        skipped = len(kept) - MAX_TRACEBACK_LINES
        kept = [*kept[:10], f"  … {skipped} lines skipped …", *kept[-(MAX_TRACEBACK_LINES - 11) :]]
    return "\n".join(kept)


templates.env.filters["when"] = _when
templates.env.filters["duration"] = _duration
templates.env.filters["verdict_title"] = _verdict_title
templates.env.filters["trim_traceback"] = trim_traceback


@dataclass(frozen=True)
class CaseView:
    id: str
    group: str
    verdict: str
    time_ms: int | None
    cpu_ms: int | None
    """The judged clock's time (CPU); null for hidden cases and results stored before it."""
    message: str
    public: bool
    input_text: str
    rows: list[ValueRow]
    got_missing: bool

    @property
    def failed(self) -> bool:
        return self.verdict != "AC"


def _input_text(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return "\n".join(_assignment(name, v) for name, v in value.items())


def _assignment(name: str, value: Any) -> str:
    """`x = [1.0, 2.0]`; a matrix (a list of lists) one row to a line, its rows aligned."""
    if not (isinstance(value, list) and value and all(isinstance(row, list) for row in value)):
        return f"{name} = {strict_json.dumps(value)}"
    indent = " " * (len(name) + 4)
    rows = [strict_json.dumps(row) for row in value]
    return f"{name} = [" + (",\n" + indent).join(rows) + "]"


def case_view(stored: dict[str, Any], problem: Problem) -> CaseView:
    case = learner_case(stored, problem.hidden_groups)
    public = "input" in case
    return CaseView(
        id=str(case.get("id", "")),
        group=str(case.get("group", "")),
        verdict=str(case.get("verdict", "")),
        time_ms=case.get("time_ms"),
        cpu_ms=case.get("cpu_ms"),
        message=str(case.get("message") or ""),
        public=public,
        input_text=_input_text(case.get("input")) if public else "",
        rows=value_rows(case, problem) if public else [],
        got_missing=public and case.get("got") is None,
    )


def expected_case_count(problem: Problem, groups: tuple[str, ...]) -> int:
    return sum(
        len(list((problem.testcases_dir / group).glob(f"*{INPUT_SUFFIX}"))) for group in groups
    )


def render_case_rows(case: dict[str, Any], problem: Problem, *, open_first: bool) -> str:
    template = templates.env.get_template("_case.html")
    return template.render(c=case_view(case, problem), open=open_first)
