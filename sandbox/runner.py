"""Runs one submission on a list of test inputs; the only judge code inside the sandbox.

It is started as `python -I -S /judge/runner.py /judge/job.json` in a fresh container.
The job file names the entry point, how each parameter is sent, the input files and a
per-run nonce. Results go out as frames on the stdout the runner was started with::

    <nonce> {"event": "ready", "platform": "cpu"}
    <nonce> {"event": "result", "case": "sample/1", "shape": [3], "values": [1.0, ...]}
    <nonce> {"event": "error", "case": "sample/1", "error": "ValueError: ...", "traceback": "..."}
    <nonce> {"event": "load_error", "error": "...", "traceback": "..."}

The learner's own prints are sent to stderr, so they cannot be mistaken for frames. The judge
trusts nothing here but the returned numbers: it takes no verdict, status or timing from us.
This file uses only the standard library, NumPy and JAX, and is also imported by the trusted
host tools so that every caller builds the arguments the same way.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

import numpy as np

SUBMISSION_MODULE = "submission"
MAX_TRACEBACK_CHARS = 4000
# Larger results are sent as their shape alone: the judge rejects them by shape anyway.
MAX_RESULT_VALUES = 1024


class ResultTypeError(TypeError):
    """The function returned something that is not an array of real numbers."""


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
        else:
            raise ValueError(f"unknown sent_as {parameter['sent_as']!r}")
    return arguments


def describe_result(result: object) -> dict[str, Any]:
    """The returned value as {"shape", "values"}, values as Python floats in row-major order."""
    if result is None:
        raise ResultTypeError("the function returned None; return an array of 3 numbers")
    if isinstance(result, str | bytes | dict):
        raise ResultTypeError(f"the function returned a {type(result).__name__}, not an array")
    try:
        array = np.asarray(result)
    except Exception as error:  # the learner's object may raise anything here
        raise ResultTypeError(f"the returned value is not an array: {error}") from None
    if array.dtype.kind not in "biuf":
        raise ResultTypeError(f"the returned array has dtype {array.dtype}, not real numbers")
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
    text = "".join(traceback.format_exception(error))
    return {
        "error": f"{type(error).__name__}: {error}"[:MAX_TRACEBACK_CHARS],
        "traceback": text[-MAX_TRACEBACK_CHARS:],
    }


class FrameWriter:
    """Writes nonce-prefixed JSON frames to the channel the judge reads."""

    def __init__(self, channel: TextIO, nonce: str) -> None:
        self.channel = channel
        self.nonce = nonce

    def send(self, frame: Mapping[str, Any]) -> None:
        self.channel.write(f"{self.nonce} {json.dumps(frame, allow_nan=True)}\n")
        self.channel.flush()


def _private_stdout() -> TextIO:
    """Keep the real stdout for frames; point fd 1 and sys.stdout at stderr for the learner."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


def _platform() -> str:
    import jax

    return str(jax.devices()[0].platform)


def run_job(job: Mapping[str, Any], frames: FrameWriter) -> int:
    try:
        entry = load_submission(Path(job["submission"]), job["function"])
    except BaseException as error:
        frames.send({"event": "load_error", **_error_fields(error)})
        return 1
    frames.send({"event": "ready", "platform": _platform()})
    for case in job["cases"]:
        case_id = case["id"]
        try:
            values = json.loads(Path(case["input"]).read_text(encoding="utf-8"))
            arguments = build_arguments(job["parameters"], values)
            result = describe_result(entry(*arguments))
        except BaseException as error:
            frames.send({"event": "error", "case": case_id, **_error_fields(error)})
            if isinstance(error, KeyboardInterrupt | SystemExit):
                return 1
            continue
        frames.send({"event": "result", "case": case_id, **result})
    frames.send({"event": "done"})
    return 0


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: runner.py JOB.json", file=sys.stderr)
        return 2
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    frames = FrameWriter(_private_stdout(), str(job["nonce"]))
    return run_job(job, frames)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
