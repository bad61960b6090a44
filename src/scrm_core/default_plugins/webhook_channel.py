"""The built-in ``webhook`` channel type: any system that can send signed JSON (a contact form, a chat widget,
an in-house app, a platform bridge) becomes a channel without writing a plugin.

Inbound: ``POST`` a body ``{"interactions": [ ... ]}`` whose items follow ``schemas/interaction.schema.json``
(``channel`` may be left out, ``account`` defaults to the section's ``account``), signed per Standard Webhooks.
Polling: ``GET {base_url}/interactions?account=..&cursor=..`` answering
``{"interactions": [...], "next_cursor": "..." | null, "has_more": bool}``.
Replies: ``POST {base_url}/replies`` with an ``Idempotency-Key`` header, answering ``{"id": "..."}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import httpx

from scrm_core import codec, hookimpl
from scrm_core.channels import Capabilities, Channel, Page, SendResult, WebhookRequest, WebhookResponse, decode_json
from scrm_core.errors import ChannelError, MalformedPayload
from scrm_core.http import raise_for_status
from scrm_core.models import Interaction, Reply
from scrm_core.signing import DEFAULT_TOLERANCE_SECONDS, verify_standard_webhook

__all__ = ["WebhookChannel"]


class WebhookChannel(Channel):
    capabilities: ClassVar[Capabilities] = Capabilities(
        webhooks=True, polling=True, public_reply=True, private_message=True, threading=True,
        max_text_length=10000, idempotent_send=True,
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "required": ["account"],
        "additionalProperties": False,
        "properties": {
            "account": {"type": "string", "minLength": 1},
            "base_url": {"type": "string", "pattern": "^https?://"},
            "poll": {"type": "boolean", "description": "poll base_url for interactions (default true)"},
            "tolerance_seconds": {"type": "integer", "minimum": 1, "maximum": 86400},
            "max_page_size": {"type": "integer", "minimum": 1, "maximum": 1000},
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 300},
        },
    }
    required_secrets: ClassVar[tuple[str, ...]] = ("secret",)
    validates_interactions: ClassVar[bool] = True

    @property
    def accounts(self) -> Sequence[str]:
        return [self._account] if self.settings.get("poll", True) and self.settings.get("base_url") else []

    @property
    def _account(self) -> str:
        return str(self.settings["account"])

    async def verify(self, request: WebhookRequest) -> WebhookResponse | None:
        verify_standard_webhook(
            self.secrets["secret"].reveal(), request.headers, request.body,
            tolerance=int(self.settings.get("tolerance_seconds", DEFAULT_TOLERANCE_SECONDS)), channel=self.name,
        )
        return None

    def parse(self, request: WebhookRequest) -> Sequence[Interaction]:
        document = decode_json(request.body, channel=self.name)
        return self._interactions(document, "interactions")

    def _interactions(self, document: Any, key: str) -> list[Interaction]:
        if not isinstance(document, dict) or not isinstance(document.get(key), list):
            raise MalformedPayload(f"body must be an object with an array {key!r}", channel=self.name)
        found = []
        for index, item in enumerate(document[key]):
            if not isinstance(item, dict):
                raise MalformedPayload("item is not an object", path=f"$.{key}[{index}]", channel=self.name)
            if item.get("channel", self.name) != self.name:
                raise MalformedPayload(f"item names channel {item['channel']!r}, but arrived on {self.name!r}",
                                       path=f"$.{key}[{index}].channel", channel=self.name)
            full = {**item, "channel": self.name, "account": item.get("account", self._account)}
            try:
                found.append(codec.from_json(Interaction, full, channel=self.name))
            except MalformedPayload as exc:
                raise MalformedPayload(exc.detail, path=f"$.{key}[{index}]{exc.path[1:]}",
                                       channel=self.name) from None
        return found

    def _url(self, path: str) -> str:
        base = self.settings.get("base_url")
        if not base:
            raise ChannelError(f"channel {self.name!r} has no base_url to call", channel=self.name)
        return f"{str(base).rstrip('/')}{path}"

    def _headers(self) -> dict[str, str]:
        token = self.secrets.get("token")
        return {"authorization": f"Bearer {token.reveal()}"} if token else {}

    def _check(self, response: httpx.Response) -> None:
        raise_for_status(response, channel=self.name)

    async def poll(self, account: str, cursor: str | None) -> Page:
        params = {"account": account, "limit": str(self.settings.get("max_page_size", 100))}
        if cursor:
            params["cursor"] = cursor
        try:
            response = await self.http.get(self._url("/interactions"), params=params, headers=self._headers(),
                                           timeout=float(self.settings.get("timeout_seconds", 30)))
        except httpx.TransportError as exc:
            raise ChannelError(f"{self.name}: {type(exc).__name__}", channel=self.name, retryable=True) from None
        self._check(response)
        document = decode_json(response.content, channel=self.name)
        interactions = self._interactions(document, "interactions")
        next_cursor = document.get("next_cursor")
        return Page(interactions=interactions, cursor=next_cursor if next_cursor is not None else cursor,
                    more=bool(document.get("has_more")) and next_cursor is not None)

    async def send(self, reply: Reply) -> SendResult:
        body = {"id": reply.id, "account": reply.account, "in_reply_to": reply.in_reply_to,
                "recipient": codec.to_json(reply.recipient), "text": reply.text,
                "visibility": reply.visibility.value}
        try:
            response = await self.http.post(self._url("/replies"), json=body,
                                            headers={**self._headers(), "idempotency-key": reply.id},
                                            timeout=float(self.settings.get("timeout_seconds", 30)))
        except httpx.TransportError as exc:
            raise ChannelError(f"{self.name}: {type(exc).__name__}", channel=self.name, retryable=True) from None
        self._check(response)
        document = decode_json(response.content, channel=self.name)
        if not isinstance(document, dict) or not isinstance(document.get("id"), str):
            raise ChannelError(f"{self.name}: reply accepted without an id", channel=self.name)
        return SendResult(external_id=document["id"])


@hookimpl
def scrm_register_channels(register: Callable[[str, type[Channel]], None]) -> None:
    register("webhook", WebhookChannel)
