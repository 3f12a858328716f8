"""Every known submission gets the verdict its folder declares: `judgekit verify` runs them
all in the real sandbox, checks the time limit, and leaves no container behind."""

from __future__ import annotations

import subprocess

import pytest
from judgekit.cli import main
from judgekit.judge.known_submissions import FOLDER_VERDICTS, known_submissions
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem
from sandbox_support import require_sandbox


def test_the_corpus_covers_every_verdict_folder_and_the_security_probes(problem: Problem) -> None:
    corpus = known_submissions(problem)
    assert len(corpus) >= 25
    declared = {v for k in corpus for v in k.expected}
    assert set(FOLDER_VERDICTS.values()) <= declared
    probes = [k for k in corpus if k.name.startswith("security/")]
    assert len(probes) >= 6 and all(Verdict.AC not in k.expected for k in probes)


@pytest.mark.docker
def test_judgekit_verify_passes_on_the_whole_corpus(problem: Problem) -> None:
    require_sandbox(problem.root)
    disk_before = subprocess.run(["df", "--output=used", "/"], capture_output=True, text=True)
    assert main(["--problem", str(problem.root), "verify"]) == 0
    leftover = subprocess.run(
        ["docker", "ps", "-aq", "--filter", "label=judgekit.sandbox"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert leftover == []
    disk_after = subprocess.run(["df", "--output=used", "/"], capture_output=True, text=True)
    used_before = int(disk_before.stdout.split()[-1])
    used_after = int(disk_after.stdout.split()[-1])
    assert used_after - used_before < 100 * 1024  # KiB: nothing big left behind
