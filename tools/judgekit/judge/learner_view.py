"""What a learner may see of a judgement: the one rule for hidden test data.

A public case shows everything: its input, expected and returned values, its message and time.
A hidden case shows its id, group and verdict only, with the verdict's title as its message: a
checker message or a traceback could quote its input or expected values, and its exact time
could tell what its input is (its time_ms and cpu_ms are null; the whole run's times stay). When any
hidden case ran, the run's stderr is dropped (the learner's own output could print the hidden
inputs it was called with); when the failing case is hidden, the overall message says only
where it failed.

The judge applies the rule as it reports each case (`case_message`, `overall_message`); the
CLI's JSON, the web's stored results, the API, the pages and the live events apply it again
to the JSON (`hidden_case`, `learner_case`, `learner_report`), whoever made the report.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from judgekit.judge.verdict import Verdict


def _title(verdict: str) -> str:
    try:
        return Verdict(verdict).title
    except ValueError:
        return verdict


_SHOWN_HIDDEN_ID = re.compile(r"[^/]+/case-(?:[0-9]{1,6}|x[0-9a-f]{8})")


def hidden_case_id(group: str, ordinal: int) -> str:
    """The id a learner sees for the ORDINAL-th (from 1) case of hidden GROUP: never its file
    name, which may say what the case tests (`secret/10-zero-x`)."""
    return f"{group}/case-{ordinal:03d}"


def _shown_hidden_id(case_id: object, group: object) -> str:
    """A stored hidden case's id as shown: kept when it is one of `hidden_case_id`'s, else (a
    judge host that stored the file name) a label that tells nothing of it."""
    text = str(case_id)
    if _SHOWN_HIDDEN_ID.fullmatch(text):
        return text
    return f"{group}/case-x{hashlib.sha256(text.encode('utf-8', 'replace')).hexdigest()[:8]}"


def case_message(verdict: Verdict, message: str, *, public: bool) -> str:
    """A case's message as the learner sees it."""
    return message if public else verdict.title


def overall_message(verdict: Verdict, case_id: str, message: str, *, public: bool) -> str:
    """The report's message for a run that failed on CASE_ID."""
    return f"{verdict.title} on {case_id}: {message}" if public else f"{verdict.title} on {case_id}"


def hidden_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """A hidden case's JSON as the learner sees it."""
    verdict = str(case.get("verdict", ""))
    return {
        "id": _shown_hidden_id(case.get("id"), case.get("group")),
        "group": case.get("group"),
        "verdict": verdict,
        "time_ms": None,
        "cpu_ms": None,
        "message": _title(verdict),
    }


def learner_case(case: Mapping[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    """A case's JSON as the learner sees it, HIDDEN naming the hidden test groups."""
    return hidden_case(case) if case.get("group") in hidden else dict(case)


def learner_report(report: Mapping[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    """A report's JSON as the learner sees it, HIDDEN naming the hidden test groups."""
    data = dict(report)
    cases = [learner_case(case, hidden) for case in data.get("cases", [])]
    if "cases" in data:
        data["cases"] = cases
    if any(case.get("group") in hidden for case in cases):
        data.pop("stderr", None)
    failing = next((c for c in cases if c.get("verdict") != Verdict.AC.value), None)
    if failing is not None and failing.get("group") in hidden:
        data["message"] = f"{_title(str(failing.get('verdict', '')))} on {failing.get('id')}"
    return data
