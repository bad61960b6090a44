"""A follow-up in an open conversation: kept where it is unless it is more pressing."""

from __future__ import annotations

from datetime import UTC, datetime

from scrm_core.models import Conversation, Interaction, Party, Priority, Score
from scrm_core.plugins import Registry, create_plugin_manager
from scrm_core.routing import build_router
from scrm_core.routing.base import RoutingInput
from scrm_core.store import SQLiteStore

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
SETTINGS = {
    "agents": {"ana": {"capacity": 5}, "bia": {"capacity": 5}, "lia": {"capacity": 5}},
    "queues": {"advocates": {"agents": ["ana", "bia"], "strategy": "least_loaded"},
               "escalations": {"agents": ["lia"]}},
    "rules": [{"id": "legal", "when": {"keywords": ["procon"]}, "then": {"queue": "escalations",
                                                                        "priority": "high"}}],
}


def _input(text: str, conversation: Conversation | None, label: str = "normal") -> RoutingInput:
    interaction = Interaction(channel="x", account="a", external_id=text[:8], kind="reply",
                              author=Party(platform_id="p"), text=text, created_at=NOW, language="pt")
    return RoutingInput(interaction=interaction, now=NOW, conversation=conversation,
                        scores={"priority": Score(name="priority", value=1, label=label)})


def test_a_routine_follow_up_keeps_queue_owner_and_load_and_a_pressing_one_moves() -> None:
    router = build_router(SETTINGS, Registry(create_plugin_manager(entry_points=False)), store=SQLiteStore())
    first = router.route(_input("minha internet caiu", None))
    assert first.queue == "advocates" and first.assignee is not None
    load = router.load()
    conversation = Conversation(id="c", channel="x", account="a", thread_key="t", customer=Party(platform_id="p"),
                                queue=first.queue, assignee=first.assignee, priority=first.priority,
                                sla_due=first.sla_due, opened_at=NOW, updated_at=NOW)
    kept = router.route(_input("obrigado!", conversation, label="low"))
    assert (kept.queue, kept.assignee, kept.priority, kept.sla_due) == (
        "advocates", first.assignee, Priority.NORMAL, first.sla_due)
    assert kept.explanation.startswith("follow-up in an open conversation: kept in queue advocates")
    assert router.load() == load
    moved = router.route(_input("vou no procon amanhã", conversation))
    assert (moved.queue, moved.assignee, moved.priority) == ("escalations", "lia", Priority.HIGH)
    assert moved.rule_ids == ("legal",)
    assert router.load()[first.assignee] == load[first.assignee] - 1
    assert router.load()["lia"] == 1
