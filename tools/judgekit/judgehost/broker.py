"""The Celery application both sides share: the web app enqueues, judge hosts consume.

One queue per device (`judgekit.cpu`, `judgekit.gpu`), so a GPU submission only ever reaches a
GPU judge host. A message carries nothing but the submission's id: the database is the single
source of truth, and a judge host claims the submission (with a lease) before judging it, so
a message delivered twice, or one for a submission already judged, does no harm. Messages are
acknowledged late (after the job) and rejected back to the queue when the process running
them dies; what the broker loses anyway (Redis restarted without persistence) the web app
finds by comparing its queued submissions with the broker's queues (`queued_submission_ids`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from celery import Celery

from judgekit.package.problem import Device

JUDGE_TASK = "judgekit.judge"
# kombu's Redis transport keeps a priority's messages in "<queue>\x06\x16<priority>".
_PRIORITY_SEP = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)
# How long a delivered, unacknowledged message waits before the broker hands it out again.
# The lease (judgehost.dispatch) recovers a dead host's job much sooner; this is a backstop.
VISIBILITY_TIMEOUT_S = 3600


def queue_name(device: Device) -> str:
    return f"judgekit.{device.value}"


def task_id(submission_id: int, sent_at_ns: int) -> str:
    return f"submission-{submission_id}-{sent_at_ns}"


def submission_of(message_task_id: str) -> int | None:
    parts = message_task_id.split("-")
    if len(parts) == 3 and parts[0] == "submission" and parts[1].isdigit():
        return int(parts[1])
    return None


def redacted(url: str) -> str:
    """URL without its password, for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def celery_app(broker_url: str) -> Celery:
    app = Celery("judgekit", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        task_default_queue=queue_name(Device.CPU),
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        broker_heartbeat=0,
    )
    return app


def send_judge_task(app: Celery, submission_id: int, device: Device, sent_at_ns: int) -> None:
    app.send_task(
        JUDGE_TASK,
        args=(submission_id,),
        queue=queue_name(device),
        task_id=task_id(submission_id, sent_at_ns),
        retry=True,
        retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
    )


def _queue_keys(queue: str) -> Iterable[str]:
    yield queue
    for step in _PRIORITY_STEPS[1:]:
        yield f"{queue}{_PRIORITY_SEP}{step}"


def queued_submission_ids(app: Celery, devices: Iterable[Device]) -> set[int]:
    """The submissions whose message waits in a device queue (not yet delivered)."""
    found: set[int] = set()
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        for device in devices:
            for key in _queue_keys(queue_name(device)):
                for raw in client.lrange(key, 0, -1):
                    try:
                        headers = json.loads(raw).get("headers") or {}
                    except (ValueError, AttributeError):
                        continue
                    submission = submission_of(str(headers.get("id", "")))
                    if submission is not None:
                        found.add(submission)
    return found


def queue_depths(app: Celery, devices: Iterable[Device]) -> dict[str, int]:
    """Messages waiting in each device's queue."""
    depths: dict[str, int] = {}
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        for device in devices:
            name = queue_name(device)
            depths[name] = sum(int(client.llen(key)) for key in _queue_keys(name))
    return depths
