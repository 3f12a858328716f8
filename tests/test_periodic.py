"""Background work every few seconds (judgekit.periodic): woken early by a notify, again at once
while there is more work, carried on through errors, and stopped promptly."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from judgekit.periodic import Periodic

LONG_S = 60.0
"""An interval no test waits out: a step that comes sooner was not waiting for it."""
PROMPT_S = 10.0


@pytest.fixture()
def calls() -> queue.Queue[int]:
    return queue.Queue()


@pytest.fixture()
def started() -> Iterator[list[Periodic]]:
    running: list[Periodic] = []
    yield running
    for periodic in running:
        periodic.stop(PROMPT_S)


def _start(started: list[Periodic], step: Callable[[], bool], every_s: float = LONG_S) -> Periodic:
    periodic = Periodic("judgekit-test-periodic", every_s, step, _unexpected)
    started.append(periodic)
    periodic.start()
    return periodic


def _unexpected(error: Exception) -> None:
    raise AssertionError(f"unexpected error from the step: {error!r}")


def _counting(calls: queue.Queue[int], again_until: int = 0) -> Callable[[], bool]:
    count = 0

    def step() -> bool:
        nonlocal count
        count += 1
        calls.put(count)
        return count < again_until

    return step


def _alive(name: str) -> bool:
    return any(thread.name == name for thread in threading.enumerate())


def test_the_step_runs_at_start_then_again_on_a_notify(
    calls: queue.Queue[int], started: list[Periodic]
) -> None:
    periodic = _start(started, _counting(calls))
    assert calls.get(timeout=PROMPT_S) == 1
    periodic.notify()
    assert calls.get(timeout=PROMPT_S) == 2


def test_the_step_runs_again_every_interval(
    calls: queue.Queue[int], started: list[Periodic]
) -> None:
    _start(started, _counting(calls), every_s=0.01)
    assert [calls.get(timeout=PROMPT_S) for _ in range(3)] == [1, 2, 3]


def test_a_step_that_found_work_runs_again_at_once(
    calls: queue.Queue[int], started: list[Periodic]
) -> None:
    _start(started, _counting(calls, again_until=3))
    assert [calls.get(timeout=PROMPT_S) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(queue.Empty):  # the third found none: the interval is waited out
        calls.get(timeout=0.2)


def test_an_error_goes_to_its_handler_and_the_work_carries_on(started: list[Periodic]) -> None:
    errors: queue.Queue[Exception] = queue.Queue()
    steps = iter([ValueError("the database is down"), None])
    done = threading.Event()

    def step() -> bool:
        error = next(steps, None)
        if error is not None:
            raise error
        done.set()
        return False

    periodic = Periodic("judgekit-test-periodic", 0.01, step, errors.put)
    started.append(periodic)
    periodic.start()
    assert str(errors.get(timeout=PROMPT_S)) == "the database is down"
    assert done.wait(PROMPT_S)


def test_a_stop_ends_the_wait_at_once(calls: queue.Queue[int], started: list[Periodic]) -> None:
    periodic = _start(started, _counting(calls))
    calls.get(timeout=PROMPT_S)
    begun = time.monotonic()
    periodic.stop(PROMPT_S)
    assert time.monotonic() - begun < PROMPT_S
    assert not _alive(periodic.name)


def test_no_step_runs_once_a_stop_is_asked(
    calls: queue.Queue[int], started: list[Periodic]
) -> None:
    count = _counting(calls, again_until=100)

    def step() -> bool:
        periodic.ask_to_stop()  # mid-step, as a server's shutdown would
        return count()  # and there is more work

    periodic = Periodic("judgekit-test-periodic", LONG_S, step, _unexpected)
    started.append(periodic)
    periodic.start()
    periodic.join(PROMPT_S)
    assert not _alive(periodic.name)
    assert periodic.stopping and calls.qsize() == 1
