"""The Kattis-format export checked by the real problemtools `verifyproblem` (pinned in
tools/requirements-problemtools.lock, installed into its own .venv-problemtools on first use):
config, data, input and output validators and submissions, with no errors, and each
submission gets the verdict of its folder there, which is its verdict in `judgekit verify`.

CI budget (6 min on 2 cores): every run of a submission there starts Python and JAX for one
case (about 5 s of CPU), and verifyproblem runs the output validator on every case for each of
its junk outputs. So the check exports the samples and the first SECRET_CASES hidden cases
(`--secret-cases`; the default export holds every case), runs every exported submission on
them (a non-accepted one stops at its first failing case), with a FIXED_TIME_LIMIT_S of its
own: problem.yaml's 40 s (start-up plus one case, for a slow judge host) would let the
busy-looping TLE submission spin for 60 s. The statement is rendered by problemtools'
`problem2html` (pandoc); verifyproblem's statement part also needs LuaLaTeX, not installed.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from judgekit.cli import main
from judgekit.export.verdicts import KATTIS_FOLDERS, place
from judgekit.judge.known_submissions import known_submissions
from judgekit.package.problem import Problem
from repo_support import REPO_ROOT, need

pytestmark = pytest.mark.problemtools

VENV = REPO_ROOT / ".venv-problemtools"
LOCK = REPO_ROOT / "tools" / "requirements-problemtools.lock"
SECRET_CASES = 1
FIXED_TIME_LIMIT_S = 12
PARTS = ["config", "data", "validators", "submissions"]
# `   accepted/reference (Python 3) OK: AC [...]`, or `ERROR wrong_answer/x (Python 3) got AC`
RESULT = re.compile(
    r"^(?:\s+|ERROR )(?P<name>[a-z_]+/\S+) \(.*\) (?P<outcome>OK:|got) "
    r"(?P<verdict>AC|WA|TLE|RTE|JE)\b",
    re.MULTILINE,
)
FOLDER_VERDICT = {folder: verdict.value for verdict, folder in KATTIS_FOLDERS.items()}


def _problemtools() -> Path:
    """.venv-problemtools/bin, created from the lock the first time."""
    stamp = VENV / "installed.lock"
    if not stamp.is_file() or stamp.read_bytes() != LOCK.read_bytes():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        install = subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "-q", "--no-deps", "-r", str(LOCK)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        need(install.returncode == 0, f"problemtools from {LOCK}: {install.stderr[-2000:]}")
        stamp.write_bytes(LOCK.read_bytes())
    return VENV / "bin"


def _languages(home: Path) -> dict[str, str]:
    """An XDG config whose python3 is this Python (which has the pinned JAX), not pypy3."""
    folder = home / "problemtools"
    folder.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    (folder / "languages.yaml").write_text(
        "python3:\n"
        f"  compile: '{python} -m py_compile {{files}}'\n"
        f"  run: '{python} \"{{mainfile}}\"'\n",
        encoding="utf-8",
    )
    return {**os.environ, "XDG_CONFIG_HOME": str(home)}


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _submissions(out: Path) -> list[str]:
    return sorted(f"{p.parent.name}/{p.name}" for p in (out / "submissions").glob("*/*"))


def _verifyproblem(
    tools: Path, out: Path, home: Path, *args: str
) -> tuple[str, dict[str, tuple[str, str]]]:
    """The number of errors in verifyproblem's summary, and the verdict each submission got
    there (with OK, or the complaint when that is not its folder's verdict)."""
    started, cpu = time.monotonic(), _children_cpu_s()
    result = subprocess.run(
        [str(tools / "verifyproblem"), str(out), *args],
        capture_output=True,
        text=True,
        env=_languages(home),
        timeout=840,  # pytest --timeout=900; about 4 min CPU, 2-3 min on an idle 2-core host
    )
    log = result.stdout + result.stderr
    wall, used = time.monotonic() - started, _children_cpu_s() - cpu
    print(f"verifyproblem {' '.join(args)}: {wall:.0f} s wall, {used:.0f} s CPU\n{log}")
    summary = re.search(r"tested: (\d+) errors?, (\d+) warnings?", log)
    assert summary is not None, log
    verdicts = {
        m["name"]: ("OK" if m["outcome"] == "OK:" else "ERROR", m["verdict"])
        for m in RESULT.finditer(log)
    }
    return summary.group(1), verdicts


def test_verifyproblem_accepts_the_export_and_agrees_on_every_verdict(
    problem: Problem, tmp_path: Path
) -> None:
    tools = _problemtools()
    out = tmp_path / "frozenkernel"
    args = ["--problem", str(problem.root), "export", "kattis", str(out)]
    assert main([*args, "--secret-cases", str(SECRET_CASES)]) == 0
    submissions = _submissions(out)
    errors, verdicts = _verifyproblem(
        tools,
        out,
        tmp_path / "config",
        "--parts",
        *PARTS,
        "--fixed_timelim",
        str(FIXED_TIME_LIMIT_S),
        "--threads",
        "2",
    )
    assert errors == "0"
    assert verdicts == {name: ("OK", FOLDER_VERDICT[name.split("/")[0]]) for name in submissions}


def test_a_checker_that_accepts_everything_fails_the_check(
    problem: Problem, tmp_path: Path
) -> None:
    """The check above can fail: with an output validator that always says 42, a
    wrong-answer submission is accepted, and verifyproblem reports it."""
    tools = _problemtools()
    out = tmp_path / "frozenkernel"
    assert main(["--problem", str(problem.root), "export", "kattis", str(out)]) == 0
    (checker,) = (out / "output_validator").iterdir()
    checker.write_text("import sys\nsys.exit(42)\n", encoding="utf-8")
    wrong = next(n for n in _submissions(out) if n.startswith("wrong_answer/"))
    errors, verdicts = _verifyproblem(
        tools,
        out,
        tmp_path / "config",
        "--parts",
        "submissions",
        "--submission_filter",
        f"^{re.escape(wrong)}$",
        "--data_filter",
        "sample/01",
    )
    assert errors != "0"
    assert verdicts == {wrong: ("ERROR", "AC")}


def test_every_submission_folder_is_the_verdict_judgekit_verify_expects(
    problem: Problem, tmp_path: Path
) -> None:
    placed, _left_out = place(known_submissions(problem))
    for item in placed:
        (verdict,) = item.submission.expected
        assert FOLDER_VERDICT[item.folder] == verdict.value, item.submission.name


def test_problem2html_renders_the_statement(problem: Problem, tmp_path: Path) -> None:
    tools = _problemtools()
    out = tmp_path / "frozenkernel"
    assert (
        main(["--problem", str(problem.root), "export", "kattis", str(out), "--secret-cases", "0"])
        == 0
    )
    html = tmp_path / "html"
    result = subprocess.run(
        [str(tools / "problem2html"), str(out), "-d", str(html)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = (html / "index.html").read_text(encoding="utf-8")
    assert problem.title in page and "standard input" in page
