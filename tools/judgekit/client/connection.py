"""The JSON API calls `judgekit submit` makes, over urllib (no dependency beyond Python).

Every failure becomes one JudgekitError that says what happened and what to do: the server is
down or unreachable, the token is refused (401), the file is too large (413), or the server
keeps rate-limiting (429, after waiting as its Retry-After asks, a bounded number of times).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from judgekit.errors import JudgekitError

MAX_RETRIES = 5
"""How many times a 429 is waited out before giving up."""
MAX_WAIT_S = 120.0
DEFAULT_WAIT_S = 5.0
TIMEOUT_S = 30.0


def retry_after_s(value: str | None) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), within bounds."""
    if not value:
        return DEFAULT_WAIT_S
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return DEFAULT_WAIT_S
    return min(max(seconds, 0.0), MAX_WAIT_S)


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read().decode("utf-8", errors="replace"))
    except (OSError, ValueError):
        return error.reason if isinstance(error.reason, str) else ""
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail) if detail is not None else ""


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
    """The API at URL, called with TOKEN. ON_WAIT(seconds, attempt) is told before each wait
    for a 429."""

    url: str
    token: str
    token_source: str = "the token"
    on_wait: Callable[[float, int], None] = lambda _s, _n: None

    def _call(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        for attempt in range(1, MAX_RETRIES + 2):
            request = urllib.request.Request(
                self.url + path, data=body, headers=headers, method=method
            )
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                    data = json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                if error.code == 429 and attempt <= MAX_RETRIES:
                    wait = retry_after_s(error.headers.get("Retry-After"))
                    self.on_wait(wait, attempt)
                    time.sleep(wait)
                    continue
                raise self._http_error(error, attempt) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                raise self._unreachable(error) from None
            except ValueError as error:
                raise JudgekitError(f"{self.url}: the answer is not JSON ({error})") from None
            if not isinstance(data, dict):
                raise JudgekitError(f"{self.url}: the server's answer is not a JSON object")
            return data
        raise AssertionError("unreachable")

    def _unreachable(self, error: Exception) -> JudgekitError:
        reason = getattr(error, "reason", error)
        if isinstance(reason, ConnectionRefusedError):
            why = "connection refused: is `judgekit serve` running there?"
        elif isinstance(reason, TimeoutError):
            why = f"no answer within {TIMEOUT_S:g} s"
        else:
            why = str(reason)
        return JudgekitError(
            f"cannot reach the judge at {self.url} ({why}); check --server or $JUDGEKIT_SERVER"
        )

    def _http_error(self, error: urllib.error.HTTPError, attempt: int) -> JudgekitError:
        detail = _detail(error)
        if error.code == 401:
            return JudgekitError(
                f"{self.url} refused {self.token_source} (401 Unauthorized); use the token "
                "printed by `judgekit users add` for this server"
            )
        if error.code == 413:
            return JudgekitError(f"the file is too large for this server (413): {detail}")
        if error.code == 429:
            return JudgekitError(
                f"the server is still rate-limiting after {attempt - 1} waits (429): {detail}"
            )
        return JudgekitError(f"{self.url} answered {error.code}: {detail or error.reason}")

    def upload(self, path: Path, content: bytes, device: str) -> int:
        body, content_type = _multipart(path, content, device)
        answer = self._call("POST", "/api/submissions", body, content_type)
        return int(answer["id"])

    def progress(self, submission_id: int, after: int) -> dict[str, Any]:
        """{status, total, cases: [{seq, case}]}: the cases finished after seq AFTER."""
        return self._call("GET", f"/api/submissions/{submission_id}/cases?after={after}")

    def submission(self, submission_id: int) -> dict[str, Any]:
        return self._call("GET", f"/api/submissions/{submission_id}")
