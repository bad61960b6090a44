"""The one interface to scrm's state. The pipeline, engine and CLI reach the store only through it, so a
PostgreSQL backend plugs in beside SQLite without touching them.

Writes happen inside ``transaction()``: everything one interaction changes commits together or not at all.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from attrs import frozen

from scrm_core.models import Conversation, HandOff, Interaction, Reply, RouteDecision, Score

__all__ = ["DeadLetter", "PendingDelivery", "Store", "StoredInteraction", "subject_hash"]


def subject_hash(channel: str, platform_id: str) -> str:
    """The key consent and erasure use for a person on a channel: a hash, so nothing readable stays behind."""
    return hashlib.sha256(f"{channel}\x1f{platform_id}".encode()).hexdigest()


def dedup_hash(channel: str, account: str, external_id: str) -> str:
    return hashlib.sha256(f"{channel}\x1f{account}\x1f{external_id}".encode()).hexdigest()


@frozen(kw_only=True)
class DeadLetter:
    """An interaction (or delivery) that failed part-way, kept with the step and reason until retried."""

    id: int
    step: str
    reason: str
    channel: str | None
    document: Mapping[str, Any]
    attempts: int
    created_at: datetime


@frozen(kw_only=True)
class PendingDelivery:
    id: int
    conversation_id: str
    document: Mapping[str, Any]
    attempts: int


@frozen(kw_only=True)
class StoredInteraction:
    interaction: Interaction
    conversation_id: str
    scores: tuple[Score, ...]
    decision: RouteDecision | None


class Store(abc.ABC):
    """Abstract state store. Implementations: ``SQLiteStore`` (embedded default)."""

    # -- lifecycle and transactions
    @abc.abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together, or roll back together on an exception. Nestable."""

    @abc.abstractmethod
    def close(self) -> None: ...

    # -- deduplication
    @abc.abstractmethod
    def mark_seen(self, channel: str, account: str, external_id: str) -> bool:
        """Record the key; True if it was new, False if it was seen before (a re-delivery)."""

    @abc.abstractmethod
    def is_seen(self, channel: str, account: str, external_id: str) -> bool:
        """A read-only look (the pipeline's fast path for re-deliveries); ``mark_seen`` stays the arbiter."""

    @abc.abstractmethod
    def forget_seen(self, channel: str, account: str, external_id: str) -> None: ...

    # -- interactions and conversations
    @abc.abstractmethod
    def save_interaction(self, item: StoredInteraction) -> None: ...

    @abc.abstractmethod
    def interactions_of(self, conversation_id: str) -> list[StoredInteraction]: ...

    @abc.abstractmethod
    def conversation_of_message(self, channel: str, account: str, external_id: str) -> Conversation | None:
        """The conversation holding the interaction with that external id, if stored (one look-up)."""

    @abc.abstractmethod
    def conversation_by_thread(self, channel: str, account: str, thread_key: str) -> Conversation | None: ...

    @abc.abstractmethod
    def get_conversation(self, conversation_id: str) -> Conversation | None: ...

    @abc.abstractmethod
    def save_conversation(self, conversation: Conversation) -> None:
        """Insert or replace by id."""

    @abc.abstractmethod
    def list_conversations(
        self, *, status: str | None = None, queue: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Conversation]:
        """Most pressing first: by priority, then oldest SLA due time, then most recent activity."""

    @abc.abstractmethod
    def previous_owner(self, channel: str, customer_id: str) -> str | None:
        """The assignee of this customer's most recent conversation on the channel (sticky ownership)."""

    @abc.abstractmethod
    def open_load(self) -> dict[str, int]:
        """Open (not resolved) conversations per assignee."""

    @abc.abstractmethod
    def counts(self) -> dict[str, int]:
        """Row counts per kind of record, for reports and tests."""

    # -- polling cursors
    @abc.abstractmethod
    def get_cursor(self, channel: str, account: str) -> str | None: ...

    @abc.abstractmethod
    def set_cursor(self, channel: str, account: str, cursor: str | None) -> None: ...

    # -- outbox
    @abc.abstractmethod
    def add_reply(self, reply: Reply) -> bool:
        """Queue a reply; False if one with the same id (idempotency key) is already queued."""

    @abc.abstractmethod
    def get_reply(self, reply_id: str) -> tuple[Reply, int] | None:
        """The reply and its number of send attempts."""

    @abc.abstractmethod
    def update_reply(self, reply: Reply, *, attempts: int, next_attempt_at: datetime | None) -> None: ...

    @abc.abstractmethod
    def due_replies(self, now: datetime, limit: int = 100) -> list[Reply]: ...

    # -- hand-offs
    @abc.abstractmethod
    def save_handoff(self, handoff: HandOff, *, actor: str | None, event: str) -> None:
        """Insert or replace, and append an audit event."""

    @abc.abstractmethod
    def get_handoff(self, handoff_id: str) -> HandOff | None: ...

    @abc.abstractmethod
    def handoffs_of(self, conversation_id: str) -> list[HandOff]: ...

    @abc.abstractmethod
    def handoff_events(self, handoff_id: str) -> list[tuple[datetime, str | None, str]]: ...

    # -- consent
    @abc.abstractmethod
    def consent_state(self, subject: str) -> str | None:
        """``opted_out``, ``erased`` or None for a subject hash."""

    @abc.abstractmethod
    def set_consent(self, subject: str, state: str | None, reason: str) -> None:
        """Record a state for a subject hash; None clears it (opt-in again)."""

    @abc.abstractmethod
    def erase_subject(self, channel: str, platform_id: str) -> int:
        """Delete every interaction, conversation, reply and dead letter of a person; returns rows removed."""

    # -- dead letters and host deliveries
    @abc.abstractmethod
    def add_dead_letter(self, *, step: str, reason: str, channel: str | None, document: Mapping[str, Any],
                        subject: str | None = None) -> int: ...

    @abc.abstractmethod
    def dead_letters(self, *, limit: int = 100) -> list[DeadLetter]:
        """Unresolved dead letters, oldest first."""

    @abc.abstractmethod
    def resolve_dead_letter(self, dead_letter_id: int) -> None: ...

    @abc.abstractmethod
    def bump_dead_letter(self, dead_letter_id: int, reason: str) -> None: ...

    @abc.abstractmethod
    def add_delivery(self, conversation_id: str, document: Mapping[str, Any]) -> int: ...

    @abc.abstractmethod
    def finish_delivery(self, delivery_id: int) -> None: ...

    @abc.abstractmethod
    def fail_delivery(self, delivery_id: int) -> None: ...

    @abc.abstractmethod
    def pending_deliveries(self, *, limit: int = 100) -> list[PendingDelivery]: ...

    # -- routing: SLA and escalation
    @abc.abstractmethod
    def overdue_conversations(self, now: datetime, *, limit: int = 100) -> list[Conversation]:
        """Open or pending conversations whose SLA due time is at or before ``now``, oldest due first."""

    @abc.abstractmethod
    def escalation_level(self, conversation_id: str) -> int:
        """How many escalation steps this conversation has taken (0: none)."""

    @abc.abstractmethod
    def record_escalation(self, conversation_id: str, *, level: int, from_owner: str | None,
                          to_owner: str | None, to_queue: str | None, reason: str, at: datetime) -> None:
        """Append one escalation step (``level`` counts from 1)."""

    @abc.abstractmethod
    def escalations_of(self, conversation_id: str) -> list[dict[str, Any]]:
        """The recorded steps, in order: level, from_owner, to_owner, to_queue, reason, at."""
