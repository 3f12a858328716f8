"""The web app's dispatcher against a real redis-server: every queued submission has exactly
one message waiting, lost messages are sent again, expired leases are queued again."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from judgekit.judgehost.broker import celery_app, queue_depths, queued_submission_ids
from judgekit.judgehost.dispatch import Dispatcher
from judgekit.package.problem import Device
from redis_support import RedisServer


@dataclass
class Row:
    id: int
    device: str


@dataclass
class FakeQueueStore:
    """The two queries the dispatcher makes of the database, over a list."""

    queued: list[Row] = field(default_factory=list)
    expired: list[Row] = field(default_factory=list)

    def requeue_expired_leases(self) -> list[int]:
        moved, self.expired = self.expired, []
        self.queued.extend(moved)
        return [row.id for row in moved]

    def queued_submissions(self, limit: int | None = None) -> Sequence[Row]:
        return list(self.queued)


def dispatcher(server: RedisServer, store: FakeQueueStore, **kwargs: float) -> Dispatcher:
    return Dispatcher(celery_app(server.url), store, (Device.CPU, Device.GPU), **kwargs)


def test_each_queued_submission_gets_one_message_in_its_device_queue(broker: RedisServer) -> None:
    store = FakeQueueStore([Row(1, "cpu"), Row(2, "gpu"), Row(3, "cpu")])
    subject = dispatcher(broker, store)

    assert sorted(subject.dispatch_once()) == [1, 2, 3]
    assert subject.dispatch_once() == []  # all waiting: nothing sent twice

    app = celery_app(broker.url)
    assert queue_depths(app, (Device.CPU, Device.GPU)) == {"judgekit.cpu": 2, "judgekit.gpu": 1}
    assert queued_submission_ids(app, (Device.CPU, Device.GPU)) == {1, 2, 3}


def test_a_message_the_broker_lost_is_sent_again(broker: RedisServer) -> None:
    store = FakeQueueStore([Row(7, "cpu")])
    subject = dispatcher(broker, store, resend_after_s=0.2)
    assert subject.dispatch_once() == [7]

    broker.restart()  # no persistence: the message is gone
    assert subject.dispatch_once() == []  # it may just have been taken: wait a little
    time.sleep(0.3)
    assert subject.dispatch_once() == [7]
    assert subject.stats.resent == 1
    assert queued_submission_ids(celery_app(broker.url), (Device.CPU,)) == {7}


def test_a_web_app_restarted_sends_only_what_the_broker_lacks(broker: RedisServer) -> None:
    store = FakeQueueStore([Row(1, "cpu")])
    dispatcher(broker, store).dispatch_once()
    store.queued.append(Row(2, "cpu"))

    assert dispatcher(broker, store).dispatch_once() == [2]  # a new process, an empty memory


def test_an_expired_lease_is_queued_and_sent_again(broker: RedisServer) -> None:
    store = FakeQueueStore(expired=[Row(5, "cpu")])
    subject = dispatcher(broker, store)
    assert subject.dispatch_once() == [5]
    assert subject.stats.lease_expired == 1


def test_a_broker_that_is_down_is_retried_in_the_background(broker: RedisServer) -> None:
    store = FakeQueueStore([Row(1, "cpu")])
    subject = dispatcher(broker, store, scan_s=0.1)
    broker.stop()
    subject.start()
    try:
        deadline = time.monotonic() + 20
        while subject.stats.last_error is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "Connection refused" in str(subject.stats.last_error)
        broker.start()
        while subject.stats.sent == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert subject.stats.sent == 1
    finally:
        subject.stop()
