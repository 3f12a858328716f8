"""A judged submission as a learner reads it: one summary per test group first, then the cases
of each group. Hidden groups show exactly what the flat list showed before (verdict only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from judgekit.judge.learner_view import is_public
from judgekit.package.problem import Problem
from judgekit.web.views.templating import CaseView


@dataclass
class GroupSummary:
    name: str
    public: bool
    total: int
    """The group's number of cases in the package (what a full run judges)."""
    cases: list[CaseView] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for case in self.cases if not case.failed)

    @property
    def failed(self) -> int:
        return sum(1 for case in self.cases if case.failed)


def group_summaries(
    views: Sequence[CaseView], problem: Problem, case_counts: Mapping[str, int]
) -> list[GroupSummary]:
    """VIEWS sorted into the judged groups (CASE_COUNTS' keys, with each one's number of cases),
    in problem.yaml's order; a case of a group not listed (an older package) gets a group of its
    own, public when its cases are."""
    summaries = {
        group.name: GroupSummary(
            group.name, is_public(group.name, problem.hidden_groups), case_counts[group.name]
        )
        for group in problem.test_groups
        if group.name in case_counts
    }
    for view in views:
        summary = summaries.get(view.group)
        if summary is None:
            summary = summaries[view.group] = GroupSummary(view.group, view.public, 0)
        summary.cases.append(view)
    for summary in summaries.values():
        summary.total = max(summary.total, len(summary.cases))
    return list(summaries.values())
