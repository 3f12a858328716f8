"""Deciding a case's verdict: one test per rule, in the rules' order."""

from __future__ import annotations

from judgekit.judge.rules import CaseFacts, Decision, RunEnd, RunFacts, decide_case, overall
from judgekit.judge.verdict import Verdict

FINISHED = RunFacts(end=RunEnd.FINISHED, exit_code=0)
ANSWERED_RIGHT = CaseFacts(returned=True, accepted=True, check_message="ok")
ANSWERED_WRONG = CaseFacts(returned=True, accepted=False, check_message="element 1 differs")
UNANSWERED = CaseFacts()


def verdict(run: RunFacts, case: CaseFacts, first: bool = True) -> Verdict:
    return decide_case(run, case, first_unanswered=first).verdict


def test_a_judge_error_beats_everything_and_says_it_is_not_the_learners_fault() -> None:
    run = RunFacts(end=RunEnd.OUT_OF_TIME, judge_error="engine down", load_error="x")
    decision = decide_case(run, ANSWERED_RIGHT, first_unanswered=True)
    assert decision.verdict is Verdict.JE and "not your fault" in decision.message


def test_a_file_that_did_not_load_is_a_compile_error() -> None:
    run = RunFacts(end=RunEnd.CRASHED, exit_code=1, load_error="ImportError: torch")
    assert verdict(run, UNANSWERED) is Verdict.CE


def test_a_case_that_raised_is_a_run_time_error() -> None:
    assert verdict(FINISHED, CaseFacts(raised="ValueError: no")) is Verdict.RTE


def test_a_returned_result_is_judged_by_the_checker_even_if_the_run_died_later() -> None:
    later_oom = RunFacts(end=RunEnd.OUT_OF_MEMORY, exit_code=137)
    assert verdict(later_oom, ANSWERED_RIGHT) is Verdict.AC
    assert verdict(FINISHED, ANSWERED_WRONG) is Verdict.WA


def test_no_result_before_the_clock_ran_out_is_tle() -> None:
    assert verdict(RunFacts(end=RunEnd.OUT_OF_TIME, detail="10 s"), UNANSWERED) is Verdict.TLE


def test_no_result_after_the_engine_killed_for_memory_is_mle() -> None:
    run = RunFacts(end=RunEnd.OUT_OF_MEMORY, exit_code=137, detail="2048 MiB")
    assert verdict(run, UNANSWERED) is Verdict.MLE


def test_exit_137_without_an_oom_kill_is_not_mle() -> None:
    assert verdict(RunFacts(end=RunEnd.CRASHED, exit_code=137), UNANSWERED) is Verdict.RTE


def test_no_result_after_too_much_output_is_ole() -> None:
    assert (
        verdict(RunFacts(end=RunEnd.OUTPUT_LIMIT, detail="65536 bytes"), UNANSWERED) is Verdict.OLE
    )


def test_exiting_zero_without_every_result_is_a_run_time_error() -> None:
    decision = decide_case(FINISHED, UNANSWERED, first_unanswered=True)
    assert decision.verdict is Verdict.RTE and "exited before returning" in decision.message


def test_a_tampered_result_channel_is_a_run_time_error() -> None:
    assert verdict(RunFacts(end=RunEnd.PROTOCOL, detail="bad frame"), UNANSWERED) is Verdict.RTE


def test_cases_after_the_first_unanswered_one_say_they_did_not_run() -> None:
    decision = decide_case(RunFacts(end=RunEnd.OUT_OF_TIME), UNANSWERED, first_unanswered=False)
    assert decision.verdict is Verdict.TLE and "not run" in decision.message


def test_the_overall_verdict_is_the_first_failing_case() -> None:
    decisions = [
        Decision(Verdict.AC, ""),
        Decision(Verdict.WA, "second"),
        Decision(Verdict.TLE, "third"),
    ]
    assert overall(decisions) == Decision(Verdict.WA, "second")
    assert overall([Decision(Verdict.AC, "")] * 3).verdict is Verdict.AC
