"""Jinja2 templates and the view models the pages and the live event stream share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from starlette.templating import Jinja2Templates

from judgekit.judge import strict_json
from judgekit.judge.learner_view import learner_case
from judgekit.judge.report import CaseResult
from judgekit.judge.tracebacks import learner_traceback
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem
from judgekit.web.views.markup import ValueRow, value_rows

TEMPLATES_DIR = Path(__file__).parents[1] / "templates"

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


templates.env.filters["when"] = _when
templates.env.filters["duration"] = _duration
templates.env.filters["verdict_title"] = _verdict_title
templates.env.filters["trim_traceback"] = learner_traceback


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


def _input_text(value: Mapping[str, object] | None) -> str:
    if value is None:
        return ""
    return "\n".join(_assignment(name, v) for name, v in value.items())


def _assignment(name: str, value: object) -> str:
    """`x = [1.0, 2.0]`; a matrix (a list of lists) one row to a line, its rows aligned."""
    if not (isinstance(value, list) and value and all(isinstance(row, list) for row in value)):
        return f"{name} = {strict_json.dumps(value)}"
    indent = " " * (len(name) + 4)
    rows = [strict_json.dumps(row) for row in value]
    return f"{name} = [" + (",\n" + indent).join(rows) + "]"


def case_view(case: CaseResult, problem: Problem) -> CaseView:
    """CASE as its page shows it (to a learner: judgekit.judge.learner_view's rule again)."""
    shown = learner_case(case, problem.hidden_groups)
    public = shown.public
    return CaseView(
        id=shown.id,
        group=shown.group,
        verdict=shown.verdict.value,
        time_ms=shown.time_ms,
        cpu_ms=shown.cpu_ms,
        message=shown.message,
        public=public,
        input_text=_input_text(shown.input) if public else "",
        rows=value_rows(shown, problem) if public else [],
        got_missing=public and shown.got is None,
    )


def render_case_rows(case: CaseResult, problem: Problem, *, open_first: bool) -> str:
    template = templates.env.get_template("_case.html")
    return template.render(c=case_view(case, problem), open=open_first)
