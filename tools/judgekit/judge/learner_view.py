"""What a learner may see of a judgement: the one rule for hidden test data.

A public case shows everything: its input, expected and returned values, its message and time.
A hidden case shows its id, group and verdict only, with the verdict's title as its message: a
checker message or a traceback could quote its input or expected values, and its exact time
could tell what its input is (its time_ms and cpu_ms are null; the whole run's times stay). When any
hidden case ran, the run's stderr is dropped (the learner's own output could print the hidden
inputs it was called with); when the failing case is hidden, the overall message says only
where it failed.

The judge applies the rule as it reports each case (`is_public`, `case_message`,
`overall_message`); the CLI's JSON, the judge hosts' job, the web's stored results, the API,
the pages and the live events apply it again to the typed report (`hidden_case`,
`learner_case`, `learner_report`), whoever made it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict


def is_public(group: str, hidden_groups: frozenset[str]) -> bool:
    """The one rule for what a learner may see of a case: all of it unless its group is one of
    HIDDEN_GROUPS (problem.yaml's `visibility: hidden`)."""
    return group not in hidden_groups


_SHOWN_HIDDEN_ID = re.compile(r"[^/]+/case-(?:[0-9]{1,6}|x[0-9a-f]{8})")


def hidden_case_id(group: str, ordinal: int) -> str:
    """The id a learner sees for the ORDINAL-th (from 1) case of hidden GROUP: never its file
    name, which may say what the case tests (`secret/10-zero-x`)."""
    return f"{group}/case-{ordinal:03d}"


def _shown_hidden_id(case_id: str, group: str) -> str:
    """A stored hidden case's id as shown: kept when it is one of `hidden_case_id`'s, else (a
    judge host that stored the file name) a label that tells nothing of it."""
    if _SHOWN_HIDDEN_ID.fullmatch(case_id):
        return case_id
    return f"{group}/case-x{hashlib.sha256(case_id.encode('utf-8', 'replace')).hexdigest()[:8]}"


def case_message(verdict: Verdict, message: str, *, public: bool) -> str:
    """A case's message as the learner sees it."""
    return message if public else verdict.title


def overall_message(verdict: Verdict, case_id: str, message: str, *, public: bool) -> str:
    """The report's message for a run that failed on CASE_ID."""
    return f"{verdict.title} on {case_id}: {message}" if public else f"{verdict.title} on {case_id}"


def hidden_case(case: CaseResult) -> CaseResult:
    """A hidden case as the learner sees it."""
    return CaseResult(
        id=_shown_hidden_id(case.id, case.group),
        group=case.group,
        verdict=case.verdict,
        time_ms=None,
        cpu_ms=None,
        message=case.verdict.title,
        public=False,
    )


def learner_case(case: CaseResult, hidden: frozenset[str]) -> CaseResult:
    """CASE as the learner sees it, HIDDEN naming the hidden test groups: hidden when its group
    is, or when it came without its data (stored or sent as a hidden case)."""
    return case if case.public and is_public(case.group, hidden) else hidden_case(case)


def learner_report(report: JudgeReport, hidden: frozenset[str]) -> JudgeReport:
    """REPORT as the learner sees it, HIDDEN naming the hidden test groups."""
    cases = tuple(learner_case(case, hidden) for case in report.cases)
    any_hidden = any(not case.public for case in cases)
    failing = next((case for case in cases if case.verdict is not Verdict.AC), None)
    message = report.message
    if failing is not None and not failing.public:
        message = overall_message(failing.verdict, failing.id, "", public=False)
    return dataclasses.replace(
        report,
        cases=cases,
        message=message,
        stderr=None if any_hidden else report.stderr,
    )
