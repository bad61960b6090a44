"""Deliberately broken connectors: each breaks one rule the conformance suite must catch and name.

They are the built-in webhook channel with one thing done wrong, registered by this module as a plugin.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence

import attrs
import httpx

from scrm_core import hookimpl
from scrm_core.channels import Channel, Page, WebhookRequest, WebhookResponse
from scrm_core.default_plugins.webhook_channel import WebhookChannel
from scrm_core.errors import ChannelError
from scrm_core.models import Interaction

log = logging.getLogger("scrm_broken")


class DoubleStoringChannel(WebhookChannel):
    """Mints a new external id on every delivery, so a redelivered event is stored again."""

    def parse(self, request: WebhookRequest) -> Sequence[Interaction]:
        return [attrs.evolve(i, external_id=uuid.uuid4().hex) for i in super().parse(request)]


class UnsignedChannel(WebhookChannel):
    """Never checks the signature."""

    async def verify(self, request: WebhookRequest) -> WebhookResponse | None:
        return None


class TokenLoggingChannel(WebhookChannel):
    """Logs its API token while debugging a poll."""

    async def poll(self, account: str, cursor: str | None) -> Page:
        log.debug("polling %s with token %s", account, self.secrets["token"].reveal())
        return await super().poll(account, cursor)


class RateLimitIgnoringChannel(WebhookChannel):
    """Treats a 429 like any server error: retries on its own schedule instead of the platform's."""

    def _check(self, response: httpx.Response) -> None:
        if response.status_code == 429:
            raise ChannelError(f"{self.name}: platform error 429", channel=self.name, retryable=True)
        super()._check(response)


BROKEN: dict[str, type[Channel]] = {
    "broken_double_store": DoubleStoringChannel,
    "broken_unsigned": UnsignedChannel,
    "broken_token_logger": TokenLoggingChannel,
    "broken_rate_limits": RateLimitIgnoringChannel,
}


@hookimpl
def scrm_register_channels(register: Callable[[str, type[Channel]], None]) -> None:
    for name, cls in BROKEN.items():
        register(name, cls)
