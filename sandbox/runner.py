"""Runs one submission, case by case: the learner's side of the sandbox.

`supervisor.py` (PID 1 of the container) starts it as
`python -I /judge/runner.py INPUT_FD REPORT_FD`. INPUT_FD is the read end of a pipe on which
the supervisor sends the shapes to warm up for, then (a prewarmed sandbox may wait long for
it) the entry point, how each parameter is sent and the submission's path, then one case's
input at a time, each only after the previous case is answered::

    {"shapes": [[64, 16], ...]}
    {"function": "f", "parameters": [...], "submission": "/judge/submission/submission.py",
     "output_shape": [3]}
    {"id": "0", "values": {"seed": 0, ...}}
    ...
    {"end": true}

REPORT_FD is the write end of a pipe back to the supervisor, which turns each report into a
frame for the judge::

    {"event": "platform", "platform": "cpu"}      # first, before any learner code is loaded
    {"event": "warm"}                             # JAX and Flax imported, warm-up done
    {"event": "ready"}                            # or {"event": "load_error", "error", "traceback"}
    {"event": "result", "case": "0", "shape": [3], "values": [1.0, ...]}
    {"event": "error", "case": "0", "error": "ValueError: ...", "traceback": "..."}
    {"event": "bad_result", "case": "0", "reason": "returned a dict; expected ..."}
    {"event": "done"}

This process holds neither the judge's channel, its nonce nor the inputs of cases to come:
the learner's code can write anything to the report pipe, and the supervisor and the judge
treat every message as learner data. The learner's prints go to the container's stderr.
This file uses only the standard library, NumPy and JAX, and is also imported by the trusted
host tools so that every caller builds the arguments the same way.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import random
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

import numpy as np

SUBMISSION_MODULE = "submission"
# Messages are cut to fit, encoded, within the frame limit the supervisor and judge enforce.
MAX_MESSAGE_BYTES = 32 * 1024
# Larger results are sent as their shape alone: the judge rejects them by shape anyway.
MAX_RESULT_VALUES = 1024


class ResultTypeError(TypeError):
    """The function returned something that is not an array of real numbers: the message
    says what it returned and what is expected ("returned a dict; expected an array of 3
    numbers")."""


def build_arguments(
    parameters: Sequence[Mapping[str, str]], values: Mapping[str, Any]
) -> list[Any]:
    """Turn one case's stored input into the arguments the learner's function receives."""
    import jax.numpy as jnp

    arguments: list[Any] = []
    for parameter in parameters:
        value = values[parameter["name"]]
        if parameter["sent_as"] == "float":
            arguments.append(float(value))
        elif parameter["sent_as"] == "float32_array":
            arguments.append(jnp.asarray(np.asarray(value, dtype=np.float32)))
        elif parameter["sent_as"] == "int32_array":
            arguments.append(jnp.asarray(np.asarray(value, dtype=np.int32)))
        else:
            raise ValueError(f"unknown sent_as {parameter['sent_as']!r}")
    return arguments


def expected_array(shape: Sequence[int]) -> str:
    """How the problem's output is asked for: "an array of 3 numbers" for shape [3]."""
    if not shape:
        return "an array of numbers"
    if len(shape) == 1:
        return f"an array of {shape[0]} numbers"
    return f"an array of shape {list(shape)}"


def _returned(value: object) -> str:
    """VALUE in words: "a dict", "an int", "a value of type ndarray"."""
    name = type(value).__name__
    if isinstance(value, str | bytes | dict | list | tuple | set | int | float | complex):
        return f"an {name}" if name[0] in "aeiou" else f"a {name}"
    return f"a value of type {name}"


def describe_result(result: object, output_shape: Sequence[int] = ()) -> dict[str, Any]:
    """The returned value as {"shape", "values"}, values as Python floats in row-major order.

    OUTPUT_SHAPE is the problem's (from the job), used only to word the messages."""
    expected = f"expected {expected_array(output_shape)}"
    if result is None:
        raise ResultTypeError(f"returned None; {expected}")
    returned = _returned(result)
    if isinstance(result, str | bytes | dict):
        raise ResultTypeError(f"returned {returned}; {expected}")
    try:
        array = np.asarray(result)
    except Exception as error:  # the learner's object may raise anything here
        raise ResultTypeError(
            f"returned {returned} that is no array ({error}); {expected}"
        ) from None
    if array.dtype.kind not in "biuf":
        raise ResultTypeError(f"returned {returned} holding {array.dtype.name} values; {expected}")
    if array.size > MAX_RESULT_VALUES:
        return {"shape": list(array.shape), "values": None}
    return {
        "shape": list(array.shape),
        "values": [float(v) for v in array.astype(np.float64).ravel()],
    }


def load_submission(path: Path, function: str) -> Callable[..., object]:
    """Import the submission file and return its entry point."""
    spec = importlib.util.spec_from_file_location(SUBMISSION_MODULE, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[SUBMISSION_MODULE] = module
    spec.loader.exec_module(module)
    entry = getattr(module, function, None)
    if not callable(entry):
        raise AttributeError(f"the submission defines no function named {function!r}")
    return entry  # type: ignore[no-any-return]


def _error_fields(error: BaseException) -> dict[str, str]:
    """ERROR's text and its traceback from the first frame that is not the judge's loading or
    calling (this file's, importlib's): none when only those ran (no entry point, a call with
    the wrong number of arguments)."""
    trace = error.__traceback__
    while trace is not None and _judges_frame(trace.tb_frame.f_code.co_filename):
        trace = trace.tb_next
    text = "".join(traceback.format_exception(type(error), error, trace)) if trace else ""
    return {"error": f"{type(error).__name__}: {error}", "traceback": text}


def _judges_frame(filename: str) -> bool:
    return filename == __file__ or filename.startswith("<frozen importlib")


def fit_message(message: Mapping[str, Any], limit: int = MAX_MESSAGE_BYTES) -> bytes:
    """MESSAGE as one JSON line of at most LIMIT bytes, its text fields cut as needed.

    Sizes are counted after encoding (an emoji is 12 bytes once JSON-escaped), keeping the
    start of an error message and the end of a traceback, where the learner's line is.
    """
    fields = {key: value for key, value in message.items() if isinstance(value, str)}
    share = limit
    while True:
        trimmed = dict(message)
        for key, value in fields.items():
            if len(value) > share:
                trimmed[key] = value[-share:] if key == "traceback" else value[:share]
        line = json.dumps(trimmed, allow_nan=True).encode("ascii") + b"\n"
        if len(line) <= limit or share == 0:
            return line
        share = min(share, max(len(v) for v in fields.values())) // 2 if fields else 0


class Reporter:
    """Writes this runner's messages to the supervisor's pipe, one write per message."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: Mapping[str, Any]) -> None:
        view = memoryview(fit_message(message))
        while view:
            view = view[os.write(self.fd, view) :]


def _platform() -> str:
    import jax

    return str(jax.devices()[0].platform)


def warm_up(shapes: Sequence[Sequence[int]]) -> None:
    """Import JAX and Flax, compile ahead for SHAPES and keep the read-only compilation cache
    quiet. The warm-up (sandbox/warmup.py) is generic JAX/Flax work on throw-away data: it is
    run, then dropped, so the learner's code finds neither the module nor its data."""
    spec = importlib.util.spec_from_file_location("_warmup", Path(__file__).with_name("warmup.py"))
    if spec is None or spec.loader is None:
        raise ImportError("the sandbox image has no warmup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.quiet_cache_writes()
    module.warm_up([tuple(shape) for shape in shapes])
    del module, spec
    gc.collect()


def reseed() -> None:
    """Fresh `random` and NumPy global states from the kernel, before the learner's code: a
    sandbox restored from a snapshot starts with its template's, shared by every clone."""
    random.seed(os.urandom(32))
    np.random.seed(np.frombuffer(os.urandom(32), dtype=np.uint32))


def run_job(inputs: BinaryIO, reporter: Reporter) -> int:
    shapes = json.loads(inputs.readline())["shapes"]
    # Before the learner's code exists in this process: the supervisor trusts only these two.
    reporter.send({"event": "platform", "platform": _platform()})
    warm_up(shapes)
    del shapes
    reporter.send({"event": "warm"})
    job = json.loads(inputs.readline())
    reseed()
    try:
        entry = load_submission(Path(job["submission"]), job["function"])
    except BaseException as error:
        reporter.send({"event": "load_error", **_error_fields(error)})
        return 1
    reporter.send({"event": "ready"})
    for line in inputs:
        case = json.loads(line)
        if case.get("end"):
            break
        try:
            arguments = build_arguments(job["parameters"], case["values"])
            result = describe_result(entry(*arguments), job.get("output_shape", []))
        except ResultTypeError as error:  # nothing raised: what it returned is no answer
            reporter.send({"event": "bad_result", "case": case["id"], "reason": str(error)})
            continue
        except BaseException as error:
            reporter.send({"event": "error", "case": case["id"], **_error_fields(error)})
            if isinstance(error, KeyboardInterrupt | SystemExit):
                return 1
            continue
        reporter.send({"event": "result", "case": case["id"], **result})
    reporter.send({"event": "done"})
    return 0


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2:
        print("usage: runner.py INPUT_FD REPORT_FD", file=sys.stderr)
        return 2
    with os.fdopen(int(argv[0]), "rb") as inputs:
        try:
            return run_job(inputs, Reporter(int(argv[1])))
        except (OSError, ValueError, KeyError) as error:
            # Once learner code has run, it can read from or close this process's pipes; what
            # it sees on stderr is then this line, not a traceback through the runner.
            print(f"the runner stopped: {type(error).__name__}: {error}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
