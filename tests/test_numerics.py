"""Expected answers come from one pinned code path, so they regenerate bit for bit on any host."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from judgekit.package.manifest import Manifest
from judgekit.package.numerics import PINNED, why_not_reproducible
from judgekit.package.problem import Problem

pytestmark = pytest.mark.skipif(
    why_not_reproducible() is not None, reason=str(why_not_reproducible())
)

# Cases whose committed answers differ in the last bits when XLA uses AVX-512 (measured).
ISA_SENSITIVE = ("secret/fuzz-015", "secret/fuzz-060", "secret/11-large-x-small-bias")


def _python(code: str, xla_flags: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    if xla_flags is not None:
        env["XLA_FLAGS"] = xla_flags
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )


def test_the_manifest_records_the_pinned_numerics(problem: Problem) -> None:
    assert Manifest.read(problem.testcases_dir).numerics == PINNED


def test_the_reference_answers_on_the_pinned_path_whatever_xla_was_told(
    problem: Problem,
) -> None:
    code = f"""
import json
from pathlib import Path
from judgekit.package.problem import load_problem
from judgekit.package.reference import ReferenceRunner
from judgekit.package.testcase import load_cases
problem = load_problem(Path({str(problem.root)!r}))
runner = ReferenceRunner(problem)
cases = {{c.id: c for c in load_cases(problem.testcases_dir, problem.group_names)}}
print(json.dumps([runner.answer(cases[i].input) for i in {list(ISA_SENSITIVE)!r}]))
"""
    # A host-wide cap left in the environment (here the widest) must not change the answers.
    done = _python(code, "--xla_cpu_max_isa=AVX512")
    assert done.returncode == 0, done.stderr
    committed = [
        json.loads((problem.testcases_dir / f"{case}.ans").read_text()) for case in ISA_SENSITIVE
    ]
    assert json.loads(done.stdout) == committed


def test_pinning_after_jax_computed_is_refused_with_advice() -> None:
    done = _python(
        "import jax.numpy as jnp; jnp.ones(2).sum().block_until_ready()\n"
        "from judgekit.package.numerics import pin_answer_numerics; pin_answer_numerics()",
        None,
    )
    assert done.returncode != 0
    assert "XLA_FLAGS=--xla_cpu_max_isa=AVX2" in done.stderr


def test_pinning_keeps_other_xla_flags(tmp_path: Path) -> None:
    done = _python(
        "import os\nfrom judgekit.package.numerics import pin_answer_numerics\n"
        "pin_answer_numerics(); print(os.environ['XLA_FLAGS'])",
        "--xla_cpu_max_isa=SSE4_2 --xla_dump_to=" + str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [f"--xla_dump_to={tmp_path}", "--xla_cpu_max_isa=AVX2"]
