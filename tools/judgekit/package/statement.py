"""Generated blocks of statement.md: the constraints (from problem.yaml) and the worked
examples (from the sample test cases), so the statement cannot drift from either."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from judgekit.package.parameters import Parameter, ParameterKind, SentAs
from judgekit.package.problem import Limits, Problem, TimeClock
from judgekit.package.testcase import TestCase

STATEMENT_FILE = "statement.md"


def _markers(name: str, source: str) -> tuple[str, str]:
    return (
        f"<!-- {name}:begin (written by `judgekit generate` from {source}; do not edit) -->",
        f"<!-- {name}:end -->",
    )


def _number(value: float) -> str:
    named = {2**31 - 1: "2³¹ − 1", 2**31: "2³¹"}
    if value.is_integer() and int(value) in named:
        return named[int(value)]
    return f"{value:g}".replace("-", "−")


def _latex(value: float) -> str:
    """1e-06 as 10^{-6}; other numbers as they are."""
    mantissa, _, exponent = f"{value:e}".partition("e")
    if float(mantissa) == 1.0:
        return f"10^{{{int(exponent)}}}"
    return f"{value:g}"


def _array_constraint(p: Parameter) -> str:
    dtype = "int32" if p.sent_as is SentAs.INT32_ARRAY else "float32"
    lengths = " and ".join(
        f"{d.min} ≤ `{p.dimension_label(axis)}` ≤ {d.max}" for axis, d in enumerate(p.dims)
    )
    index = ", ".join("ijklmn"[axis] for axis in range(len(p.dims)))
    element = "an integer" if p.integral else "finite"
    return (
        f"- `{p.name}`: a {len(p.dims)}-D `{dtype}` JAX array with {lengths}, every element "
        f"{element} with {_number(p.min)} ≤ `{p.name}[{index}]` ≤ {_number(p.max)}."
    )


def render_constraints(problem: Problem) -> str:
    lines = []
    for p in problem.entry_point.parameters:
        if p.is_array:
            lines.append(_array_constraint(p))
            continue
        arrives = (
            "a Python `float` with an integral value"
            if (p.kind is ParameterKind.INTEGER)
            else "a Python `float`"
        )
        kind = "an integer" if p.kind is ParameterKind.INTEGER else "a finite real"
        lines.append(
            f"- `{p.name}`: {kind}, {_number(p.min)} ≤ `{p.name}` ≤ {_number(p.max)}, "
            f"sent as {arrives}."
        )
    tolerance = problem.output.tolerance
    limits = problem.limits
    lines += [
        "",
        f"Each returned value $g_i$ is compared with the expected $e_i$: it is accepted when "
        f"$|g_i - e_i| \\le {_latex(tolerance.atol)} + {_latex(tolerance.rtol)} \\cdot |e_i|$. "
        f"The result must have shape `{tuple(problem.output.shape)}`; NaN or infinity is wrong.",
        "",
        "| limit | value |",
        "|---|---|",
        f"| time per test case (first-call compilation included) | "
        f"{_time(limits, limits.time_per_case_s)} |",
        f"| start-up (Python, JAX, loading your file) | {_time(limits, limits.startup_s)} |",
        f"| time for the whole run | {_time(limits, limits.total_time_s)} |",
        f"| memory | {limits.memory_mib} MiB |",
        f"| output (everything printed) | {limits.output_bytes // 1024} KiB |",
        f"| submission size | {limits.submission_bytes // 1024} KiB |",
    ]
    if limits.clock is TimeClock.CPU:
        lines += [
            "",
            "Time is CPU time: the processor time your code (every thread of it) uses outside "
            "the operating system's kernel, as the judge measures it from outside, so a busy "
            "judge does not count against you. A test case that waits instead (sleeping, "
            "blocking) or keeps the kernel busy (system calls, touching fresh memory) is also "
            "stopped after "
            f"{limits.wall_limit_s(limits.time_per_case_s):g} s of real time "
            f"({limits.wall_backstop.factor:g} x its limit + {limits.wall_backstop.slack_s:g} s; "
            "start-up and the whole run likewise).",
        ]
    begin, end = _markers("constraints", "problem.yaml")
    return "\n".join([begin, *lines, end])


def _time(limits: Limits, seconds: float) -> str:
    """A time limit as the statement's table shows it, naming its clock."""
    clock = "CPU time" if limits.clock is TimeClock.CPU else "wall-clock time"
    return f"{seconds:g} s of {clock}"


def _array_argument(parameter: Parameter, value: object) -> str:
    """`jnp.array(...)`, a matrix (or higher) one row to a line so that it reads as one."""
    dtype = "jnp.int32" if parameter.sent_as is SentAs.INT32_ARRAY else "jnp.float32"
    if len(parameter.dims) == 1 or not isinstance(value, list) or not value:
        return f"jnp.array({json.dumps(value)}, dtype={dtype})"
    rows = "".join(f"        {json.dumps(row)},\n" for row in value)
    return f"jnp.array([\n{rows}    ], dtype={dtype})"


def _call(problem: Problem, case: TestCase) -> str:
    arguments = []
    for parameter in problem.entry_point.parameters:
        value = case.input[parameter.name]
        if parameter.is_array:
            arguments.append(f"{parameter.name}={_array_argument(parameter, value)}")
        else:
            arguments.append(f"{parameter.name}={float(value)!r}")  # type: ignore[arg-type]
    return f"{problem.entry_point.function}(\n    " + ",\n    ".join(arguments) + ",\n)"


def render_examples(problem: Problem, samples: Sequence[TestCase]) -> str:
    begin, end = _markers("examples", "testcases/sample")
    parts = [begin]
    for number, case in enumerate(samples, start=1):
        assert case.answer is not None
        answer = ", ".join(f"{v:.9g}" for v in case.answer)
        parts.append(
            f"\n### Example {number} (`{case.id}`)\n\n```python\n{_call(problem, case)}\n```\n\n"
            f"returns `[{answer}]`.\n"
        )
    parts.append(end)
    return "\n".join(parts)


def statement_path(problem: Problem) -> Path:
    return problem.root / STATEMENT_FILE


def with_blocks(text: str, blocks: Sequence[str]) -> str:
    """TEXT with each generated block replaced by the new one of the same name."""
    for block in blocks:
        begin, end = block.splitlines()[0], block.splitlines()[-1]
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            raise ValueError(
                f"{STATEMENT_FILE} lacks a generated block; add the two lines\n{begin}\n{end}"
            )
        text = pattern.sub(lambda _match, new=block: new, text, count=1)  # type: ignore[misc]
    return text


def current_statement(problem: Problem, samples: Sequence[TestCase]) -> tuple[str, str]:
    """(the statement as it is, as it should be)."""
    text = statement_path(problem).read_text(encoding="utf-8")
    return text, with_blocks(text, [render_constraints(problem), render_examples(problem, samples)])
