"""What every Store backend must do. The pipeline relies on exactly these promises, so a new backend
(PostgreSQL for scale-out) is done when it joins ``BACKENDS`` and this module passes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scrm_core.models import (
    Conversation,
    ConversationStatus,
    HandOff,
    Interaction,
    Party,
    Priority,
    Reply,
    ReplyStatus,
    RouteDecision,
    Score,
)
from scrm_core.store import SQLiteStore, Store, StoredInteraction, subject_hash

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite-file": lambda folder: SQLiteStore(folder / "contract.sqlite3"),
    "sqlite-memory": lambda folder: SQLiteStore(":memory:"),
}


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    backend = BACKENDS[request.param](tmp_path)
    yield backend
    backend.close()


def conversation(cid: str, customer: str = "ana", **changes: object) -> Conversation:
    fields: dict[str, object] = {"id": cid, "channel": "x", "account": "acme", "thread_key": f"t-{cid}",
                                 "customer": Party(platform_id=customer), "queue": "advocates",
                                 "opened_at": T0, "updated_at": T0}
    fields.update(changes)
    return Conversation(**fields)  # type: ignore[arg-type]


def stored(external_id: str, conversation_id: str, author: str = "ana") -> StoredInteraction:
    return StoredInteraction(
        interaction=Interaction(channel="x", account="acme", external_id=external_id, kind="mention",
                                author=Party(platform_id=author), text=f"message {external_id}",
                                created_at=T0 + timedelta(minutes=int(external_id)), received_at=T0),
        conversation_id=conversation_id, scores=(Score(name="priority", value=40, label="high", reasons=("r",)),),
        decision=RouteDecision(queue="advocates", explanation="because"))


def test_dedup_keys_are_atomic_and_forgettable(store: Store) -> None:
    with store.transaction():
        assert store.mark_seen("x", "acme", "1") is True
        assert store.mark_seen("x", "acme", "1") is False
    assert store.is_seen("x", "acme", "1") and not store.is_seen("x", "other", "1")
    store.forget_seen("x", "acme", "1")
    assert not store.is_seen("x", "acme", "1")


def test_transactions_nest_and_roll_back_whole(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.mark_seen("x", "acme", "1")
        with store.transaction():
            store.save_conversation(conversation("c1"))
        raise RuntimeError("late failure")
    assert store.get_conversation("c1") is None and not store.is_seen("x", "acme", "1")


def test_conversations_and_interactions_round_trip_and_thread(store: Store) -> None:
    with store.transaction():
        store.save_conversation(conversation("c1"))
        for n in ("2", "1"):
            store.save_interaction(stored(n, "c1"))
    assert store.get_conversation("c1") == conversation("c1")
    assert store.conversation_by_thread("x", "acme", "t-c1") == conversation("c1")
    assert store.conversation_of_message("x", "acme", "2") == conversation("c1")
    assert store.conversation_of_message("x", "acme", "9") is None
    items = store.interactions_of("c1")
    assert [i.interaction.external_id for i in items] == ["1", "2"]  # by time, not by insertion
    assert items[0] == stored("1", "c1")


def test_listing_filters_and_orders_by_urgency(store: Store) -> None:
    with store.transaction():
        store.save_conversation(conversation("low", priority=Priority.LOW))
        store.save_conversation(conversation("urgent", priority=Priority.URGENT, queue="safety"))
        store.save_conversation(conversation("done", priority=Priority.URGENT, status=ConversationStatus.RESOLVED))
    assert [c.id for c in store.list_conversations()] == ["urgent", "done", "low"]
    assert [c.id for c in store.list_conversations(status="open")] == ["urgent", "low"]
    assert [c.id for c in store.list_conversations(queue="safety")] == ["urgent"]
    assert [c.id for c in store.list_conversations(limit=1, offset=1)] == ["done"]


def test_owners_and_load(store: Store) -> None:
    with store.transaction():
        store.save_conversation(conversation("a", assignee="bia", updated_at=T0))
        store.save_conversation(conversation("b", assignee="rui", updated_at=T0 + timedelta(hours=1)))
        store.save_conversation(conversation("c", customer="zé", assignee="rui",
                                             status=ConversationStatus.RESOLVED))
    assert store.previous_owner("x", "ana") == "rui"
    assert store.previous_owner("x", "nobody") is None
    assert store.open_load() == {"bia": 1, "rui": 1}


def test_cursors(store: Store) -> None:
    assert store.get_cursor("email", "support") is None
    with store.transaction():
        store.set_cursor("email", "support", "42")
        store.set_cursor("email", "support", "43")
    assert store.get_cursor("email", "support") == "43"


def test_outbox_is_keyed_by_idempotency_key_and_schedules_retries(store: Store) -> None:
    reply = Reply(id="r1", conversation_id="c1", channel="x", account="acme", recipient=Party(platform_id="ana"),
                  text="on it", created_at=T0)
    with store.transaction():
        assert store.add_reply(reply) is True
        assert store.add_reply(reply) is False
    assert store.get_reply("r1") == (reply, 0)
    assert store.due_replies(T0) == [reply]
    with store.transaction():
        store.update_reply(reply, attempts=1, next_attempt_at=T0 + timedelta(minutes=5))
    assert store.due_replies(T0) == []
    assert store.due_replies(T0 + timedelta(minutes=5)) == [reply]
    sent = Reply(id="r1", conversation_id="c1", channel="x", account="acme", recipient=Party(platform_id="ana"),
                 text="on it", created_at=T0, status=ReplyStatus.SENT, external_id="p-9")
    with store.transaction():
        store.update_reply(sent, attempts=2, next_attempt_at=None)
    assert store.get_reply("r1") == (sent, 2)
    assert store.due_replies(T0 + timedelta(days=1)) == []


def test_handoffs_keep_an_audit_trail(store: Store) -> None:
    handoff = HandOff(id="h1", conversation_id="c1", to="finance", owner="finance", reason="refund",
                      created_at=T0, updated_at=T0)
    store.save_handoff(handoff, actor="ana", event="created")
    store.save_handoff(HandOff(id="h1", conversation_id="c1", to="finance", owner="dan", reason="refund",
                               status="done", created_at=T0, updated_at=T0 + timedelta(hours=1)),
                       actor="dan", event="done")
    assert store.get_handoff("h1") is not None and store.get_handoff("h1").owner == "dan"  # type: ignore[union-attr]
    assert [h.id for h in store.handoffs_of("c1")] == ["h1"]
    assert [(actor, event) for _, actor, event in store.handoff_events("h1")] == [("ana", "created"), ("dan", "done")]


def test_consent_and_erasure_leave_nothing_of_the_person(store: Store) -> None:
    subject = subject_hash("x", "ana")
    with store.transaction():
        store.set_consent(subject, "opted_out", "STOP message")
        store.save_conversation(conversation("c1"))
        store.save_interaction(stored("1", "c1"))
        store.add_reply(Reply(id="r1", conversation_id="c1", channel="x", account="acme",
                              recipient=Party(platform_id="ana"), text="hi", created_at=T0))
        store.add_dead_letter(step="route", reason="boom", channel="x", document={"who": "ana"}, subject=subject)
    assert store.consent_state(subject) == "opted_out"
    assert store.erase_subject("x", "ana") >= 4
    counts = store.counts()
    assert counts["interactions"] == counts["conversations"] == counts["outbox"] == counts["dead_letters"] == 0
    with store.transaction():
        store.set_consent(subject, None, "opt-in")
    assert store.consent_state(subject) is None


def test_dead_letters_and_deliveries(store: Store) -> None:
    with store.transaction():
        first = store.add_dead_letter(step="route", reason="boom", channel="x", document={"n": 1})
        store.add_dead_letter(step="store", reason="locked", channel="x", document={"n": 2})
        store.bump_dead_letter(first, "boom again")
        delivery = store.add_delivery("c1", {"event": "created"})
    letters = store.dead_letters()
    assert [(d.step, d.attempts, d.document) for d in letters] == [("route", 2, {"n": 1}), ("store", 1, {"n": 2})]
    assert letters[0].reason == "boom again"
    with store.transaction():
        store.resolve_dead_letter(first)
        store.fail_delivery(delivery)
    assert [d.step for d in store.dead_letters()] == ["store"]
    [pending] = store.pending_deliveries()
    assert (pending.conversation_id, pending.attempts, pending.document) == ("c1", 1, {"event": "created"})
    with store.transaction():
        store.finish_delivery(delivery)
    assert store.pending_deliveries() == []


def test_overdue_conversations_and_escalation_steps(store: Store) -> None:
    with store.transaction():
        store.save_conversation(conversation("late", sla_due=T0, assignee="ana"))
        store.save_conversation(conversation("later", sla_due=T0 + timedelta(hours=2)))
        store.save_conversation(conversation("closed", sla_due=T0, status=ConversationStatus.RESOLVED))
    assert [c.id for c in store.overdue_conversations(T0 + timedelta(minutes=1))] == ["late"]
    assert store.escalation_level("late") == 0
    store.record_escalation("late", level=1, from_owner="ana", to_owner="lia", to_queue=None, reason="overdue",
                            at=T0 + timedelta(minutes=1))
    assert store.escalation_level("late") == 1
    [step] = store.escalations_of("late")
    assert (step["level"], step["from_owner"], step["to_owner"], step["reason"]) == (1, "ana", "lia", "overdue")
