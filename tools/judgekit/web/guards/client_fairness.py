"""No client address holds more than its share of the server: at most
`RequestLimits.per_address` requests in progress at once from one address (a client opening
a hundred connections to poll or download gets 429 for the rest at once, instead of queueing
ahead of everyone in the thread pool), and `RequestLimits.total` from all (then 503). Live
event streams (`/submissions/N/events`) are capped per user on their own (`live_results`), so
they are not counted here."""

from __future__ import annotations

import json
import re
from collections import Counter

from starlette.types import ASGIApp, Receive, Scope, Send

RETRY_AFTER_S = 1
_LIVE_STREAM = re.compile(r"/submissions/[0-9]{1,19}/events")


class ClientFairness:
    def __init__(self, app: ASGIApp, per_address: int, total: int) -> None:
        self.app = app
        self.per_address = per_address
        self.total = total
        self._in_flight: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or _LIVE_STREAM.fullmatch(path):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        if self._in_flight[address] >= self.per_address:
            await _refuse(
                send,
                429,
                f"more than {self.per_address} requests at once from your address; "
                f"wait for them to finish (try again in {RETRY_AFTER_S} s)",
            )
            return
        if sum(self._in_flight.values()) >= self.total:
            await _refuse(send, 503, f"the server is busy; try again in {RETRY_AFTER_S} s")
            return
        self._in_flight[address] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._in_flight[address] -= 1
            if self._in_flight[address] <= 0:
                del self._in_flight[address]


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_S).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
