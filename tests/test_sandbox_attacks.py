"""Attacks on the judge itself, through the real sandbox: its limits hold, its memory stays
bounded, and the learner's process can reach neither the result channel nor its nonce."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

import pytest
from judgekit.judge.judging import judge_submission
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.frames import Result
from judgekit.sandbox.outcome import Job, KillReason, RunOutcome

pytestmark = pytest.mark.docker

PIPE_WRITER = """
import json, os, sys, threading, time

def send(message):
    # The runner's argv names the pipe to the supervisor: the learner can write to it.
    os.write(int(sys.argv[2]), (json.dumps(message) + "\\n").encode())
"""


@pytest.fixture(scope="module")
def sandbox(problem: Problem, image: str) -> Sandbox:
    return Sandbox(problem.root)


def _run(
    problem: Problem,
    image: str,
    sandbox: Sandbox,
    tmp_path: Path,
    source: str,
    *,
    cases: int = 1,
    **limits: Any,
) -> tuple[RunOutcome, float]:
    submission = tmp_path / "submission.py"
    submission.write_text(source)
    inputs = [{"seed": 0, "x": [1.0], "features": 1, "frozen_bias_value": 1}] * cases
    job = Job(
        submission=submission,
        inputs=inputs,
        function=problem.entry_point.function,
        parameters=problem.entry_point.runner_parameters(),
        limits=dataclasses.replace(problem.limits, **limits),
        device=Device.CPU,
        image=image,
    )
    started = time.monotonic()
    outcome = sandbox.run(job)
    return outcome, time.monotonic() - started


def test_frames_that_are_not_progress_never_move_the_case_deadline(
    problem: Problem, image: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = PIPE_WRITER + (
        "def keep_alive():\n"
        "    while True:\n"
        "        send({'event': 'ready'})\n"
        "        time.sleep(0.5)\n"
        "def frozen_kernel_unchanged(*args):\n"
        "    threading.Thread(target=keep_alive, daemon=True).start()\n"
        "    time.sleep(30)\n"
        "    return [1, 2, 3]\n"
    )
    outcome, seconds = _run(problem, image, sandbox, tmp_path, source, time_per_case_s=3)
    assert outcome.killed_for is KillReason.PROTOCOL
    assert "ready" in (outcome.protocol_error or "")
    assert seconds < 25


def test_a_silent_slow_case_is_killed_at_the_case_limit(
    problem: Problem, image: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = "import time\ndef frozen_kernel_unchanged(*args):\n    time.sleep(30)\n"
    outcome, seconds = _run(problem, image, sandbox, tmp_path, source, time_per_case_s=2)
    assert outcome.killed_for is KillReason.CASE_TIME
    assert seconds < 25


def test_each_case_in_order_is_progress_and_moves_the_deadline(
    problem: Problem, image: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = (
        "import time\n"
        "def frozen_kernel_unchanged(*args):\n"
        "    time.sleep(1.2)\n"
        "    return [1, 2, 3]\n"
    )
    outcome, _ = _run(problem, image, sandbox, tmp_path, source, cases=4, time_per_case_s=2)
    assert outcome.killed_for is None
    assert outcome.exit_code is None  # completed: removed at `done`, no exit of its own
    assert [t.frame.case for t in outcome.frames if isinstance(t.frame, Result)] == [0, 1, 2, 3]


def test_a_forged_ready_during_a_slow_import_does_not_extend_start_up(
    problem: Problem, image: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = PIPE_WRITER + (
        "def keep_alive():\n"
        "    while True:\n"
        "        send({'event': 'ready'})\n"
        "        time.sleep(0.5)\n"
        "threading.Thread(target=keep_alive, daemon=True).start()\n"
        "time.sleep(40)\n"
        "def frozen_kernel_unchanged(*args):\n"
        "    return [1, 2, 3]\n"
    )
    outcome, seconds = _run(
        problem, image, sandbox, tmp_path, source, startup_s=20, time_per_case_s=3
    )
    assert outcome.killed_for in (KillReason.PROTOCOL, KillReason.CASE_TIME)
    assert seconds < 30


def test_a_message_to_the_pipe_after_the_platform_cannot_change_it(
    problem: Problem, image: str, tmp_path: Path
) -> None:
    forger = tmp_path / "forger.py"
    forger.write_text(
        PIPE_WRITER + "def frozen_kernel_unchanged(*args):\n"
        "    send({'event': 'platform', 'platform': 'gpu'})\n"
        "    send({'event': 'ready', 'platform': 'gpu'})\n"
        "    return [1, 2, 3]\n"
    )
    report = judge_submission(problem, forger, groups=["sample"])
    assert report.verdict is Verdict.RTE
    assert report.platform == "cpu"
    assert "protocol" in report.message


def test_the_learner_holds_neither_the_channel_nor_the_nonce(
    problem: Problem, image: str, tmp_path: Path
) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import json, os\n"
        "def frozen_kernel_unchanged(*args):\n"
        "    found = []\n"
        "    if os.path.exists('/judge/job'):\n"
        "        found.append('a job folder')\n"
        "    if any('NONCE' in k for k in os.environ):\n"
        "        found.append('environment')\n"
        "    for name in ('environ', 'cmdline', 'mem', 'fd/1'):\n"
        "        try:\n"
        "            with open(f'/proc/1/{name}', 'rb') as f:\n"
        "                if name != 'cmdline' and f.read(1) is not None:\n"
        "                    found.append(f'/proc/1/{name}')\n"
        "        except OSError:\n"
        "            pass\n"
        "    try:\n"
        "        os.write(os.open('/proc/1/fd/1', os.O_WRONLY), b'x')\n"
        "        found.append('the channel')\n"
        "    except OSError:\n"
        "        pass\n"
        "    if os.getpid() == 1 or os.getppid() != 1:\n"
        "        found.append(f'pid {os.getpid()} under {os.getppid()}')\n"
        "    if found:\n"
        "        raise RuntimeError('reached: ' + ', '.join(found))\n"
        "    return [1, 2, 3]\n"
    )
    report = judge_submission(problem, probe, groups=["sample"])
    assert report.verdict is Verdict.WA, report.message  # returned: nothing was reached


def test_a_flood_keeps_the_judges_memory_bounded(problem: Problem, image: str) -> None:
    """1,500 lines of 64 KB to every fd: the judge holds a bounded share of them at a time,
    not the whole flood (gigabytes); measured in a fresh judge process (peak RSS of
    children), against an honest run of the same command."""

    def peak_rss_mib(submission: Path) -> tuple[float, str]:
        code = (
            "import resource, subprocess, sys\n"
            "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "print(peak, done.stdout.splitlines()[1] if done.stdout else done.stderr[-300:])\n"
        )
        command = [sys.executable, "-c", code, str(Path(sys.executable).parent / "judgekit")]
        command += ["--problem", str(problem.root), "run", str(submission), "--cases", "sample"]
        command += ["--json"]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        peak, _, verdict = out.partition(" ")
        return int(peak) / 1024, verdict  # ru_maxrss is in KiB on Linux

    honest, _ = peak_rss_mib(problem.root / "reference" / "frozen_kernel_unchanged.py")
    flood, verdict = peak_rss_mib(problem.root / "submissions/security/channel_flood.py")
    output = problem.root / "submissions/output_limit_exceeded/output_flood.py"
    stderr_flood, _ = peak_rss_mib(output)
    assert '"verdict": "RTE"' in verdict or '"verdict": "OLE"' in verdict
    assert flood - honest < 48, f"judge peak RSS {flood:.0f} MiB vs {honest:.0f} MiB honest"
    assert stderr_flood - honest < 48


def test_no_case_input_is_in_reach_before_its_turn(
    problem: Problem, image: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = (
        "import os\n"
        "def search():\n"
        "    found = []\n"
        "    for top in ('/judge', '/tmp', '/proc/1/root', '/proc/1/fd'):\n"
        "        for folder, _, names in os.walk(top):\n"
        "            for name in names:\n"
        "                path = os.path.join(folder, name)\n"
        "                if path.endswith('submission.py'):  # this very text\n"
        "                    continue\n"
        "                try:\n"
        "                    if b'frozen_bias_value' in open(path, 'rb').read():\n"
        "                        found.append(path)\n"
        "                except OSError:\n"
        "                    pass\n"
        "    return found\n"
        "AT_IMPORT = search()\n"
        "def frozen_kernel_unchanged(seed, x, features, bias):\n"
        "    found = AT_IMPORT + search()\n"
        "    if found:\n"
        "        raise RuntimeError(f'inputs found: {found}')\n"
        "    return [seed, features, bias]\n"
    )
    outcome, _ = _run(problem, image, sandbox, tmp_path, source, cases=3)
    results = [t.frame for t in outcome.frames if isinstance(t.frame, Result)]
    assert [r.values for r in results] == [(0.0, 1.0, 1.0)] * 3, outcome.frames


def test_hidden_inputs_never_reach_what_a_learner_sees(
    problem: Problem, image: str, tmp_path: Path
) -> None:
    from judgekit.judge.learner_view import learner_report
    from judgekit.package.testcase import load_cases

    leaker = tmp_path / "leaker.py"
    leaker.write_text(
        "import sys\n"
        "SEEN = []\n"
        "def frozen_kernel_unchanged(seed, x, features, bias):\n"
        "    SEEN.append(repr(float(bias)))\n"
        "    print('seen:', SEEN, file=sys.stderr)\n"
        "    raise RuntimeError('seen: ' + ' '.join(SEEN))\n"
    )
    report = judge_submission(problem, leaker)
    learner_view = json.dumps(learner_report(report, problem.hidden_groups).to_json())
    hidden = [c for c in load_cases(problem.testcases_dir, ["secret"])]
    distinctive = {repr(float(cast(float, c.input["frozen_bias_value"]))) for c in hidden}
    distinctive = {text for text in distinctive if len(text) >= 6}
    assert len(distinctive) > 50
    leaked = sorted(text for text in distinctive if text in learner_view)
    assert leaked == []
    assert report.verdict is Verdict.RTE


def test_output_after_the_last_case_is_answered_is_not_charged(
    problem: Problem, image: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    """Printing past the cap once every case has its result changes no verdict: the judge
    stops counting output there (here the flood comes before `done`, held back on purpose)."""
    source = (
        "import os, sys, time\n"
        "runner = sys.modules['__main__']\n"
        "send = runner.Reporter.send\n"
        "def late_flood(self, message):\n"
        "    if message.get('event') == 'done':\n"
        "        time.sleep(0.5)\n"
        "        os.write(2, b'x' * (1 << 20))\n"
        "        time.sleep(0.5)\n"
        "    send(self, message)\n"
        "runner.Reporter.send = late_flood\n"
        "def frozen_kernel_unchanged(*args):\n"
        "    return [1, 2, 3]\n"
    )
    outcome, _ = _run(problem, image, sandbox, tmp_path, source, cases=2)
    assert outcome.killed_for is None
    assert [t.frame.case for t in outcome.frames if isinstance(t.frame, Result)] == [0, 1]
    assert outcome.output_bytes < problem.limits.output_bytes


def test_a_public_case_cannot_measure_the_hidden_inputs_in_the_supervisors_memory(
    problem: Problem, image: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    """/proc/1/status is world-readable: PID 1's memory must not tell how large the inputs
    of cases still to come are. The judge sends each input only when its turn comes."""
    source = (
        "import time\n"
        "def frozen_kernel_unchanged(*args):\n"
        "    time.sleep(2)  # time enough for inputs sent early to reach PID 1\n"
        "    status = open('/proc/1/status').read().split('VmRSS:')[1].split()[0]\n"
        "    return [float(status), 0.0, 0.0]\n"
    )
    small = {"seed": 0, "x": [1.0], "features": 1, "frozen_bias_value": 1}
    large = {**small, "x": [0.123456789] * 400_000}  # about 5 MB of JSON, 400 K floats parsed
    seen = []
    for later in (small, large):
        submission = tmp_path / "submission.py"
        submission.write_text(source)
        job = Job(
            submission=submission,
            inputs=[small, later],
            function=problem.entry_point.function,
            parameters=problem.entry_point.runner_parameters(),
            limits=problem.limits,
            device=Device.CPU,
            image=image,
        )
        outcome = sandbox.run(job)
        first = next(t.frame for t in outcome.frames if isinstance(t.frame, Result))
        assert first.values is not None
        seen.append(first.values[0])
    assert abs(seen[1] - seen[0]) < 1024, f"PID 1's VmRSS (KiB) at case 0: {seen}"
