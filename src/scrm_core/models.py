"""The nouns of scrm: frozen, validated, keyword-only attrs classes.

The wire format stays out of here: ``scrm_core.codec`` turns these into and out of their schema'd JSON, and
each channel plugin translates its platform's payloads into them. Change a model with ``attrs.evolve``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
from attrs import field, frozen, validators

__all__ = [
    "Agent",
    "Contact",
    "Conversation",
    "ConversationStatus",
    "ConversationUpdate",
    "Direction",
    "HandOff",
    "HandOffStatus",
    "Identity",
    "Interaction",
    "InteractionKind",
    "Party",
    "Priority",
    "Reply",
    "ReplyStatus",
    "RouteDecision",
    "Score",
    "Visibility",
    "utc",
    "utcnow",
]


class InteractionKind(enum.StrEnum):
    MENTION = "mention"
    REPLY = "reply"
    DIRECT_MESSAGE = "direct_message"
    COMMENT = "comment"
    POST = "post"
    EMAIL = "email"
    TICKET_UPDATE = "ticket_update"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class Priority(enum.StrEnum):
    """Four levels; ``rank`` orders them (0 is the most pressing)."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class ConversationStatus(enum.StrEnum):
    OPEN = "open"
    PENDING = "pending"
    HANDED_OFF = "handed_off"
    RESOLVED = "resolved"


class HandOffStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DONE = "done"
    FAILED = "failed"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"


class ReplyStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; a naive datetime is refused, because its zone would be a guess."""
    if value.tzinfo is UTC:  # the common case, on every model construction
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"timestamp {value.isoformat()} has no time zone; scrm keeps every time in UTC")
    return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _optional_utc(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def _non_empty(_: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


def _str_tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _str_dict(value: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()}


_str = validators.instance_of(str)
_opt_str = validators.optional(validators.instance_of(str))


@frozen(kw_only=True)
class Party:
    """A person or organisation on a platform: the author of an interaction or the customer of a conversation."""

    platform_id: str = field(validator=[_str, _non_empty])
    handle: str | None = field(default=None, validator=_opt_str)
    display_name: str | None = field(default=None, validator=_opt_str)
    follower_count: int | None = field(
        default=None, validator=validators.optional([validators.instance_of(int), validators.ge(0)])
    )
    verified: bool | None = field(default=None, validator=validators.optional(validators.instance_of(bool)))


@frozen(kw_only=True)
class Interaction:
    """One message, post, comment, e-mail or ticket update, as a channel normalised it.

    ``(channel, account, external_id)`` identifies it: delivering the same triple twice stores it once.
    ``in_reply_to`` is the external id of the message it answers and ``thread_ref`` the platform's own
    conversation key (DM conversation id, e-mail thread root); both feed threading.
    """

    channel: str = field(validator=[_str, _non_empty])
    account: str = field(validator=[_str, _non_empty])
    external_id: str = field(validator=[_str, _non_empty])
    kind: InteractionKind = field(converter=InteractionKind)
    direction: Direction = field(default=Direction.INBOUND, converter=Direction)
    author: Party = field(validator=validators.instance_of(Party))
    text: str = field(validator=_str)
    language: str | None = field(default=None, validator=_opt_str)
    created_at: datetime = field(converter=utc)
    received_at: datetime = field(factory=utcnow, converter=utc)
    in_reply_to: str | None = field(default=None, validator=_opt_str)
    thread_ref: str | None = field(default=None, validator=_opt_str)
    visibility: Visibility = field(default=Visibility.PUBLIC, converter=Visibility)
    link: str | None = field(default=None, validator=_opt_str)
    metadata: dict[str, str] = field(factory=dict, converter=_str_dict)

    @property
    def key(self) -> tuple[str, str, str]:
        """The deduplication key."""
        return (self.channel, self.account, self.external_id)


def _unit_interval(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


@frozen(kw_only=True)
class Score:
    """What one scorer concluded about an interaction, with the reasons a person can read."""

    name: str = field(validator=[_str, _non_empty])
    value: float = field(converter=float)
    confidence: float = field(default=1.0, converter=float, validator=_unit_interval)
    label: str | None = field(default=None, validator=_opt_str)
    reasons: tuple[str, ...] = field(default=(), converter=_str_tuple)


@frozen(kw_only=True)
class RouteDecision:
    """Where a conversation goes and why: the ids of the rules that made the decision and a human explanation."""

    queue: str = field(validator=[_str, _non_empty])
    team: str | None = field(default=None, validator=_opt_str)
    assignee: str | None = field(default=None, validator=_opt_str)
    priority: Priority = field(default=Priority.NORMAL, converter=Priority)
    sla_due: datetime | None = field(default=None, converter=_optional_utc)
    rule_ids: tuple[str, ...] = field(default=(), converter=_str_tuple)
    tags: tuple[str, ...] = field(default=(), converter=_str_tuple)
    strategy: str | None = field(default=None, validator=_opt_str)
    hand_off_to: str | None = field(default=None, validator=_opt_str)
    explanation: str = field(default="", validator=_str)


@frozen(kw_only=True)
class Conversation:
    """A thread with one customer on one channel account, and who owns it now."""

    id: str = field(validator=[_str, _non_empty])
    channel: str = field(validator=[_str, _non_empty])
    account: str = field(validator=[_str, _non_empty])
    thread_key: str = field(validator=[_str, _non_empty])
    customer: Party = field(validator=validators.instance_of(Party))
    status: ConversationStatus = field(default=ConversationStatus.OPEN, converter=ConversationStatus)
    queue: str | None = field(default=None, validator=_opt_str)
    team: str | None = field(default=None, validator=_opt_str)
    assignee: str | None = field(default=None, validator=_opt_str)
    priority: Priority = field(default=Priority.NORMAL, converter=Priority)
    sla_due: datetime | None = field(default=None, converter=_optional_utc)
    language: str | None = field(default=None, validator=_opt_str)
    contact_ref: str | None = field(default=None, validator=_opt_str)
    tags: tuple[str, ...] = field(default=(), converter=_str_tuple)
    explanation: str = field(default="", validator=_str)
    rule_ids: tuple[str, ...] = field(default=(), converter=_str_tuple)
    interaction_count: int = field(default=0, validator=[validators.instance_of(int), validators.ge(0)])
    opened_at: datetime = field(converter=utc)
    updated_at: datetime = field(converter=utc)


@frozen(kw_only=True)
class HandOff:
    """Work delegated out of the contact center (an approver, a sales rep), tracked until resolved."""

    id: str = field(validator=[_str, _non_empty])
    conversation_id: str = field(validator=[_str, _non_empty])
    to: str = field(validator=[_str, _non_empty])
    owner: str = field(validator=[_str, _non_empty])
    reason: str = field(validator=_str)
    status: HandOffStatus = field(default=HandOffStatus.OPEN, converter=HandOffStatus)
    due: datetime | None = field(default=None, converter=_optional_utc)
    via: str | None = field(default=None, validator=_opt_str)
    external_ref: str | None = field(default=None, validator=_opt_str)
    created_at: datetime = field(converter=utc)
    updated_at: datetime = field(converter=utc)


@frozen(kw_only=True)
class Reply:
    """An answer going out. ``id`` is the idempotency key: a retry of the same reply never sends twice."""

    id: str = field(validator=[_str, _non_empty])
    conversation_id: str = field(validator=[_str, _non_empty])
    channel: str = field(validator=[_str, _non_empty])
    account: str = field(validator=[_str, _non_empty])
    recipient: Party = field(validator=validators.instance_of(Party))
    text: str = field(validator=[_str, _non_empty])
    in_reply_to: str | None = field(default=None, validator=_opt_str)
    visibility: Visibility = field(default=Visibility.PUBLIC, converter=Visibility)
    agent: str | None = field(default=None, validator=_opt_str)
    status: ReplyStatus = field(default=ReplyStatus.PENDING, converter=ReplyStatus)
    external_id: str | None = field(default=None, validator=_opt_str)
    error: str | None = field(default=None, validator=_opt_str)
    created_at: datetime = field(factory=utcnow, converter=utc)


@frozen(kw_only=True)
class Agent:
    """A person who can own conversations: an advocate, a team lead, a back-office approver, a sales rep."""

    id: str = field(validator=[_str, _non_empty])
    name: str = field(validator=[_str, _non_empty])
    department: str | None = field(default=None, validator=_opt_str)
    team: str | None = field(default=None, validator=_opt_str)
    skills: tuple[str, ...] = field(default=(), converter=_str_tuple)
    languages: tuple[str, ...] = field(default=(), converter=_str_tuple)
    channels: tuple[str, ...] = field(default=(), converter=_str_tuple)
    capacity: int = field(default=10, validator=[validators.instance_of(int), validators.ge(0)])
    email: str | None = field(default=None, validator=_opt_str)


@frozen(kw_only=True)
class Contact:
    """The host CRM's own record for a social identity, as its identity hook returned it.

    ``tier`` and ``value`` (e.g. lifetime value) feed the customer-value score and routing conditions.
    """

    ref: str = field(validator=[_str, _non_empty])
    name: str | None = field(default=None, validator=_opt_str)
    tier: str | None = field(default=None, validator=_opt_str)
    value: float | None = field(default=None)
    attributes: dict[str, str] = field(factory=dict, converter=_str_dict)


@frozen(kw_only=True)
class Identity:
    """A social identity the host is asked to recognise: who, on which channel and account."""

    channel: str = field(validator=[_str, _non_empty])
    account: str = field(validator=[_str, _non_empty])
    party: Party = field(validator=validators.instance_of(Party))


def _score_tuple(value: Iterable[Score]) -> tuple[Score, ...]:
    return tuple(value)


@frozen(kw_only=True)
class ConversationUpdate:
    """What the host CRM receives after an interaction went through the pipeline."""

    event: str = field(validator=validators.in_(("created", "updated")))
    conversation: Conversation = field(validator=validators.instance_of(Conversation))
    interaction: Interaction = field(validator=validators.instance_of(Interaction))
    scores: tuple[Score, ...] = field(default=(), converter=_score_tuple)
    decision: RouteDecision | None = field(default=None)
