"""Work done in the background every few seconds until stopped: the web app's dispatcher, its
similarity scan and its in-process judging threads each run one `Periodic`."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Periodic:
    """STEP in a daemon thread named NAME until `stop`: again at once while it returns True
    (there may be more work), else after EVERY_S seconds or as soon as `notify` is called.

    An exception from STEP goes to ON_ERROR, and the thread carries on after the interval. A
    stop is prompt: it ends the wait at once, and STEP is not called again once it is asked.
    """

    def __init__(
        self,
        name: str,
        every_s: float,
        step: Callable[[], bool],
        on_error: Callable[[Exception], None],
    ) -> None:
        self.name = name
        self.every_s = every_s
        self._step = step
        self._on_error = on_error
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def stopping(self) -> bool:
        """Whether a stop was asked: a long STEP checks it to end early."""
        return self._stopping.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """Run STEP now rather than at the end of the interval (after the current one)."""
        self._wake.set()

    def ask_to_stop(self) -> None:
        """Stop without waiting for the thread (`join` waits); for stopping several at once."""
        self._stopping.set()
        self._wake.set()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask to stop, then wait up to TIMEOUT seconds for the STEP in progress to end."""
        self.ask_to_stop()
        self.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # a notify from now on is seen by the wait below
            try:
                again = self._step()
            except Exception as error:
                again = False
                self._on_error(error)
            if not again:
                self._wake.wait(self.every_s)
