"""SLA escalation: an overdue conversation moves up its chain (advocate -> team lead -> department head),
one recorded step at a time. The engine calls ``escalate_overdue`` periodically."""

from __future__ import annotations

from datetime import datetime

import attrs
from attrs import frozen

from scrm_core.models import Conversation
from scrm_core.routing.router import EscalationStep, RuleRouter
from scrm_core.store.base import Store

__all__ = ["Escalation", "escalate_overdue"]


@frozen(kw_only=True)
class Escalation:
    conversation_id: str
    level: int
    from_owner: str | None
    to_owner: str | None
    to_queue: str | None
    reason: str
    at: datetime


def _target(
    router: RuleRouter, step: EscalationStep, conversation: Conversation
) -> tuple[str | None, str | None]:
    """(agent, queue) the step sends the conversation to; (None, None) when the chain has nobody there."""
    directory = router.directory
    if step.to == "team_lead":
        return directory.team_lead(conversation.assignee, conversation.team), None
    if step.to == "department_head":
        return directory.department_head(conversation.assignee, conversation.team), None
    if step.to.startswith("queue:"):
        return None, step.to[6:]
    return step.to, None


def _step(store: Store, router: RuleRouter, conversation: Conversation, now: datetime) -> Escalation | None:
    assert conversation.sla_due is not None
    level = store.escalation_level(conversation.id)
    while level < len(router.escalation):
        step = router.escalation[level]
        if now < conversation.sla_due + step.after:
            return None
        level += 1
        owner, queue = _target(router, step, conversation)
        if (owner is None and queue is None) or (owner is not None and owner == conversation.assignee):
            continue  # nobody in that role, or already theirs: the next step applies
        late = now - conversation.sla_due
        reason = (
            f"SLA overdue by {int(late.total_seconds() // 60)} min: escalation step {level} "
            f"({step.to}) -> {owner or 'queue ' + str(queue)}"
        )
        moved = attrs.evolve(
            conversation,
            assignee=owner if owner else conversation.assignee,
            queue=queue or conversation.queue,
            updated_at=now,
            explanation=f"{conversation.explanation}; {reason}".lstrip("; "),
        )
        with store.transaction():
            store.record_escalation(
                conversation.id,
                level=level,
                from_owner=conversation.assignee,
                to_owner=owner,
                to_queue=queue,
                reason=reason,
                at=now,
            )
            store.save_conversation(moved)
        if owner is not None:
            router.moved(conversation.assignee, owner)
        return Escalation(
            conversation_id=conversation.id,
            level=level,
            from_owner=conversation.assignee,
            to_owner=owner,
            to_queue=queue,
            reason=reason,
            at=now,
        )
    return None


def escalate_overdue(
    store: Store, router: RuleRouter, now: datetime, *, limit: int = 500
) -> list[Escalation]:
    """Take the next due escalation step of every overdue open conversation; return the steps taken.

    A step applies once ``now`` is ``after`` past the SLA due time; each conversation moves at most one
    step per call, so a chain unfolds over successive calls and every step is recorded in the store.
    """
    if not router.escalation:
        return []
    taken = []
    for conversation in store.overdue_conversations(now, limit=limit):
        escalation = _step(store, router, conversation, now)
        if escalation is not None:
            taken.append(escalation)
    return taken
