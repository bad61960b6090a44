"""A local stand-in for the platforms behind the built-in ``webhook`` channel type, used by ``scrm demo``
and the core's tests. It follows the contract in ``default_plugins/webhook_channel.py``:

    GET  /interactions?account=..&cursor=..&limit=..   pages of interaction documents (Bearer token)
    POST /replies                                      accepts a reply once per Idempotency-Key

and signs webhook batches the way a platform would push them. Faults can be queued (a 429 with
Retry-After, a 500) to show the engine coping with them.
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scrm_core.signing import sign_standard_webhook

__all__ = ["DemoPlatform"]


class DemoPlatform:
    """Feeds to poll, a replies endpoint, and a queue of programmed faults."""

    def __init__(self, *, token: str, page_size: int = 25) -> None:
        self._token = token
        self.page_size = page_size
        self.feeds: dict[str, list[Mapping[str, Any]]] = {}
        self.replies: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[float, str, str]] = []
        self.faults: deque[tuple[int, dict[str, str]]] = deque()
        self.app = Starlette(routes=[
            Route("/interactions", self._interactions, methods=["GET"]),
            Route("/replies", self._reply, methods=["POST"]),
        ])

    def add_feed(self, account: str, documents: Sequence[Mapping[str, Any]]) -> None:
        self.feeds.setdefault(account, []).extend(documents)

    def fail_next(self, status: int, headers: Mapping[str, str] | None = None) -> None:
        self.faults.append((status, dict(headers or {})))

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self._token}".encode())

    def _fault(self) -> Response | None:
        if not self.faults:
            return None
        status, headers = self.faults.popleft()
        return JSONResponse({"error": "programmed fault"}, status_code=status, headers=headers)

    async def _interactions(self, request: Request) -> Response:
        self.requests.append((time.time(), "GET", str(request.url)))
        if not self._authorised(request):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        fault = self._fault()
        if fault is not None:
            return fault
        feed = self.feeds.get(request.query_params.get("account", ""), [])
        try:
            start = int(request.query_params.get("cursor") or 0)
            limit = min(int(request.query_params.get("limit") or self.page_size), self.page_size)
        except ValueError:
            return JSONResponse({"error": "bad cursor or limit"}, status_code=400)
        page = feed[start:start + limit]
        end = start + len(page)
        return JSONResponse({"interactions": page, "next_cursor": str(end), "has_more": end < len(feed)})

    async def _reply(self, request: Request) -> Response:
        self.requests.append((time.time(), "POST", str(request.url)))
        if not self._authorised(request):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        fault = self._fault()
        if fault is not None:
            return fault
        key = request.headers.get("idempotency-key")
        if not key:
            return JSONResponse({"error": "Idempotency-Key header is required"}, status_code=400)
        if key not in self.replies:
            self.replies[key] = {"id": f"r-{len(self.replies) + 1}", **json.loads(await request.body())}
        return JSONResponse({"id": self.replies[key]["id"]})

    @staticmethod
    def signed_batch(secret: str, documents: Sequence[Mapping[str, Any]], *,
                     timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
        """A webhook body carrying ``documents`` and the headers that sign it."""
        body = json.dumps({"interactions": list(documents)}, ensure_ascii=False).encode()
        headers = sign_standard_webhook(secret, f"msg_{uuid.uuid4().hex}", timestamp or int(time.time()), body)
        return body, {**headers, "content-type": "application/json"}
