"""The Celery worker a judge host runs: one queue (its device's), N jobs at once in threads
(judging waits on a container; the prewarmed sandboxes are shared by the threads)."""

from __future__ import annotations

import logging

from celery import Celery

from judgekit.judgehost.broker import JUDGE_TASK, queue_name
from judgekit.judgehost.host import JudgeHost

log = logging.getLogger("judgekit.judgehost")


def consume(app: Celery, host: JudgeHost, concurrency: int) -> None:
    """Judge messages from HOST's device queue until SIGTERM/SIGINT (a warm shutdown: running
    jobs finish first) or a second signal (jobs are cut: their leases run out)."""

    @app.task(name=JUDGE_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
    def judge(submission_id: int) -> None:
        host.handle(int(submission_id))

    celery_worker = app.Worker(
        hostname=host.identity.name,
        queues=[queue_name(host.identity.device)],
        concurrency=concurrency,
        pool="threads",
        loglevel="INFO",
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
        quiet=True,
        optimization="fair",
    )
    celery_worker.start()
    code = celery_worker.exitcode
    if code:
        log.error("the Celery worker stopped with exit code %s", code)
