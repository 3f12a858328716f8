"""One HTTP call to the judge server, bounded as a hostile or broken server requires.

* **One origin.** A call names a path on the origin of `--server` (scheme, host and port),
  never a URL, so nothing, the token least of all, can go anywhere else. A redirect (any 3xx)
  is never followed: it is an error that names the new location, to pass as `--server` if it
  is trusted. (urllib's default redirect handler follows one and copies the Authorization
  header; http.client, used here, follows nothing.)
* **A deadline for the whole call**: connecting, sending, the headers and the whole body. Each
  read from the socket may take only the time left, so a server that drips a byte every few
  seconds fails when the deadline passes, not when it stops.
* **A cap on the answer's size**: the body is read in chunks and refused once past the cap
  (at once when its Content-Length says so); http.client bounds the header lines and count.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from judgekit.errors import JudgekitError

CHUNK_BYTES = 64 * 1024
_SHOWN_LOCATION = 200


@dataclass(frozen=True)
class CallLimits:
    """The bounds on each HTTP call."""

    deadline_s: float = 30.0
    """Connect, send and read the whole answer within this many seconds."""
    max_answer_bytes: int = 1024 * 1024
    """The largest answer body read (the API's answers are a few KiB to a few hundred)."""


@dataclass(frozen=True)
class Origin:
    """Where every call goes: SCHEME://HOST:PORT, under the path prefix BASE ("" or "/x")."""

    scheme: str
    host: str
    port: int
    base: str

    @classmethod
    def parse(cls, url: str) -> Origin:
        def refuse(why: str) -> JudgekitError:
            return JudgekitError(f"--server {url}: {why}; give a URL such as http://host:8000")

        if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
            raise refuse("a space or control character in it")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise refuse(str(error)) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise refuse("not an http:// or https:// URL with a host")
        if parts.username is not None or parts.password is not None:
            raise refuse("a user or password in the URL is not used; the token is sent instead")
        if parts.query or parts.fragment:
            raise refuse("no query or fragment is allowed")
        default_port = 443 if parts.scheme == "https" else 80
        return cls(parts.scheme, parts.hostname, port or default_port, parts.path.rstrip("/"))

    @property
    def root(self) -> str:
        """SCHEME://HOST[:PORT], the port left out when it is the scheme's default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = self.port == (443 if self.scheme == "https" else 80)
        return f"{self.scheme}://{host}" + ("" if default else f":{self.port}")

    def url(self, path: str = "") -> str:
        return self.root + self.base + path


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    """Header names in lower case."""
    body: bytes


class _DeadlineReader(io.RawIOBase):
    """The bytes of FILE (http.client's reader of SOCK), each read of the socket allowed only
    the time left before DEADLINE (time.monotonic)."""

    def __init__(self, sock: socket.socket, file: io.BufferedReader, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._file = file  # kept: it holds the socket open after the connection lets it go
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the call's deadline passed")
        self._sock.settimeout(left)
        count: int | None = self._file.raw.readinto(buffer)
        return count or 0

    def close(self) -> None:
        self._file.close()
        super().close()


def _response_class(deadline: float) -> type[http.client.HTTPResponse]:
    class DeadlineResponse(http.client.HTTPResponse):
        def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
            super().__init__(sock, *args, **kwargs)
            self.fp = io.BufferedReader(_DeadlineReader(sock, self.fp, deadline))

    return DeadlineResponse


class CallError(JudgekitError):
    """A call that got no usable answer; WHY says what happened, for the caller's message."""

    def __init__(self, why: str, *, reachable: bool) -> None:
        super().__init__(why)
        self.why = why
        self.reachable = reachable
        """False when the server could not be reached at all (refused, unknown host)."""


def _redirect_error(origin: Origin, method: str, path: str, status: int, location: str) -> str:
    asked = origin.url(path)
    target = urljoin(asked, location)
    parts = urlsplit(target)
    endpoint = path.split("?")[0]
    if parts.scheme in ("http", "https") and parts.netloc:
        root = f"{parts.scheme}://{parts.netloc}"
        server = root + parts.path[: -len(endpoint)] if parts.path.endswith(endpoint) else root
        advice = f"if you trust {server}, pass it as --server"
    else:
        advice = "check --server"
    if len(target) > _SHOWN_LOCATION:
        target = target[: _SHOWN_LOCATION - 3] + "..."
    return (
        f"the server answered {method} {endpoint} with a redirect ({status}) to {target}; "
        f"judgekit follows no redirect, so that the token goes only to --server: {advice}"
    )


def call(
    origin: Origin,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes | None,
    limits: CallLimits,
) -> Reply:
    """METHOD PATH (with its query) on ORIGIN, the whole of it within LIMITS."""
    if not path.startswith("/"):
        raise ValueError(f"a path on the server, not {path!r}")
    deadline = time.monotonic() + limits.deadline_s
    connection_class = (
        http.client.HTTPSConnection if origin.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(origin.host, origin.port, timeout=limits.deadline_s)
    connection.response_class = _response_class(deadline)
    slow = f"no whole answer to {method} {path.split('?')[0]} within {limits.deadline_s:g} s"
    response: http.client.HTTPResponse | None = None
    try:
        try:
            connection.connect()
        except ConnectionRefusedError:
            raise CallError(
                "connection refused: is `judgekit serve` running there?", reachable=False
            ) from None
        except socket.gaierror as error:
            raise CallError(f"unknown host ({error.strerror})", reachable=False) from None
        except UnicodeError as error:
            raise CallError(f"not a host name ({error})", reachable=False) from None
        connection.sock.settimeout(max(deadline - time.monotonic(), 0.001))
        connection.request(method, origin.base + path, body=body, headers=dict(headers))
        response = connection.getresponse()
        if 300 <= response.status < 400:
            location = response.getheader("Location") or "(no Location header)"
            why = _redirect_error(origin, method, path, response.status, location)
            raise CallError(why, reachable=True)
        data = _read_body(response, limits.max_answer_bytes, f"{method} {path.split('?')[0]}")
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
        return Reply(response.status, answer_headers, data)
    except TimeoutError:
        raise CallError(slow, reachable=True) from None
    except http.client.HTTPException as error:
        why = f"the judge server sent something unexpected: not an HTTP answer ({error!r:.80})"
        raise CallError(why, reachable=True) from None
    except OSError as error:  # reset, TLS failure, no route
        raise CallError(str(error) or type(error).__name__, reachable=False) from None
    finally:
        if response is not None:
            response.close()
        connection.close()


def _read_body(response: http.client.HTTPResponse, cap: int, request: str) -> bytes:
    too_large = CallError(
        f"the judge server sent something unexpected: an answer to {request} over "
        f"{cap} bytes (the client's cap); check --server",
        reachable=True,
    )
    if response.length is not None and response.length > cap:  # its Content-Length
        raise too_large
    data = bytearray()
    while chunk := response.read(min(CHUNK_BYTES, cap + 1 - len(data))):
        data += chunk
        if len(data) > cap:
            raise too_large
    return bytes(data)
