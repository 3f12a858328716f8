"""What the judge writes to the supervisor's stdin after `warm`: the job, then each case's
input when its turn comes (sandbox/supervisor.py reads them)."""

from __future__ import annotations

import json

from judgekit.sandbox.outcome import Job


def job_line(job: Job, submission: str, nonce: str) -> bytes:
    """The job, SUBMISSION the file's path inside the container; its cases' inputs apart.
    NONCE marks the run's frames from here on: a container restored from a snapshot started
    with its template's, which every clone shares."""
    message = {
        "nonce": nonce,
        "function": job.function,
        "parameters": list(job.parameters),
        "submission": submission,
        "output_shape": list(job.output_shape),
        "case_count": len(job.inputs),
    }
    return json.dumps(message).encode("utf-8") + b"\n"


def case_line(job: Job, index: int) -> bytes:
    """Case INDEX's input: test inputs reach no file the learner can read, and each reaches
    the container only when its turn comes."""
    return json.dumps({"id": str(index), "values": job.inputs[index]}).encode("utf-8") + b"\n"
