"""The JSON API calls `judgekit submit` makes, each answer parsed into a type.

Every failure becomes one JudgekitError that says what happened and what to do: the server is
down, unreachable or too slow (judgekit.client.transport bounds each call's time and size and
refuses redirects), the token is refused (401), the file is too large (413), the server keeps
rate-limiting (429, after waiting as its Retry-After asks, a bounded number of times), or the
server sent something the API does not (judgekit.client.answers).
"""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from pathlib import Path

from judgekit.client import answers
from judgekit.client.answers import CaseProgress, SubmissionState
from judgekit.client.transport import CallError, CallLimits, Origin, Reply, call
from judgekit.client.untrusted import UnexpectedAnswer, parse_json, shown
from judgekit.errors import JudgekitError

MAX_RETRIES = 5
"""How many times a 429 is waited out before giving up."""
MAX_WAIT_S = 120.0
"""The longest Retry-After waited out; a server asking for longer is an error at once."""
DEFAULT_WAIT_S = 5.0
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DETAIL_CHARS = 300


class TooLongAWait(JudgekitError):
    """A 429 whose Retry-After asks for more than MAX_WAIT_S."""


def retry_after_s(value: str | None) -> float:
    """Seconds to wait from a Retry-After header: seconds, or an HTTP date (a past one: 0).

    Missing: DEFAULT_WAIT_S. Anything else (nan, inf, -1, text) is an UnexpectedAnswer; more
    than MAX_WAIT_S is TooLongAWait.
    """
    if value is None or not value.strip():
        return DEFAULT_WAIT_S
    text = value.strip()
    if _SECONDS.fullmatch(text):
        seconds = float(text)  # digits only: finite or inf, never nan or negative
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            raise UnexpectedAnswer(
                f"Retry-After {shown(value)}", "is neither seconds nor an HTTP date"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = max(when.timestamp() - time.time(), 0.0)
    if not math.isfinite(seconds) or seconds > MAX_WAIT_S:
        raise TooLongAWait(
            f"the server is rate-limiting (429) and asks to wait {shown(text)} s, more than the "
            f"{MAX_WAIT_S:g} s judgekit waits; try again later"
        )
    return seconds


def _detail(reply: Reply) -> str:
    """The `detail` of an error answer, on one short line; "" when there is none."""
    try:
        body = parse_json(reply.body, "the error answer")
    except UnexpectedAnswer:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, str):
        return ""
    line = " ".join(detail.split())
    return line if len(line) <= _DETAIL_CHARS else line[: _DETAIL_CHARS - 3] + "..."


def _multipart(path: Path, content: bytes, device: str) -> tuple[bytes, str]:
    boundary = f"judgekit-{uuid.uuid4().hex}"
    name = path.name.replace('"', "_").replace("\r", "_").replace("\n", "_")
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="device"\r\n\r\n{device}\r\n'
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="file"; filename="{name}"\r\nContent-Type: text/x-python\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@dataclass
class JudgeServer:
    """The API at URL, called with TOKEN, each call within LIMITS. ON_WAIT(seconds, attempt) is
    told before each wait for a 429."""

    url: str
    token: str
    token_source: str = "the token"
    on_wait: Callable[[float, int], None] = lambda _s, _n: None
    limits: CallLimits = field(default_factory=CallLimits)
    origin: Origin = field(init=False)

    def __post_init__(self) -> None:
        self.origin = Origin.parse(self.url)
        if not (self.token.isascii() and self.token.isprintable()) or " " in self.token:
            raise JudgekitError(
                f"{self.token_source}: not a token (it has a space or a character no token "
                "has); use the token printed by `judgekit users add`"
            )

    def _call(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> object:
        """The JSON of the 2xx answer to METHOD PATH (any JSON: the caller parses it)."""
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        for attempt in range(1, MAX_RETRIES + 2):
            try:
                reply = call(self.origin, method, path, headers, body, self.limits)
            except CallError as error:
                raise self._call_failed(error) from None
            if reply.status == 429 and attempt <= MAX_RETRIES:
                wait = retry_after_s(reply.headers.get("retry-after"))
                self.on_wait(wait, attempt)
                time.sleep(wait)
                continue
            if not 200 <= reply.status < 300:
                raise self._http_error(reply, attempt)
            return parse_json(reply.body, f"the answer to {method} {path.split('?')[0]}")
        raise AssertionError("unreachable")

    def _call_failed(self, error: CallError) -> JudgekitError:
        if error.reachable:
            return JudgekitError(f"{self.url}: {error.why}")
        return JudgekitError(
            f"cannot reach the judge at {self.url} ({error.why}); check --server or "
            "$JUDGEKIT_SERVER"
        )

    def _http_error(self, reply: Reply, attempt: int) -> JudgekitError:
        detail = _detail(reply)
        if reply.status == 401:
            return JudgekitError(
                f"{self.url} refused {self.token_source} (401 Unauthorized); use the token "
                "printed by `judgekit users add` for this server"
            )
        if reply.status == 413:
            return JudgekitError(f"the file is too large for this server (413): {detail}")
        if reply.status == 429:
            return JudgekitError(
                f"the server is still rate-limiting after {attempt - 1} waits (429): {detail}"
            )
        return JudgekitError(f"{self.url} answered {reply.status}: {detail or 'no detail'}")

    def upload(self, path: Path, content: bytes, device: str) -> int:
        """POST /api/submissions: the new submission's id."""
        body, content_type = _multipart(path, content, device)
        return answers.accepted_id(self._call("POST", "/api/submissions", body, content_type))

    def progress(self, submission_id: int, after: int) -> CaseProgress:
        """The cases finished after sequence number AFTER (-1: all)."""
        answer = self._call("GET", f"/api/submissions/{submission_id}/cases?after={after}")
        return answers.case_progress(answer, after)

    def submission(self, submission_id: int) -> SubmissionState:
        answer = self._call("GET", f"/api/submissions/{submission_id}")
        return answers.submission_state(answer, submission_id)
