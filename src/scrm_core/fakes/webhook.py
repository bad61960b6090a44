"""A fake of the API the built-in ``webhook`` channel calls: ``GET /interactions`` (cursor pages) and
``POST /replies`` (deduplicated by ``Idempotency-Key``), both behind a bearer token."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from scrm_core.fakes import FakePlatform, bearer, cursor_page
from scrm_core.signing import sign_standard_webhook

__all__ = ["WebhookPlatformFake", "sign_webhook"]


def sign_webhook(secret: str, body: bytes, *, message_id: str | None = None,
                 timestamp: int | None = None) -> dict[str, str]:
    """Standard Webhooks headers (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) for ``body``,
    as the built-in ``webhook`` channel expects them."""
    return {
        "content-type": "application/json",
        **sign_standard_webhook(secret, message_id or f"msg_{uuid.uuid4().hex}",
                                int(time.time()) if timestamp is None else timestamp, body),
    }


class WebhookPlatformFake(FakePlatform):
    """Interactions are published per account with ``publish(account, count)``; replies land in
    ``effects.of("reply")``."""

    def __init__(self, *, token: str = "webhook-fake-token-0001", **kwargs: Any) -> None:
        self.token = token
        self.items: dict[str, list[dict[str, Any]]] = {}
        self._published = 0
        super().__init__(**kwargs)

    def setup(self) -> None:
        self.add_route("/interactions", self.list_interactions, auth=bearer(lambda: self.token))
        self.add_route("/replies", self.post_reply, methods=["POST"], auth=bearer(lambda: self.token))

    def interaction(self, number: int) -> dict[str, Any]:
        """The document for the ``number``-th published interaction."""
        created = self.clock() - timedelta(minutes=10) + timedelta(seconds=number)
        return {"external_id": f"wh-{number}", "kind": "mention", "text": f"Message number {number}, help!",
                "author": {"platform_id": f"user-{number}", "handle": f"@user{number}"},
                "created_at": created.isoformat().replace("+00:00", "Z")}

    def publish(self, account: str, count: int = 1) -> list[dict[str, Any]]:
        added = []
        for _ in range(count):
            self._published += 1
            added.append(self.interaction(self._published))
        self.items.setdefault(account, []).extend(added)
        return added

    def add_items(self, account: str, documents: Sequence[Mapping[str, Any]]) -> None:
        """Append given interaction documents (a recorded dataset, say) to ``account``'s feed, in order."""
        self.items.setdefault(account, []).extend(dict(document) for document in documents)

    async def list_interactions(self, request: Request) -> Response:
        account = request.query_params.get("account", "")
        try:
            limit = int(request.query_params.get("limit", "100"))
            page = cursor_page(self.items.get(account, []), request.query_params.get("cursor"), limit,
                               key=lambda item: str(item["external_id"]))
        except (KeyError, ValueError):
            return JSONResponse({"error": "invalid_request", "detail": "unknown cursor or bad limit"}, 400)
        return JSONResponse({"interactions": list(page.items), "next_cursor": page.next_cursor,
                             "has_more": page.has_more})

    async def post_reply(self, request: Request) -> Response:
        body = await request.body()
        try:
            document = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "invalid_json"}, 400)
        if not isinstance(document, dict) or not document.get("text"):
            return JSONResponse({"error": "invalid_request", "detail": "text is required"}, 422)
        effect, _ = self.accept("reply", request, body, lambda: {"id": f"out-{len(self.effects) + 1}"})
        return JSONResponse(dict(effect.result), status_code=201)
