"""The HTTP server's own limits, below the app: how long a client may take to send a request's
headers, how many connections it may hold, which proxies' forwarded addresses count.

uvicorn times out idle keep-alive connections only, and only between requests: a client that
opens a connection and sends nothing, or a byte at a time, would hold it for ever. Here a
request's headers must be complete within HEADER_TIMEOUT_S of the connection (or of the end of
the previous response); bodies have their own deadline in `context.read_body_limited`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from judgekit.web.settings import Settings

HEADER_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 1000
"""Connections and requests in progress at once; beyond, uvicorn answers 503. Above the
live-stream cap (StreamLimits.total), which holds one each."""


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

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
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=HeaderDeadlineProtocol,
        timeout_keep_alive=KEEP_ALIVE_S,
        limit_concurrency=MAX_CONNECTIONS,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips or "",
        log_level="info",
        access_log=False,
        log_config=None,
    )
