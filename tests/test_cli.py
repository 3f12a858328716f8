"""The judgekit command: help on every subcommand, meaningful exit codes, clear errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from judgekit.cli import build_parser, main
from judgekit.exit_codes import ExitCode
from judgekit.judge.verdict import Verdict, exit_code_for
from repo_support import judgekit_command


def _subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", _subcommands())
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    assert "usage: judgekit" in capsys.readouterr().out


def test_the_console_script_runs() -> None:
    completed = subprocess.run(
        judgekit_command("--help"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert "generate" in completed.stdout and "validate" in completed.stdout


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    assert main([]) == 2


def test_run_and_submit_exit_0_on_ac_1_on_another_learner_verdict_and_2_on_a_judge_error() -> None:
    codes = {verdict: exit_code_for(verdict) for verdict in Verdict}
    assert codes.pop(Verdict.AC) is ExitCode.OK
    assert codes.pop(Verdict.JE) is ExitCode.USAGE
    assert set(codes.values()) == {ExitCode.FAILED}  # WA, TLE, MLE, RTE, OLE, CE


def test_a_missing_problem_yaml_is_a_finding_of_validate_and_a_usage_error_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--problem", str(tmp_path), "validate"]) == ExitCode.FAILED
    assert "problem.yaml" in capsys.readouterr().err
    assert main(["--problem", str(tmp_path), "generate"]) == ExitCode.USAGE
    assert "problem.yaml" in capsys.readouterr().err
