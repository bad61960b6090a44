"""Builders shared by the routing tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrm_core.models import Contact, Conversation, Interaction, Party, Score
from scrm_core.plugins import Registry, create_plugin_manager
from scrm_core.routing import RoutingInput, build_router
from scrm_core.routing.router import RuleRouter
from scrm_core.store.sqlite import SQLiteStore

NOW = datetime(2025, 3, 5, 15, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Sao Paulo


def registry() -> Registry:
    return Registry(create_plugin_manager(entry_points=False))


def router(settings: dict[str, Any], store: SQLiteStore | None = None, **kwargs: Any) -> RuleRouter:
    return build_router(settings, registry(), store=store or SQLiteStore(), **kwargs)


def scores(
    *, intents: tuple[str, ...] = (), priority: str | None = None, sentiment: float | None = None
) -> dict[str, Score]:
    out: dict[str, Score] = {}
    if intents:
        out["intent"] = Score(
            name="intent",
            value=len(intents),
            label=intents[0],
            reasons=[f"intent:{i} matched 'x'" for i in intents],
        )
    if priority:
        out["priority"] = Score(
            name="priority",
            value=50,
            label=priority,
            reasons=["intent complaint (+20)", f"50 points -> {priority}"],
        )
    if sentiment is not None:
        label = "negative" if sentiment <= -0.05 else "positive" if sentiment >= 0.05 else "neutral"
        out["sentiment"] = Score(name="sentiment", value=sentiment, label=label)
    return out


def rinput(
    text: str = "hello",
    *,
    channel: str = "twitter",
    account: str = "brand",
    kind: str = "mention",
    language: str | None = "en",
    visibility: str = "public",
    now: datetime = NOW,
    contact: Contact | None = None,
    conversation: Conversation | None = None,
    previous_owner: str | None = None,
    metadata: dict[str, str] | None = None,
    author: Party | None = None,
    **score_args: Any,
) -> RoutingInput:
    interaction = Interaction(
        channel=channel,
        account=account,
        external_id="e1",
        kind=kind,
        text=text,
        language=language,
        visibility=visibility,
        metadata=metadata or {},
        author=author or Party(platform_id="cust"),
        created_at=now,
    )
    return RoutingInput(
        interaction=interaction,
        scores=scores(**score_args),
        contact=contact,
        conversation=conversation,
        previous_owner=previous_owner,
        now=now,
    )


def conversation(assignee: str | None, queue: str | None = None, **kw: Any) -> Conversation:
    conversation_id = kw.pop("id", "c1")
    return Conversation(
        id=conversation_id,
        channel="twitter",
        account="brand",
        thread_key=conversation_id,
        customer=Party(platform_id="cust"),
        assignee=assignee,
        queue=queue,
        opened_at=NOW,
        updated_at=NOW,
        **kw,
    )
