"""problem.yaml is loaded into typed objects; a bad file names the field and the problem."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml
from judgekit.errors import ProblemFormatError
from judgekit.package.parameters import Dimension, ParameterKind
from judgekit.package.problem import (
    Device,
    Problem,
    TimeClock,
    load_problem,
    parse_problem,
)


def _document(repo_root: Path) -> dict[str, Any]:
    data = yaml.safe_load((repo_root / "problem.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_the_package_problem_yaml_loads_with_the_spec_values(problem: Problem) -> None:
    assert problem.entry_point.signature == (
        "frozen_kernel_unchanged(seed, x, features, frozen_bias_value)"
    )
    assert problem.output.shape == (3,)
    assert (problem.output.tolerance.rtol, problem.output.tolerance.atol) == (1e-5, 1e-6)
    seed = problem.entry_point.parameter("seed")
    assert (seed.kind, seed.min, seed.max) == (ParameterKind.INTEGER, 0, 2**31 - 1)
    x = problem.entry_point.parameter("x")
    assert (x.dims, x.min, x.max) == ((Dimension(1, 256),), -1000, 1000)
    assert problem.devices == (Device.CPU, Device.GPU)
    assert problem.public_groups == ["sample"]


def test_the_time_limits_are_cpu_time_with_a_documented_wall_clock_backstop(
    problem: Problem,
) -> None:
    limits = problem.limits
    assert limits.clock is TimeClock.CPU
    assert limits.wall_limit_s(limits.time_per_case_s) == 3 * 10 + 10
    assert limits.wall_limit_s(limits.startup_s) == 3 * 30 + 10
    assert dataclasses.replace(limits, clock=TimeClock.WALL).wall_limit_s(10) == 10


def _set(data: dict[str, Any], path: str, value: object) -> None:
    keys = path.split(".")
    target: Any = data
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("limits.time_per_case_s", -1, "limits.time_per_case_s"),
        ("limits.memory_mib", "lots", "limits.memory_mib"),
        ("limits.total_time_s", _DELETE, "limits.total_time_s"),
        ("limits.clock", "sundial", "limits.clock"),
        ("limits.wall_backstop", _DELETE, "limits.wall_backstop"),
        ("limits.wall_backstop.factor", 0.5, "limits.wall_backstop.factor"),
        ("limits.wall_backstop.slack_s", -1, "limits.wall_backstop.slack_s"),
        ("output.tolerance.rtol", float("nan"), "output.tolerance.rtol"),
        ("output.tolerance.atol", -1e-6, "output.tolerance.atol"),
        ("output.shape", [0], "output.shape"),
        ("output.names", ["a", "b"], "output.names"),
        ("entry_point.function", "not a name", "entry_point.function"),
        ("entry_point.parameters.0.kind", "complex", "entry_point.parameters[0].kind"),
        ("entry_point.parameters.1.min_length", _DELETE, "entry_point.parameters[1].min_length"),
        ("entry_point.parameters.2.min", 300, "entry_point.parameters[2]"),
        ("devices", ["tpu"], "devices.device"),
        ("test_groups", [], "test_groups"),
        ("id", "", "id"),
    ],
)
def test_a_bad_field_is_rejected_with_its_name(
    repo_root: Path, path: str, value: object, named: str
) -> None:
    data = copy.deepcopy(_document(repo_root))
    _set(data, path, value)
    with pytest.raises(ProblemFormatError) as error:
        parse_problem(data, repo_root)
    assert named in str(error.value)


def test_a_missing_or_broken_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ProblemFormatError, match="--problem"):
        load_problem(tmp_path)
    (tmp_path / "problem.yaml").write_text("id: [unclosed\n")
    with pytest.raises(ProblemFormatError, match="not valid YAML"):
        load_problem(tmp_path)
