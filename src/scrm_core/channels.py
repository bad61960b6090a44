"""The Channel interface: everything the core knows about a platform goes through it.

A channel plugin subclasses :class:`Channel` and registers it under a *type* name (``scrm_register_channels``).
The config then names channel *instances*: ``[channels.support_x] type = "x"``; the instance name is what
interactions carry as ``channel``. The pipeline calls, in order for a webhook: ``verify`` (refuse forgeries,
answer challenges), ``parse`` (platform payload -> Interactions); for polling: ``poll`` from a stored cursor;
outbound: ``send``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import httpx
from attrs import field, frozen

from scrm_core.config import Secrets
from scrm_core.errors import MalformedPayload
from scrm_core.models import Interaction, Reply

__all__ = [
    "Capabilities",
    "Channel",
    "Page",
    "SendResult",
    "WebhookRequest",
    "WebhookResponse",
    "decode_json",
]


@frozen(kw_only=True)
class Capabilities:
    """What a channel can do, so the core and hosts never ask for the impossible."""

    webhooks: bool = False
    polling: bool = False
    public_reply: bool = False
    private_message: bool = False
    threading: bool = True
    max_text_length: int | None = None
    # True when the platform itself deduplicates sends by an idempotency key (the core then may resend
    # blindly after a crash; otherwise it asks the channel before resending)
    idempotent_send: bool = False
    rate_limit_requests: int | None = None
    rate_limit_window_seconds: float | None = None


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


@frozen(kw_only=True)
class WebhookRequest:
    """An inbound HTTP request exactly as received: the raw body bytes (never re-serialised, since platforms
    sign their own bytes) and lower-cased header names."""

    method: str = "POST"
    path: str = "/"
    headers: Mapping[str, str] = field(factory=dict, converter=_lower_keys)
    query: Mapping[str, str] = field(factory=dict)
    body: bytes = b""


@frozen(kw_only=True)
class WebhookResponse:
    """A direct answer to a webhook request (a CRC or hub.challenge reply) that carries no interactions."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


def _interaction_tuple(value: Iterable[Interaction]) -> tuple[Interaction, ...]:
    return tuple(value)


@frozen(kw_only=True)
class Page:
    """One page of a poll: the interactions, the cursor to resume from next time, and whether more is waiting.

    ``retry_after`` (seconds) tells the poller not to call again before then (rate limit reset).
    """

    interactions: tuple[Interaction, ...] = field(default=(), converter=_interaction_tuple)
    cursor: str | None = None
    more: bool = False
    retry_after: float | None = None


@frozen(kw_only=True)
class SendResult:
    """What the platform said after accepting a reply: its id for the sent message."""

    external_id: str


def decode_json(body: bytes, *, channel: str | None = None) -> Any:
    """Strict UTF-8 and JSON decoding with a typed error that says where the body breaks."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedPayload(f"body is not valid UTF-8 (byte {exc.start})", channel=channel) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedPayload(
            f"body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", channel=channel
        ) from None


class Channel:
    """Base class of every channel. Subclasses set ``capabilities`` and ``config_schema`` and override what
    they support; an unsupported operation raises ``NotImplementedError``.

    An instance serves one configured channel: ``name`` is the instance name from the config, ``settings``
    its config section (already validated against ``config_schema``), ``secrets`` the secrets that section
    named through ``*_env`` keys, ``http`` the shared client (tests hand in one bound to a fake platform).
    """

    capabilities: ClassVar[Capabilities] = Capabilities()
    #: JSON Schema of the channel's config section (the ``type`` and ``enabled`` keys are the core's)
    config_schema: ClassVar[Mapping[str, Any]] = {"type": "object"}
    #: secrets the section must name through ``<name>_env`` keys (``scrm check`` reports missing ones)
    required_secrets: ClassVar[tuple[str, ...]] = ()
    #: True when ``parse`` and ``poll`` build every Interaction through ``codec.from_json`` (which checks the
    #: interaction schema and reports body-relative paths); the pipeline then does not validate them again
    validates_interactions: ClassVar[bool] = False

    def __init__(
        self, *, name: str, settings: Mapping[str, Any], secrets: Secrets, http: httpx.AsyncClient
    ) -> None:
        self.name = name
        self.settings = settings
        self.secrets = secrets
        self.http = http

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    @property
    def accounts(self) -> Sequence[str]:
        """The brand accounts this instance serves (for polling); by default the ``account`` setting."""
        account = self.settings.get("account")
        return [str(account)] if account else []

    async def verify(self, request: WebhookRequest) -> WebhookResponse | None:
        """Check the request is authentic. Raise SignatureError if not; return a WebhookResponse to answer a
        challenge (the request then carries no interactions); return None to go on to ``parse``."""
        raise NotImplementedError(f"{type(self).__name__} does not receive webhooks")

    def parse(self, request: WebhookRequest) -> Sequence[Interaction]:
        """Turn a verified webhook body into Interactions; raise MalformedPayload naming what is wrong.
        Events the channel does not handle yield nothing (they are acknowledged, not retried)."""
        raise NotImplementedError(f"{type(self).__name__} does not receive webhooks")

    async def poll(self, account: str, cursor: str | None) -> Page:
        """Fetch the next page after ``cursor`` (None: from the start) for ``account``."""
        raise NotImplementedError(f"{type(self).__name__} does not poll")

    async def send(self, reply: Reply) -> SendResult:
        """Send ``reply``; raise ChannelError (RateLimited with ``retry_after``) when the platform refuses."""
        raise NotImplementedError(f"{type(self).__name__} cannot send")

    async def was_sent(self, reply: Reply) -> SendResult | None:
        """After a crash between send and commit: did the platform already accept ``reply``? None if not, or
        if the channel cannot tell (then ``capabilities.idempotent_send`` should be True)."""
        return None

    async def aclose(self) -> None:
        """Release what the channel holds (streams, sessions); the shared HTTP client is the core's."""
