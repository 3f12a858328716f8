"""`judgekit run` in a real pseudo-terminal, with the real sandbox, on a submission whose
exception message is markup plus a terminal reset: the screen shows the true verdict and the
message as written, and the exit code is the verdict's."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import time
from pathlib import Path

import pytest
from judgekit.package.problem import Problem
from repo_support import REPO_ROOT, judgekit_command
from sandbox_support import require_sandbox

pytestmark = pytest.mark.docker

HOSTILE_SUBMISSION = (
    "def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):\n"
    "    raise ValueError('[/] \\x1bc [bold green]AC Accepted[/]')\n"
)
SGR = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")  # Rich's own colours and cursor moves


def _run_in_pty(args: list[str], cwd: Path, timeout_s: float) -> tuple[int, bytes]:
    """Run ARGS with a pty as stdin, stdout and stderr; return its exit code and all output."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "50"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        args, cwd=cwd, stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    output = bytearray()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    try:
        code = process.wait(max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"judgekit run hung; output so far: {bytes(output)!r}") from None
    return code, bytes(output)


def test_markup_and_a_terminal_reset_in_an_exception_show_as_text(
    problem: Problem, tmp_path: Path
) -> None:
    require_sandbox(problem.root)
    submission = tmp_path / "hostile.py"
    submission.write_text(HOSTILE_SUBMISSION, encoding="utf-8")
    code, output = _run_in_pty(
        judgekit_command("run", str(submission), "--cases", "sample"),
        cwd=REPO_ROOT,
        timeout_s=300,
    )
    text = SGR.sub(b"", output).decode("utf-8", errors="replace")
    assert code == 1, text
    assert "\x1bc" not in text and "\x1b" not in text, repr(text)
    assert re.search(r"^RTE Run-Time Error", text, re.MULTILINE), text
    assert "[/] \\x1bc [bold green]AC Accepted[/]" in text, text
