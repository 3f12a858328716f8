"""The JAX compilation cache shipped in the sandbox image: warmed at build time by
sandbox/warmup.py (generic JAX/Flax work, never the reference) for the test set's and the fuzz
draws' shapes, read-only to the learner, and silent: a shape it lacks is compiled as before,
with no word about the cache in the learner's output."""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from judgekit.package.checker import Returned, problem_checker
from judgekit.package.problem import Device, Problem
from judgekit.package.recipe import load_recipe
from judgekit.package.reference import ReferenceRunner
from judgekit.package.shapes import warmup_shapes
from judgekit.package.testcase import CaseInput, load_cases
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.frames import Result
from judgekit.sandbox.image import recipe_for
from judgekit.sandbox.outcome import Job
from repo_support import REPO_ROOT

CACHE_DIR = "/opt/jax-cache"
# A shape no committed case and no fuzz draw has: the cache holds nothing for it.
UNCACHED = (7, 5)
WARMUP = REPO_ROOT / "sandbox" / "warmup.py"
ALLOWED_IMPORTS = {"jax", "numpy", "flax", "optax", *sys.stdlib_module_names}


def _in_image(image: str, script: str, *environment: str) -> subprocess.CompletedProcess[str]:
    """Run SCRIPT with the image's Python as the sandbox runs it: uid 10001, no network,
    CPU only. The root filesystem stays writable here, so only permissions guard the cache."""
    variables = [arg for pair in ("JAX_PLATFORMS=cpu", *environment) for arg in ("-e", pair)]
    command = ["python", "-I", "-c", script]
    return subprocess.run(
        ["docker", "run", "--rm", "--network", "none", *variables, image, *command],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_shapes_are_every_committed_case_s_and_every_fuzz_draw_s(problem: Problem) -> None:
    recipe = load_recipe(problem.root)
    committed = {
        recipe.shape_of(case.input)
        for case in load_cases(problem.testcases_dir, problem.group_names)
    }
    shapes = warmup_shapes(problem)
    assert set(shapes) == committed | set(recipe.fuzz.shapes)
    assert list(shapes) == sorted(set(shapes))
    assert UNCACHED not in shapes


def test_a_changed_test_set_means_a_new_image(problem: Problem) -> None:
    recipe = recipe_for(problem.root, Device.CPU)
    fewer = dataclasses.replace(recipe, shapes=recipe.shapes[:-1])
    assert fewer.digest("base") != recipe.digest("base")
    assert WARMUP in recipe.code


def test_warmup_imports_only_the_standard_library_and_the_locked_jax_stack() -> None:
    """So it cannot load the reference, the checker or the test data: none is a module."""
    source = WARMUP.read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "warmup.py imports nothing next to it"
            imported.add((node.module or "").partition(".")[0])
    assert imported <= ALLOWED_IMPORTS, imported - ALLOWED_IMPORTS


@pytest.mark.docker
def test_the_image_ships_a_filled_cache_the_sandbox_user_cannot_write(image: str) -> None:
    probe = (
        "import json, os\n"
        f"d = {CACHE_DIR!r}\n"
        "try:\n"
        "    open(os.path.join(d, 'planted'), 'wb').close()\n"
        "    planted = True\n"
        "except PermissionError:\n"
        "    planted = False\n"
        "print(json.dumps({'uid': os.getuid(), 'entries': len(os.listdir(d)),\n"
        "    'owner': os.stat(d).st_uid, 'planted': planted,\n"
        "    'configured': os.environ.get('JAX_COMPILATION_CACHE_DIR')}))\n"
    )
    done = _in_image(image, probe)
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert facts["uid"] == 10001 and facts["owner"] == 0
    assert facts["entries"] > 0
    assert facts["planted"] is False
    assert facts["configured"] == CACHE_DIR


@pytest.mark.docker
def test_warmup_runs_in_the_image_where_there_is_no_reference(image: str) -> None:
    script = (
        "import json, os, sys\n"
        "sys.path.insert(0, '/judge')\n"
        "import warmup\n"
        "assert not any(os.path.exists(p) for p in ('/judge/reference', 'reference'))\n"
        "warmup.quiet_cache_writes()\n"
        f"warmup.warm_up([{list(UNCACHED)}])\n"
        "import jax, numpy\n"
        "kinds = jax.Array | numpy.ndarray\n"
        "arrays = [n for n, v in vars(warmup).items() if isinstance(v, kinds)]\n"
        "print(json.dumps(arrays))\n"
    )
    done = _in_image(image, script)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout) == [], "warm_up left arrays behind in its module"


@pytest.mark.docker
@pytest.mark.parametrize("quiet", [False, True], ids=["writes-tried", "quiet"])
def test_quiet_cache_writes_keeps_a_compilation_from_writing_or_warning(
    image: str, quiet: bool
) -> None:
    """With every compilation deemed worth a cache entry, a new shape makes JAX try to write
    to the read-only cache and warn on stderr, unless quiet_cache_writes() ran first."""
    script = (
        "import sys\n"
        "sys.path.insert(0, '/judge')\n"
        "import warmup\n"
        f"if {quiet}:\n"
        "    warmup.quiet_cache_writes()\n"
        "import jax.numpy as jnp\n"
        f"print(float(jnp.linalg.norm(jnp.ones({UNCACHED}) * 2.0)))\n"
    )
    done = _in_image(image, script, "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0")
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == pytest.approx(2.0 * (UNCACHED[0] * UNCACHED[1]) ** 0.5)
    if quiet:
        assert done.stderr == ""
    else:
        assert "persistent compilation cache" in done.stderr


@pytest.mark.docker
def test_a_shape_the_cache_lacks_is_judged_without_a_word_about_the_cache(
    problem: Problem, image: str, reference: ReferenceRunner, tmp_path: Path
) -> None:
    n_in, n_out = UNCACHED
    values: CaseInput = {"seed": 3, "x": [1.5] * n_in, "features": n_out, "frozen_bias_value": -2.0}
    job = Job(
        submission=problem.root / "reference" / "frozen_kernel_unchanged.py",
        inputs=[values],
        function=problem.entry_point.function,
        parameters=problem.entry_point.runner_parameters(),
        limits=problem.limits,
        device=Device.CPU,
        image=image,
        output_shape=problem.output.shape,
    )
    outcome = Sandbox(problem.root).run(job)
    results = [t.frame for t in outcome.frames if isinstance(t.frame, Result)]
    assert outcome.judge_error is None and outcome.killed_for is None, outcome
    assert len(results) == 1 and results[0].values is not None
    verdict = problem_checker(problem).check(
        Returned(results[0].shape, results[0].values), reference.answer(values)
    )
    assert verdict.accepted, verdict.message
    assert outcome.stderr == ""
    assert outcome.output_bytes == 0
