"""`judgekit submit` against a real `judgekit serve` (started here) with the real sandboxed
judge: the reference gets AC, shown case by case in a pseudo-terminal under a progress bar
before the verdict; a known wrong submission gets WA (exit 1, `--json`)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from judgekit.package.problem import Problem
from repo_support import REFERENCE, REPO_ROOT, judgekit_command
from sandbox_support import require_sandbox
from test_untrusted_text_pty import SGR, _run_in_pty
from web_support import add_user, running_server

pytestmark = [pytest.mark.docker, pytest.mark.timeout(900)]

WRONG = REPO_ROOT / "submissions" / "wrong_answer" / "forgot_the_scaling.py"


def test_submit_shows_live_cases_then_ac_and_gets_wa_for_a_wrong_file(
    problem: Problem, tmp_path: Path
) -> None:
    require_sandbox(problem.root)
    data = tmp_path / "judge-data"
    token = add_user(data, "learner", "password for the learner")
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    submit = judgekit_command("submit", "--token-file", str(token_file))
    with running_server(data, judging_threads=1) as server:
        code, output = _run_in_pty(
            [*submit, str(REFERENCE), "--server", server.url], cwd=REPO_ROOT, timeout_s=400
        )
        text = SGR.sub(b"", output).decode("utf-8", errors="replace")
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # the bar is redrawn after \r
        assert code == 0, text
        verdict = re.search(r"^AC Accepted", text, re.MULTILINE)
        first_case = re.search(r"^AC sample/\S+", text, re.MULTILINE)
        assert verdict is not None and first_case is not None, text
        assert first_case.start() < verdict.start(), text
        total = len(re.findall(r"^AC (?:sample|secret)/", text, re.MULTILINE))
        partial = [int(n) for n in re.findall(r"judging.*?(\d+)/(?:\d+)", text)]
        assert any(0 < n < total for n in partial), text  # the bar moved while judging

        wrong = subprocess.run(
            [*submit, str(WRONG), "--server", server.url, "--json"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=400,
        )
        assert wrong.returncode == 1, wrong.stderr
        assert json.loads(wrong.stdout)["verdict"] == "WA"
