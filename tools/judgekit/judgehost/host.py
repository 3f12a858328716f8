"""A judge host: consumes its device's queue and judges each submission with the same job
function as the web app's judging threads (judgehost.job.run_job), reporting through the
web app's /api/judgehost.

Per message: claim the submission (a lease, renewed every third of its length while judging;
refused when it is judged already or another host holds it, and then the message is simply
acknowledged), write its file to a private temporary folder, judge it in a prewarmed sandbox,
store the cases and the result as this attempt. Messages are acknowledged after the job; a host
killed mid-job leaves its message unacknowledged and its lease to run out, and the web app
queues the submission again.
"""

from __future__ import annotations

import base64
import logging
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from judgekit.judgehost.client import JudgehostClient
from judgekit.judgehost.job import ClaimedJob, Judge, run_job
from judgekit.judgehost.protocol import Claim
from judgekit.package.problem import Device, Problem

log = logging.getLogger("judgekit.judgehost")

JUDGE_ERROR_RETRY_S = 5.0


@dataclass(frozen=True)
class HostIdentity:
    name: str
    device: Device
    image: str
    versions: dict[str, str]


class Slots:
    """Which submission each of the host's N concurrent jobs judges, for the heartbeats."""

    def __init__(self, count: int) -> None:
        self._jobs: list[int | None] = [None] * count
        self._lock = threading.Lock()

    @contextmanager
    def held(self, submission_id: int) -> Iterator[int]:
        with self._lock:
            index = self._jobs.index(None) if None in self._jobs else len(self._jobs)
            if index == len(self._jobs):
                self._jobs.append(None)
            self._jobs[index] = submission_id
        try:
            yield index
        finally:
            with self._lock:
                self._jobs[index] = None

    def snapshot(self) -> list[int | None]:
        with self._lock:
            return list(self._jobs)


class JudgeHost:
    def __init__(
        self,
        identity: HostIdentity,
        problem: Problem,
        client: JudgehostClient,
        judge: Judge,
        concurrency: int,
    ) -> None:
        self.identity = identity
        self.problem = problem
        self.client = client
        self.judge = judge
        self.slots = Slots(concurrency)
        self._stopping = threading.Event()
        self._heartbeats: threading.Thread | None = None

    def slot_name(self, index: int) -> str:
        return f"{self.identity.name}/{index + 1}"

    def handle(self, submission_id: int) -> None:
        """The Celery task's body for one message."""
        claim = self.client.claim(submission_id, self.identity.name)
        if claim is None:
            log.info(
                "submission %d: judged already or held by another host; skipped", submission_id
            )
            return
        if claim.device != self.identity.device.value:
            log.error(
                "submission %d is for %s, this host judges %s; its lease will run out",
                submission_id,
                claim.device,
                self.identity.device.value,
            )
            return
        log.info("submission %d: claimed, attempt %d", submission_id, claim.attempt)
        with self.slots.held(submission_id), self._renewing(claim), _submission_file(claim) as path:
            run_job(
                ClaimedJob(claim.submission_id, claim.attempt, self.identity.device, path),
                problem=self.problem,
                judge=self.judge,
                sink=self.client,
                retry_delay_s=JUDGE_ERROR_RETRY_S,
            )

    @contextmanager
    def _renewing(self, claim: Claim) -> Iterator[None]:
        done = threading.Event()

        def renew() -> None:
            while not done.wait(claim.lease_s / 3):
                try:
                    if not self.client.renew_lease(claim.submission_id, claim.attempt):
                        log.warning("submission %d: lost its lease", claim.submission_id)
                        return
                except Exception as error:
                    log.warning(
                        "submission %d: cannot renew the lease: %s", claim.submission_id, error
                    )

        thread = threading.Thread(target=renew, name="judgekit-lease", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(5.0)

    def start_heartbeats(self, every_s: float) -> None:
        def beat() -> None:
            while True:
                self.heartbeat_once()
                if self._stopping.wait(every_s):
                    return

        self._heartbeats = threading.Thread(target=beat, name="judgekit-heartbeat", daemon=True)
        self._heartbeats.start()

    def heartbeat_once(self) -> None:
        identity = self.identity
        for index, submission_id in enumerate(self.slots.snapshot()):
            try:
                self.client.heartbeat(
                    self.slot_name(index),
                    identity.device.value,
                    identity.image,
                    identity.versions,
                    submission_id,
                )
            except Exception as error:
                log.warning("heartbeat: %s", error)
                return

    def stop(self) -> None:
        self._stopping.set()
        if self._heartbeats is not None:
            self._heartbeats.join(5.0)


@contextmanager
def _submission_file(claim: Claim) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"judgekit-{claim.submission_id}-") as folder:
        path = Path(folder) / "submission.py"
        path.write_bytes(base64.b64decode(claim.source_b64))
        yield path
