"""The pipeline's steps and its promises: dedup, threading, consent, isolation, dead letters, delivery."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from scrm_core import codec, hookimpl
from scrm_core.engine import Engine
from scrm_core.errors import ConsentError, MalformedPayload
from scrm_core.models import (
    Contact,
    Conversation,
    ConversationUpdate,
    Identity,
    Interaction,
    Party,
    RouteDecision,
    Score,
)
from scrm_core.pipeline import Outcome
from scrm_core.routing.base import RoutingInput
from scrm_core.scoring.base import ScoringContext

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def item(external_id: str, text: str = "my internet has been down since yesterday", *, author: str = "u1",
         channel: str = "x", **extra: object) -> Interaction:
    return Interaction(channel=channel, account="acme", external_id=external_id, kind=extra.pop("kind", "mention"),
                       author=Party(platform_id=author, handle=f"@{author}"), text=text, created_at=T0,
                       **extra)  # type: ignore[arg-type]


async def test_replies_and_shared_thread_keys_join_one_conversation(engine: Engine) -> None:
    results = engine.ingest([
        item("1"), item("2", "still nothing!!", in_reply_to="1"), item("3", "and now?", in_reply_to="2"),
        item("d1", "hello, private question", kind="direct_message", thread_ref="dm-9", author="u2"),
        item("d2", "are you there?", kind="direct_message", thread_ref="dm-9", author="u2"),
        item("9", "unrelated reply to a brand post", in_reply_to="brand-post-1", author="u3"),
    ])
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 6
    ids = [r.conversation.id for r in results if r.conversation]
    assert ids[0] == ids[1] == ids[2]
    assert ids[3] == ids[4] != ids[0]
    assert len(set(ids)) == 3
    thread = engine.store.get_conversation(ids[0])
    assert thread is not None and thread.interaction_count == 3
    assert [s.interaction.external_id for s in engine.store.interactions_of(ids[0])] == ["1", "2", "3"]


async def test_every_accepted_interaction_gets_scores_a_language_and_a_reasoned_route(engine: Engine) -> None:
    [result] = engine.ingest([item("1", "My internet has been down for two days and nobody answers, terrible!")])
    assert result.interaction.language == "en"
    names = {s.name for s in result.scores}
    assert {"language", "priority"} <= names
    assert result.decision is not None and result.decision.queue
    assert result.decision.explanation
    assert result.conversation is not None and result.conversation.queue == result.decision.queue


async def test_an_opt_out_message_is_recorded_and_flags_the_conversation(engine: Engine) -> None:
    [first] = engine.ingest([item("d1", "Pare", kind="direct_message", thread_ref="dm-1")])
    assert first.conversation is not None and "do-not-contact" in first.conversation.tags
    assert engine.store.counts()["consent"] == 1
    [later] = engine.ingest([item("d2", "one more thing about my bill", kind="direct_message", thread_ref="dm-1")])
    assert later.conversation is not None and "do-not-contact" in later.conversation.tags
    [back] = engine.ingest([item("d3", "START", kind="direct_message", thread_ref="dm-1")])
    assert back.conversation is not None and "do-not-contact" not in back.conversation.tags
    assert engine.store.counts()["consent"] == 0


async def test_opt_out_needs_the_whole_message(engine: Engine) -> None:
    [result] = engine.ingest([item("1", "please don't stop the service, I need it!")])
    assert result.conversation is not None and "do-not-contact" not in result.conversation.tags


async def test_an_erased_person_is_suppressed_and_leaves_nothing_readable(engine: Engine) -> None:
    engine.ingest([item("1", "I am Jane Roe and my line is broken", author="jane")])
    removed = engine.erase("x", "jane")
    assert removed >= 2
    [later] = engine.ingest([item("2", "Jane again", author="jane")])
    assert later.outcome is Outcome.SUPPRESSED
    counts = engine.store.counts()
    assert counts["interactions"] == 0 and counts["conversations"] == 0


class _FailingRouter:
    def __init__(self) -> None:
        self.fail = True

    def route(self, routing_input: RoutingInput) -> RouteDecision:
        if self.fail:
            raise RuntimeError("strategy plugin crashed")
        return RouteDecision(queue="advocates", explanation="recovered")

    def released(self, agent_id: str) -> None:
        return None


async def test_a_routing_failure_keeps_the_interaction_as_a_dead_letter_that_retry_takes(engine: Engine) -> None:
    router = _FailingRouter()
    engine.pipeline.router = router
    [result] = engine.ingest([item("1")])
    assert result.outcome is Outcome.DEAD_LETTER
    assert "strategy plugin crashed" in (result.reason or "")
    [letter] = engine.store.dead_letters()
    assert letter.step == "route"
    assert codec.from_json(Interaction, letter.document).external_id == "1"
    assert engine.store.counts()["interactions"] == 0
    # a re-delivery while it waits is not processed twice
    assert engine.ingest([item("1")])[0].outcome is Outcome.DUPLICATE
    still, _ = engine.retry()
    assert still[0].outcome is Outcome.DEAD_LETTER
    assert engine.store.dead_letters()[0].attempts == 2
    router.fail = False
    retried, _ = engine.retry()
    assert [r.outcome for r in retried] == [Outcome.ACCEPTED]
    assert engine.store.dead_letters() == []
    assert engine.store.counts()["interactions"] == 1


async def test_a_failing_scorer_is_skipped_and_the_others_still_score(
    make_engine: Callable[..., Engine], caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        name = "broken"
        languages = None
        requires: tuple[str, ...] = ()

        def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
            raise ZeroDivisionError("bad lexicon")

    class Plugin:
        @hookimpl
        def scrm_register_scorers(self, register: Callable[[object], None]) -> None:
            register(Broken())

    async with make_engine(extra_plugins=(Plugin(),)) as engine:
        [result] = engine.ingest([item("1")])
    assert result.outcome is Outcome.ACCEPTED
    assert "broken" not in {s.name for s in result.scores}
    assert "priority" in {s.name for s in result.scores}
    assert "scorer 'broken' failed" in caplog.text


async def test_host_hooks_see_identity_routing_and_delivery_and_a_failed_delivery_is_retried(
    make_engine: Callable[..., Engine],
) -> None:
    events: list[str] = []

    class Host:
        down = True

        @hookimpl
        def scrm_resolve_identity(self, identity: Identity) -> Contact | None:
            events.append(f"identify {identity.party.platform_id}")
            return Contact(ref="crm-7", tier="gold", value=12000.0)

        @hookimpl
        def scrm_interaction_received(self, interaction: Interaction) -> None:
            events.append(f"received {interaction.external_id}")

        @hookimpl
        def scrm_interaction_routed(self, interaction: Interaction, conversation: Conversation,
                                    decision: RouteDecision) -> None:
            events.append(f"routed {interaction.external_id} -> {decision.queue}")

        @hookimpl
        def scrm_deliver(self, update: ConversationUpdate) -> None:
            if self.down:
                raise ConnectionError("CRM unavailable")
            events.append(f"delivered {update.event} {update.conversation.contact_ref}")

    host = Host()
    async with make_engine(extra_plugins=(host,)) as engine:
        [result] = engine.ingest([item("1")])
        assert result.outcome is Outcome.ACCEPTED
        assert result.conversation is not None and result.conversation.contact_ref == "crm-7"
        assert engine.store.counts()["deliveries"] == 1
        host.down = False
        _, delivered = engine.retry()
        assert delivered == 1
        assert engine.store.counts()["deliveries"] == 0
    assert events[0] == "identify u1"
    assert events[1] == "received 1"
    assert events[2].startswith("routed 1 -> ")
    assert events[3] == "delivered created crm-7"


async def test_a_batch_with_one_invalid_item_stores_nothing(engine: Engine) -> None:
    bad = Interaction(channel="Not A Name", account="acme", external_id="2", kind="mention",
                      author=Party(platform_id="u"), text="x", created_at=T0)
    with pytest.raises(MalformedPayload) as caught:
        engine.ingest([item("1"), bad])
    assert caught.value.path == "$[1].channel"
    assert engine.store.counts()["interactions"] == 0


async def test_outbound_echoes_thread_without_being_routed(engine: Engine) -> None:
    [customer] = engine.ingest([item("1")])
    [echo] = engine.ingest([item("2", "Sorry! DM us your account number.", author="brand", in_reply_to="1",
                                 direction="outbound")])
    assert echo.decision is None
    assert customer.conversation is not None and echo.conversation is not None
    assert echo.conversation.id == customer.conversation.id
    assert echo.conversation.customer.platform_id == "u1"


async def test_a_thread_the_brand_opened_belongs_to_the_first_customer_who_answers(engine: Engine) -> None:
    [offer] = engine.ingest([item("o1", "Hi! Fibre 1 Gb is now available on your street.", author="brand",
                                  kind="direct_message", thread_ref="dm-5", direction="outbound")])
    assert offer.conversation is not None and offer.conversation.queue is None
    [answer] = engine.ingest([item("o2", "STOP", author="u9", kind="direct_message", thread_ref="dm-5")])
    assert answer.conversation is not None
    assert answer.conversation.customer.platform_id == "u9"
    assert "do-not-contact" in answer.conversation.tags
    with pytest.raises(ConsentError):
        await engine.reply(answer.conversation.id, "Sorry to see you go")
