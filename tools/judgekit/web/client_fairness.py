"""No client address holds more than its share of the server: at most
`RequestLimits.per_address` requests in progress at once from one address (a client opening
a hundred connections to poll or download gets 429 for the rest at once, instead of queueing
ahead of everyone in the thread pool). Live event streams are capped per user on their own
(`live_results`), so they are not counted here."""

from __future__ import annotations

import json
from collections import Counter

from starlette.types import ASGIApp, Receive, Scope, Send

RETRY_AFTER_S = 1
_EXEMPT_SUFFIX = "/events"


class ClientFairness:
    def __init__(self, app: ASGIApp, per_address: int) -> None:
        self.app = app
        self.per_address = per_address
        self._in_flight: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).endswith(_EXEMPT_SUFFIX):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        if self._in_flight[address] >= self.per_address:
            await _refuse(send, self.per_address)
            return
        self._in_flight[address] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._in_flight[address] -= 1
            if self._in_flight[address] <= 0:
                del self._in_flight[address]


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "detail": f"more than {limit} requests at once from your address; "
            f"wait for them to finish (try again in {RETRY_AFTER_S} s)"
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_S).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
