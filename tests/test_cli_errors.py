"""Bad input on the command line, as a new user would give it: each is one line on stderr,
`judgekit: error: ...` naming the argument and what to do, no traceback, and exit code 2
(the documented code for a usage error)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest
from judgekit.cli import build_parser, main
from judgekit.exit_codes import ExitCode
from repo_support import judgekit_command

SERVE = judgekit_command("serve")


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The only line on stderr, which must be judgekit's error line."""
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("judgekit: error: "), err
    return lines[0].removeprefix("judgekit: error: ")


def _parse_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The `error:` line argparse prints after the usage when ARGV does not parse (exit 2).

    Only parsed, never run: a regression must fail here, not start a server or a judge."""
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert err.startswith("usage: judgekit"), err
    return err.strip().splitlines()[-1]


def test_the_help_documents_every_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit codes: 0 success" in text
    assert "1 a learner verdict other than AC, or a check that found problems" in text
    assert "2 a usage error" in text and "judge error (JE)" in text
    assert "130 interrupted" in text
    assert [int(code) for code in ExitCode] == [0, 1, 2, 130]


@pytest.mark.parametrize("port", ["99999", "0", "-1", "eighty"])
def test_serve_rejects_a_port_outside_1_to_65535_while_parsing(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "argument --port:" in _parse_error(["serve", "--port", port], capsys)


def test_serve_on_a_port_in_use_says_so_and_exits_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        completed = subprocess.run(
            [*SERVE, "--port", str(port), "--data", str(tmp_path / "data")],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.strip().splitlines() == [
        f"judgekit: error: cannot listen on 127.0.0.1:{port}: address already in use; "
        "pick another --port"
    ]


def test_serve_on_a_host_that_is_not_ours_says_so(tmp_path: Path) -> None:
    completed = subprocess.run(
        [*SERVE, "--host", "192.0.2.1", "--data", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.strip().splitlines() == [
        "judgekit: error: cannot listen on 192.0.2.1:8000: no such address on this machine; "
        "pick another --host"
    ]


@pytest.mark.parametrize("value", ["0", "-3"])
@pytest.mark.parametrize("option", ["--judging-threads", "--workers", "--max-pending"])
def test_serve_needs_at_least_one_judging_thread_and_pending_slot(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _parse_error(["serve", option, value], capsys)
    assert f"argument {option}: {value}: must be at least 1" in line


def test_a_negative_fuzz_count_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    line = _parse_error(["run", "x.py", "--fuzz", "-1"], capsys)
    assert "argument --fuzz: -1: must be 0 or more" in line


def test_generate_into_a_folder_that_cannot_be_made(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--out", "/proc/x"]) == 2
    line = _error_line(capsys)
    assert line.startswith("--out /proc/x: cannot create it (")
    assert line.endswith("; give a folder you can write in")


def test_generate_into_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    assert main(["generate", "--out", str(a_file)]) == 2
    assert _error_line(capsys) == (
        f"--out {a_file}: exists and is not a folder; give a folder to write in"
    )


def test_run_a_folder_says_it_is_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(tmp_path)]) == 2
    assert _error_line(capsys) == f"SUBMISSION.py {tmp_path}: is a folder; give the path of a file"


def test_run_a_missing_file_says_no_such_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.py"
    assert main(["run", str(missing)]) == 2
    assert _error_line(capsys) == f"SUBMISSION.py {missing}: no such file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_run_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked.py"
    locked.write_text("x = 1\n")
    locked.chmod(0)
    assert main(["run", str(locked)]) == 2
    assert "permission denied" in _error_line(capsys)


def test_a_problem_path_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "problem.yaml"
    a_file.write_text("x")
    assert main(["--problem", str(a_file), "validate"]) == 2
    assert _error_line(capsys) == f"--problem {a_file}: not a folder; give the path of a folder"


def test_a_missing_problem_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--problem", str(tmp_path / "nope"), "run", "x.py"]) == 2
    assert _error_line(capsys) == f"--problem {tmp_path / 'nope'}: no such folder"


@pytest.mark.parametrize("command", [["serve"], ["users", "add", "carol", "--password-stdin"]])
def test_a_data_folder_that_is_a_file(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "data"
    a_file.write_text("x")
    assert main([*command, "--data", str(a_file)]) == 2
    assert _error_line(capsys) == (
        f"--data {a_file}: exists and is not a folder; give a folder to write in"
    )


@pytest.mark.parametrize("command", [["serve"], ["users", "add", "carol", "--password-stdin"]])
def test_a_data_folder_holding_something_that_is_not_a_database(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "judge.sqlite3").write_bytes(b"not a database, just text" * 100)
    assert main([*command, "--data", str(tmp_path)]) == 2
    line = _error_line(capsys)
    assert line.startswith(f"--data {tmp_path}: cannot open judge.sqlite3 there (")
    assert line.endswith("give the judge's data folder, or an empty one")


def test_verify_only_matching_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--only", "no-such-submission"]) == 2
    assert (
        _error_line(capsys) == "--only no-such-submission: no known submission's name contains it"
    )


def test_verify_needs_at_least_one_job(capsys: pytest.CaptureFixture[str]) -> None:
    assert "argument --jobs: 0: must be at least 1" in _parse_error(
        ["verify", "--jobs", "0"], capsys
    )
