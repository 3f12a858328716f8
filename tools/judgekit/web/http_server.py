"""The HTTP server's own limits, below the app: how long a client may take to send a request's
headers and to read an answer, how many connections one address and all of them may hold,
which proxies' forwarded addresses count.

uvicorn times out idle keep-alive connections only, and only between requests: a client that
opens a connection and sends nothing, or a byte at a time, or never reads what it asked for,
would hold it for ever. Here a request's headers must be complete within HEADER_TIMEOUT_S of
the connection (or of the end of the previous response), an answer the client stops reading
is dropped after WRITE_TIMEOUT_S, and a connection past MAX_CONNECTIONS_PER_ADDRESS from one
address, or MAX_CONNECTIONS in all, is answered 503 and closed at once (uvicorn's own limit
counted idle connections against every request). Bodies have their own deadline in
`context.read_body_limited`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from judgekit.web.guards.security_headers import SECURITY_HEADERS
from judgekit.web.settings import Settings

HEADER_TIMEOUT_S = 10.0
WRITE_TIMEOUT_S = 15.0
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 4000
"""Open connections at once (each a few KB; above the live-stream cap, which holds one each)."""
MAX_CONNECTIONS_PER_ADDRESS = 256
"""Open connections from one address: a class behind one address, six per browser, fits."""


@dataclass
class ConnectionCount:
    """The open connections of one server, per client address."""

    per_address_cap: int = MAX_CONNECTIONS_PER_ADDRESS
    per_address: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.per_address.values())

    def admit(self, address: str) -> bool:
        if self.total >= MAX_CONNECTIONS or self.per_address[address] >= self.per_address_cap:
            return False
        self.per_address[address] += 1
        return True

    def release(self, address: str) -> None:
        self.per_address[address] -= 1
        if self.per_address[address] <= 0:
            del self.per_address[address]


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with deadlines for each request's headers and for the client to
    read its answer, and connections counted per address (`counted`, set per server)."""

    counted: ConnectionCount

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._write_deadline: asyncio.TimerHandle | None = None
        self._address: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else "unknown"
        if not self.counted.admit(address):
            self._refuse(transport)
            return
        self._address = address
        self._arm_header_deadline()

    def _refuse(self, transport: asyncio.Transport) -> None:
        body = b"too many connections from your address or in all; try again shortly\n"
        head = [
            b"HTTP/1.1 503 Service Unavailable",
            b"content-type: text/plain; charset=utf-8",
            b"content-length: " + str(len(body)).encode(),
            b"retry-after: 5",
            b"connection: close",
            *(f"{name}: {value}".encode() for name, value in SECURITY_HEADERS.items()),
        ]
        transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        transport.close()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request it cannot parse, with the judge's headers."""
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"connection", b"close"),
            *((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
        ]
        event = h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
        self.transport.write(self.conn.send(event) or b"")
        self.transport.write(self.conn.send(h11.Data(data=msg.encode("ascii"))) or b"")
        self.transport.write(self.conn.send(h11.EndOfMessage()) or b"")
        self.transport.close()

    def pause_writing(self) -> None:
        """The client stopped reading: drop it unless it reads again within WRITE_TIMEOUT_S."""
        super().pause_writing()
        if self._write_deadline is None:
            self._write_deadline = self.loop.call_later(WRITE_TIMEOUT_S, self.transport.abort)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the headers are in
            self._disarm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None
        if self._address is not None:
            self.counted.release(self._address)
            self._address = None
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def server_config(app: Any, settings: Settings) -> uvicorn.Config:
    """uvicorn's configuration for APP: the limits above; X-Forwarded-For is believed only from
    `settings.forwarded_allow_ips` (a proxy in front), else a client's address is its own."""
    forwarded_allow_ips = settings.forwarded_allow_ips
    # Behind a proxy every connection comes from the proxy: it is the one to limit them.
    counted = ConnectionCount(
        MAX_CONNECTIONS if forwarded_allow_ips is not None else MAX_CONNECTIONS_PER_ADDRESS
    )
    protocol = type("CountedProtocol", (HeaderDeadlineProtocol,), {"counted": counted})
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=protocol,
        timeout_keep_alive=KEEP_ALIVE_S,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips or "",
        log_level="info",
        access_log=False,
        log_config=None,
    )
