"""What a learner sees of a traceback: from their own first frame on, never the sandbox runner's
or judgekit's frames, at most 40 lines; the same rule for the judge and the pages."""

from __future__ import annotations

import pytest
from judgekit.judge.tracebacks import MAX_LINES, learner_traceback
from judgekit.web.views.templating import templates

SUBMISSION = "/judge/submission/submission.py"
RUNNER_CALLS_THE_LEARNER = f"""\
ValueError: negative width
Traceback (most recent call last):
  File "/judge/runner.py", line 230, in run_job
    report = run_case(entry, case)
             ^^^^^^^^^^^^^^^^^^^^^
  File "/judge/runner.py", line 199, in run_case
    result = entry(*arguments)
  File "{SUBMISSION}", line 12, in f
    return layer(x)
  File "/usr/local/lib/python3.11/site-packages/flax/nnx/module.py", line 88, in __call__
    return self.forward(x)
  File "{SUBMISSION}", line 7, in forward
    raise ValueError("negative width")
ValueError: negative width"""
LEARNERS_PART = f"""\
ValueError: negative width
Traceback (most recent call last):
  File "{SUBMISSION}", line 12, in f
    return layer(x)
  File "/usr/local/lib/python3.11/site-packages/flax/nnx/module.py", line 88, in __call__
    return self.forward(x)
  File "{SUBMISSION}", line 7, in forward
    raise ValueError("negative width")
ValueError: negative width"""

LOAD_ERROR = f"""\
ModuleNotFoundError: No module named 'torch'
Traceback (most recent call last):
  File "/judge/runner.py", line 221, in run_job
    entry = load_submission(Path(job["submission"]), job["function"])
  File "<frozen importlib._bootstrap_external>", line 940, in exec_module
  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed
  File "{SUBMISSION}", line 1, in <module>
    import torch
ModuleNotFoundError: No module named 'torch'"""

ONLY_OUR_FRAMES = """\
ResultTypeError: the function returned None; return an array of 3 numbers
Traceback (most recent call last):
  File "/judge/runner.py", line 232, in run_job
    values = describe_result(result, job["output_shape"])
  File "/judge/runner.py", line 84, in describe_result
    raise ResultTypeError(f"the function returned None; return {expected_array(output_shape)}")
ResultTypeError: the function returned None; return an array of 3 numbers"""

CHAINED = f"""\
RuntimeError: cannot build the layer
Traceback (most recent call last):
  File "/judge/runner.py", line 199, in run_case
    result = entry(*arguments)
  File "{SUBMISSION}", line 5, in f
    return int("x")
ValueError: invalid literal for int() with base 10: 'x'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/judge/runner.py", line 199, in run_case
    result = entry(*arguments)
  File "{SUBMISSION}", line 7, in f
    raise RuntimeError("cannot build the layer")
RuntimeError: cannot build the layer"""


def _deep_recursion(depth: int) -> str:
    frames = [f'  File "{SUBMISSION}", line 3, in f\n    return f(n - 1)' for _ in range(depth)]
    return "\n".join(
        [
            "RecursionError: too deep",
            "Traceback (most recent call last):",
            *frames,
            "RecursionError",
        ]
    )


def test_the_frames_leading_to_the_learners_first_frame_are_dropped() -> None:
    assert learner_traceback(RUNNER_CALLS_THE_LEARNER) == LEARNERS_PART


def test_the_libraries_the_learners_code_called_stay() -> None:
    assert "flax/nnx/module.py" in learner_traceback(RUNNER_CALLS_THE_LEARNER)


def test_a_load_error_starts_at_the_learners_file_not_at_importlib() -> None:
    assert learner_traceback(LOAD_ERROR).splitlines() == [
        "ModuleNotFoundError: No module named 'torch'",
        "Traceback (most recent call last):",
        f'  File "{SUBMISSION}", line 1, in <module>',
        "    import torch",
        "ModuleNotFoundError: No module named 'torch'",
    ]


def test_a_traceback_of_our_frames_only_is_left_out_whole() -> None:
    assert learner_traceback(ONLY_OUR_FRAMES) == (
        "ResultTypeError: the function returned None; return an array of 3 numbers"
    )


def test_each_traceback_of_a_chained_exception_is_trimmed() -> None:
    shown = learner_traceback(CHAINED)
    assert "runner.py" not in shown and "entry(*arguments)" not in shown
    assert shown.count("Traceback (most recent call last):") == 2
    assert "During handling of the above exception" in shown


def test_a_judgekit_frame_is_ours_wherever_it_is() -> None:
    text = LEARNERS_PART.replace(
        '  File "/usr/local/lib/python3.11/site-packages/flax/nnx/module.py", line 88',
        '  File "/work/tools/judgekit/bench/floor.py", line 88',
    )
    assert "floor.py" not in learner_traceback(text)
    assert "self.forward(x)" not in learner_traceback(text)  # its source line goes with it


def test_a_long_traceback_keeps_its_first_and_last_lines() -> None:
    text = _deep_recursion(100)
    lines = learner_traceback(text).splitlines()
    assert len(lines) == MAX_LINES
    assert lines[:2] == ["RecursionError: too deep", "Traceback (most recent call last):"]
    assert lines[-1] == "RecursionError"
    assert "lines skipped" in lines[10]


def test_a_message_without_a_traceback_is_left_as_it_is() -> None:
    message = "expected 3 values, got 2\n  at index 2: 0.5 vs 0.25"
    assert learner_traceback(message) == message


@pytest.mark.parametrize(
    "text",
    [RUNNER_CALLS_THE_LEARNER, LOAD_ERROR, ONLY_OUR_FRAMES, CHAINED, _deep_recursion(100)],
)
def test_trimming_a_trimmed_message_changes_nothing(text: str) -> None:
    once = learner_traceback(text)
    assert learner_traceback(once) == once


def test_the_pages_trim_with_the_judges_rule() -> None:
    assert templates.env.filters["trim_traceback"] is learner_traceback
