"""A judge host's client for the web app's /api/judgehost: the ResultSink of a remote job.

Network trouble and 5xx answers are retried with backoff for up to `patience_s`; after that
the call raises, the job ends, and the submission's lease runs out, so the web app queues it
again. A 409 means this attempt no longer holds the submission: the call returns False.
"""

from __future__ import annotations

import logging
import threading
import time

import httpx

from judgekit.errors import JudgekitError
from judgekit.judge import strict_json
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judgehost.host_messages import (
    AttemptRequest,
    CaseMessage,
    ClaimRequest,
    Heartbeat,
    ResultMessage,
)
from judgekit.judgehost.protocol import Claim, Hello

log = logging.getLogger("judgekit.judgehost")


class WebAppUnreachable(JudgekitError):
    pass


class JudgehostClient:
    def __init__(
        self,
        server: str,
        token: str,
        *,
        patience_s: float = 60.0,
        stopping: threading.Event | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        """HTTP: a client to send through instead of a new one (tests pass the app's)."""
        self.server = server.rstrip("/")
        self.patience_s = patience_s
        self._stopping = stopping or threading.Event()
        self._prefix = "/api/judgehost"
        self._http = http or httpx.Client(
            base_url=self.server, timeout=httpx.Timeout(30.0, connect=5.0)
        )
        self._auth = {"Authorization": f"Bearer {token}"}

    def close(self) -> None:
        self._http.close()

    def _call(
        self, method: str, path: str, body: dict[str, object] | None = None
    ) -> httpx.Response:
        deadline = time.monotonic() + self.patience_s
        delay = 0.5
        while True:
            problem: str
            try:
                content = None if body is None else strict_json.dumps(body).encode("utf-8")
                headers = dict(self._auth)
                if content is not None:
                    headers["Content-Type"] = "application/json"
                response = self._http.request(
                    method, self._prefix + path, content=content, headers=headers
                )
                if response.status_code == 401:
                    raise JudgekitError(
                        f"the web app at {self.server} refused the judge-host token; "
                        "set JUDGEKIT_JUDGEHOST_TOKEN to the web app's"
                    )
                if response.status_code < 500:
                    return response
                problem = f"HTTP {response.status_code}"
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}"
            if time.monotonic() + delay > deadline or self._stopping.is_set():
                raise WebAppUnreachable(
                    f"the web app at {self.server} did not answer {method} {path} "
                    f"for {self.patience_s:.0f} s ({problem})"
                )
            log.warning("%s %s: %s; trying again in %.1f s", method, path, problem, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)

    @staticmethod
    def _ok(response: httpx.Response) -> bool:
        if response.status_code == 409:
            return False
        response.raise_for_status()
        return True

    def hello(self) -> Hello:
        response = self._call("GET", "/hello")
        if response.status_code == 404:
            raise JudgekitError(
                f"{self.server} has no judge-host API: start the web app with a broker "
                "(JUDGEKIT_BROKER_URL) and JUDGEKIT_JUDGEHOST_TOKEN"
            )
        response.raise_for_status()
        return Hello.from_json(response.json())

    def claim(self, submission_id: int, judge_host: str) -> Claim | None:
        response = self._call(
            "POST", f"/submissions/{submission_id}/claim", ClaimRequest(judge_host).to_json()
        )
        if response.status_code in (404, 409):
            return None
        response.raise_for_status()
        return Claim.from_json(response.json())

    def renew_lease(self, submission_id: int, attempt: int) -> bool:
        return self._ok(
            self._call(
                "POST", f"/submissions/{submission_id}/lease", AttemptRequest(attempt).to_json()
            )
        )

    # -- judgekit.judgehost.job.ResultSink ----------------------------------------------------

    def add_case(self, submission_id: int, attempt: int, case: CaseResult) -> bool:
        body = CaseMessage(attempt, case).to_json()
        return self._ok(self._call("POST", f"/submissions/{submission_id}/cases", body))

    def finish(self, submission_id: int, attempt: int, result: JudgeReport) -> bool:
        body = ResultMessage(attempt, result).to_json()
        return self._ok(self._call("POST", f"/submissions/{submission_id}/result", body))

    def retry_later(self, submission_id: int, attempt: int, delay_s: float) -> None:
        if self._stopping.wait(delay_s):
            return  # shutting down: the lease runs out and the web app queues it again
        body = AttemptRequest(attempt).to_json()
        self._call("POST", f"/submissions/{submission_id}/retry", body)

    def heartbeat(
        self, name: str, device: str, image: str, versions: dict[str, str], submission: int | None
    ) -> None:
        body = Heartbeat(name, device, image, versions, submission).to_json()
        self._ok(self._call("POST", "/heartbeat", body))
