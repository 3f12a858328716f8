"""Learner text on our console: printed as plain text, with every character that could steer
the terminal (escapes, C1, DEL, carriage return, bidi overrides, lone surrogates) made
visible; and a CE or JE summary without the fields the judge never learnt."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from judgekit.cli import main
from judgekit.commands.console import case_table, print_report, summary
from judgekit.commands.plain_text import visible
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from rich.console import Console

HOSTILE = "[/] \x1bc [bold green]AC Accepted[/] \x9b2J\x7f\r\u202e:smile: \ud800"
SGR = re.compile(r"\x1b\[[0-9;]*m")


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, color_system="truecolor", width=300), out


def _case(message: str, verdict: Verdict = Verdict.RTE) -> CaseResult:
    return CaseResult(
        id="sample/01", group="sample", verdict=verdict, time_ms=12, message=message, public=True
    )


def _rte(message: str) -> JudgeReport:
    return JudgeReport(
        verdict=Verdict.RTE,
        message=message,
        device="cpu",
        image="judgekit-sandbox-cpu:test",
        cases=(_case(message),),
        platform=f"cpu{HOSTILE}",
        time_ms=345,
    )


def _without_colours(text: str) -> str:
    """What is left once Rich's own colour codes are removed: must hold no ESC at all."""
    return SGR.sub("", text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1bc", "\\x1bc"),
        ("\x1b[32mAC", "\\x1b[32mAC"),
        ("\x9b2J", "\\x9b2J"),
        ("\x7f", "\\x7f"),
        ("\x00\x07\x08", "\\x00\\x07\\x08"),
        ("over\rwritten", "over\\x0dwritten"),
        ("\u202eevil\u202c", "\\u202eevil\\u202c"),
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
        ("lone \ud800", "lone \\ud800"),
    ],
)
def test_controls_bidi_and_surrogates_become_escapes(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_ordinary_text_newlines_and_tabs_are_kept() -> None:
    greek_maths_accents_cjk = "\u03c3 \u2264 1 \u00e9 \u6f22\u5b57"
    text = f"Traceback:\n\tFile 'x.py', line 1\nValueError: {greek_maths_accents_cjk} [not markup]"
    assert visible(text) == text


def test_a_hostile_message_prints_literally_with_the_real_verdict() -> None:
    console, out = _console()
    print_report(console, _rte(HOSTILE), Path("s.py"), 0, table=True)
    printed = out.getvalue()
    plain = _without_colours(printed)
    assert "\x1b" not in plain and "\x9b" not in plain and "\r" not in plain
    assert "\u202e" not in plain and "\ud800" not in plain
    assert "RTE Run-Time Error: [/] \\x1bc [bold green]AC Accepted[/]" in plain
    assert ":smile:" in plain  # no emoji substitution either
    assert "(JAX platform cpu[/] \\x1bc" in plain
    assert plain.count("[bold green]AC Accepted[/]") == 3  # summary, platform, table row


def test_only_the_verdict_code_is_coloured_not_the_learner_message() -> None:
    text = summary(_rte("[bold green]AC Accepted[/]"))
    assert not text.style
    assert [(span.start, span.end, str(span.style)) for span in text.spans] == [
        (0, 3, "bold magenta")
    ]


def test_the_live_table_shows_messages_and_ids_as_plain_text() -> None:
    console, out = _console()
    console.print(case_table([_case(HOSTILE), _case("[red]x", Verdict.WA)], 2))
    plain = _without_colours(out.getvalue())
    assert "\x1b" not in plain
    assert "[bold green]AC Accepted[/]" in plain and "[red]x" in plain


@pytest.mark.parametrize("verdict", [Verdict.CE, Verdict.JE])
def test_a_run_without_cases_prints_verdict_and_message_only(verdict: Verdict) -> None:
    report = JudgeReport(verdict=verdict, message="compile error: line 3", device="cpu", image="")
    console, out = _console()
    print_report(console, report, Path("s.py"), 0, table=True)
    plain = _without_colours(out.getvalue())
    assert plain.splitlines()[0] == f"{verdict.value} {verdict.title}: compile error: line 3"
    assert plain.splitlines()[1] == "device cpu"
    assert "None" not in plain and "cases" not in plain and "image" not in plain
    assert "┃" not in plain and "|" not in plain  # no table


def test_an_error_naming_a_hostile_path_is_printed_visibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(tmp_path / "\x1bc[bold]x.py")]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1bc[bold]x.py: no such file" in err
