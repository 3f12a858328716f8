"""Deciding how a run ended and each case's verdict: one test per rule, in the rules' order."""

from __future__ import annotations

import dataclasses

import pytest
from judgekit.judge.rules import (
    CaseFacts,
    Clock,
    Decision,
    Kill,
    RunEnd,
    RunFacts,
    RunShowed,
    decide_case,
    needs_rerun,
    overall,
    run_facts,
)
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Limits, TimeClock, WallBackstop
from judgekit.sandbox.outcome import KillReason, LimitClock

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


def test_a_case_that_returned_no_array_is_a_run_time_error_saying_what_it_returned() -> None:
    returned = CaseFacts(bad_result="returned a dict; expected an array of 3 numbers")
    decision = decide_case(FINISHED, returned, first_unanswered=True)
    assert decision == Decision(
        Verdict.RTE, "your function returned a dict; expected an array of 3 numbers"
    )
    assert returned.answered and not UNANSWERED.answered


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


# -- how the run ended (run_facts) ---------------------------------------------------------

LIMITS = Limits(
    time_per_case_s=10,
    startup_s=30,
    total_time_s=180,
    memory_mib=2048,
    output_bytes=65536,
    submission_bytes=262144,
    clock=TimeClock.CPU,
    wall_backstop=WallBackstop(factor=3, slack_s=10),
)


def ended(showed: RunShowed, device: Device = Device.CPU) -> RunFacts:
    return run_facts(showed, LIMITS, device)


def test_the_rules_know_every_reason_the_sandbox_kills_for() -> None:
    assert {k.value for k in Kill} == {k.value for k in KillReason}


def test_a_clean_exit_is_a_finished_run() -> None:
    assert ended(RunShowed(exit_code=0)) == RunFacts(end=RunEnd.FINISHED, exit_code=0)


def test_the_rules_know_every_clock_the_sandbox_times_with() -> None:
    assert {c.value for c in Clock} == {c.value for c in LimitClock}


def test_the_case_clock_is_out_of_time_and_names_the_limit_and_its_clock() -> None:
    facts = ended(RunShowed(killed_for=Kill.CASE_TIME, exit_code=137, clock=Clock.CPU))
    assert facts.end is RunEnd.OUT_OF_TIME
    assert facts.detail == "no result within 10 s of CPU time"


def test_the_wall_backstop_says_the_case_waited_and_names_both_limits() -> None:
    facts = ended(RunShowed(killed_for=Kill.CASE_TIME, clock=Clock.WALL))
    assert facts.end is RunEnd.OUT_OF_TIME and facts.judge_error is None
    assert facts.detail.startswith("no result within 40 s of wall-clock time")
    assert "10 s of CPU time" in facts.detail


def test_the_startup_clock_is_out_of_time_while_loading() -> None:
    facts = ended(RunShowed(killed_for=Kill.STARTUP_TIME, clock=Clock.CPU))
    assert facts.end is RunEnd.OUT_OF_TIME
    assert facts.detail == "the submission did not finish loading within 30 s of CPU time"


def test_the_total_clock_is_out_of_time_for_the_whole_run() -> None:
    facts = ended(RunShowed(killed_for=Kill.TOTAL_TIME, clock=Clock.CPU))
    assert facts.end is RunEnd.OUT_OF_TIME
    assert facts.detail == "the whole run took over 180 s of CPU time"


def test_limits_on_the_wall_clock_name_plain_seconds() -> None:
    wall = dataclasses.replace(LIMITS, clock=TimeClock.WALL)
    facts = run_facts(RunShowed(killed_for=Kill.CASE_TIME, clock=Clock.WALL), wall, Device.CPU)
    assert facts.detail == "no result within 10 s"


@pytest.mark.parametrize("kill", [Kill.STARTUP_TIME, Kill.CASE_TIME, Kill.TOTAL_TIME])
def test_a_run_the_host_starved_is_judged_again_and_then_a_judge_error(kill: Kill) -> None:
    showed = RunShowed(killed_for=kill, clock=Clock.STARVED, starved_ms=150_000)
    assert needs_rerun(showed)
    facts = ended(showed)
    assert facts.judge_error is not None and "overloaded" in facts.judge_error
    decision = decide_case(facts, CaseFacts(), first_unanswered=True)
    assert decision.verdict is Verdict.JE


@pytest.mark.parametrize("clock", [Clock.CPU, Clock.WALL, None])
def test_a_run_out_of_its_own_time_is_not_judged_again(clock: Clock | None) -> None:
    assert not needs_rerun(RunShowed(killed_for=Kill.CASE_TIME, clock=clock))
    assert not needs_rerun(RunShowed(killed_for=Kill.OUTPUT, clock=Clock.STARVED))


def test_a_clock_beats_an_oom_kill() -> None:
    showed = RunShowed(killed_for=Kill.CASE_TIME, oom_killed=True, exit_code=137)
    assert ended(showed).end is RunEnd.OUT_OF_TIME


def test_the_engines_oom_kill_is_out_of_memory_and_names_the_limit() -> None:
    facts = ended(RunShowed(oom_killed=True, exit_code=137))
    assert facts.end is RunEnd.OUT_OF_MEMORY and facts.detail == "2048 MiB"


def test_an_oom_kill_beats_the_output_limit() -> None:
    showed = RunShowed(killed_for=Kill.OUTPUT, oom_killed=True)
    assert ended(showed).end is RunEnd.OUT_OF_MEMORY


def test_too_much_output_is_the_output_limit() -> None:
    facts = ended(RunShowed(killed_for=Kill.OUTPUT))
    assert facts.end is RunEnd.OUTPUT_LIMIT and facts.detail == "65536 bytes"


def test_a_tampered_result_channel_is_a_protocol_end_with_its_reason() -> None:
    facts = ended(RunShowed(killed_for=Kill.PROTOCOL, protocol_error="bad frame"))
    assert facts.end is RunEnd.PROTOCOL and facts.detail == "bad frame"


def test_a_non_zero_exit_otherwise_is_a_crash() -> None:
    assert ended(RunShowed(exit_code=139)) == RunFacts(end=RunEnd.CRASHED, exit_code=139)


def test_an_interrupted_run_that_exited_cleanly_is_finished() -> None:
    assert ended(RunShowed(killed_for=Kill.INTERRUPTED, exit_code=0)).end is RunEnd.FINISHED


def test_the_sandboxs_judge_error_and_load_error_are_kept() -> None:
    facts = ended(RunShowed(judge_error="engine down", load_error="ImportError: torch"))
    assert facts.judge_error == "engine down" and facts.load_error == "ImportError: torch"


def test_a_gpu_run_that_ran_on_the_cpu_is_a_judge_error() -> None:
    facts = ended(RunShowed(platform="cpu", exit_code=0), Device.GPU)
    assert facts.judge_error is not None and "GPU is not available" in facts.judge_error


def test_a_gpu_run_on_the_gpu_or_that_never_got_ready_is_no_judge_error() -> None:
    assert ended(RunShowed(platform="gpu"), Device.GPU).judge_error is None
    assert ended(RunShowed(platform=None), Device.GPU).judge_error is None


def test_the_sandboxs_own_judge_error_wins_over_the_platform_check() -> None:
    facts = ended(RunShowed(judge_error="engine down", platform="cpu"), Device.GPU)
    assert facts.judge_error == "engine down"


def test_a_cpu_run_may_run_on_the_cpu() -> None:
    assert ended(RunShowed(platform="cpu")).judge_error is None
