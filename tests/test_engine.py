"""The engine's outward promises: polling from cursors, rate limits, replies through the outbox, consent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from scrm_core.engine import Engine
from scrm_core.errors import ConfigError, ConsentError, InputError
from scrm_core.fakes import Fault
from scrm_core.fakes.webhook import WebhookPlatformFake
from scrm_core.models import ReplyStatus
from scrm_core.pipeline import Outcome
from scrm_core.store import SQLiteStore
from tests.support import Clock, channel_section, interaction_doc


def feed(n: int, account: str = "acme") -> list[dict[str, object]]:
    return [{**interaction_doc(str(i), text=f"question number {i} about my plan"), "channel": "x",
             "account": account} for i in range(n)]


async def test_polling_resumes_from_its_cursor_after_a_restart(
    make_engine: Callable[..., Engine], platform: WebhookPlatformFake, tmp_path: object
) -> None:
    platform.add_items("acme", feed(35))
    store_path = tmp_path / "poll.sqlite3"  # type: ignore[operator]
    async with make_engine(store=SQLiteStore(store_path)) as engine:
        report = await engine.poll(max_pages=2)
        assert report.pages == 2
        assert engine.store.get_cursor("x", "acme") == "19"  # the key of the last item seen
    async with make_engine(store=SQLiteStore(store_path)) as engine:  # a restart
        report = await engine.poll()
        assert report.pages == 2
        assert engine.store.counts()["interactions"] == 35
        platform.add_items("acme", feed(38)[35:])
        report = await engine.poll()
        assert [r.outcome for r in report.results] == [Outcome.ACCEPTED] * 3
        assert engine.store.counts()["interactions"] == 38


async def test_a_rate_limited_account_is_not_called_again_before_its_reset(
    engine: Engine, platform: WebhookPlatformFake, clock: Clock
) -> None:
    platform.add_items("acme", feed(5))
    platform.faults.push(Fault.rate_limited(retry_after=120))
    report = await engine.poll()
    assert report.pages == 0 and len(report.waits) == 1
    calls = len(platform.requests)
    clock.now += timedelta(seconds=119)
    report = await engine.poll()
    assert len(platform.requests) == calls, "polled before the rate-limit reset"
    clock.now += timedelta(seconds=2)
    report = await engine.poll()
    assert report.pages == 1 and engine.store.counts()["interactions"] == 5


async def test_a_reply_goes_out_once_even_when_retried(engine: Engine, platform: WebhookPlatformFake) -> None:
    [result] = engine.ingest([_inbound()])
    assert result.conversation is not None
    reply = await engine.reply(result.conversation.id, "We are on it!", agent="ana", reply_id="r-1")
    assert reply.status is ReplyStatus.SENT and reply.external_id == "out-1"
    again = await engine.reply(result.conversation.id, "We are on it!", agent="ana", reply_id="r-1")
    assert again.status is ReplyStatus.SENT
    assert len(platform.effects.of("reply")) == 1
    effect = platform.effects.find("reply", "r-1")
    assert effect is not None
    sent = effect.request
    assert sent["in_reply_to"] == "1" and sent["text"] == "We are on it!"


async def test_a_platform_error_reschedules_the_reply_and_flush_sends_it_once(
    engine: Engine, platform: WebhookPlatformFake, clock: Clock
) -> None:
    [result] = engine.ingest([_inbound()])
    assert result.conversation is not None
    platform.faults.push(Fault.server_error(503))
    reply = await engine.reply(result.conversation.id, "Looking into it", reply_id="r-2")
    assert reply.status is ReplyStatus.PENDING and "503" in (reply.error or "")
    assert await engine.flush_outbox() == []  # not due yet
    clock.now += timedelta(seconds=5)
    [flushed] = await engine.flush_outbox()
    assert flushed.status is ReplyStatus.SENT
    clock.now += timedelta(hours=2)
    assert await engine.flush_outbox() == []
    assert len(platform.effects.of("reply")) == 1


async def test_nothing_is_sent_to_an_opted_out_person_even_if_queued_before(
    engine: Engine, platform: WebhookPlatformFake, clock: Clock
) -> None:
    [result] = engine.ingest([_inbound()])
    assert result.conversation is not None
    platform.faults.push(Fault.server_error(503))
    queued = await engine.reply(result.conversation.id, "First answer", reply_id="r-3")
    assert queued.status is ReplyStatus.PENDING
    engine.opt_out("x", "u-1")
    with pytest.raises(ConsentError, match="opted out"):
        await engine.reply(result.conversation.id, "Second answer")
    clock.now += timedelta(minutes=5)
    [dropped] = await engine.flush_outbox()
    assert dropped.status is ReplyStatus.FAILED and "opted out" in (dropped.error or "")
    assert platform.effects.of("reply") == []


async def test_a_reply_over_the_channel_limit_is_refused(engine: Engine) -> None:
    [result] = engine.ingest([_inbound()])
    assert result.conversation is not None
    with pytest.raises(InputError, match="allows 10000"):
        await engine.reply(result.conversation.id, "x" * 10001)


async def test_hand_off_is_tracked_with_an_audit_trail(engine: Engine) -> None:
    [result] = engine.ingest([_inbound()])
    assert result.conversation is not None
    handoff = engine.hand_off(result.conversation.id, "finance", "refund needs approval", actor="ana")
    conversation = engine.store.get_conversation(result.conversation.id)
    assert conversation is not None and conversation.status.value == "handed_off"
    engine.update_hand_off(handoff.id, status="accepted", owner="bruno", actor="bruno")
    done = engine.update_hand_off(handoff.id, status="done", actor="bruno")
    assert done.owner == "bruno"
    events = [event for _, _, event in engine.store.handoff_events(handoff.id)]
    assert events[0] == "created: to finance: refund needs approval"
    assert events[1:] == ["status accepted, owner bruno", "status done"]
    conversation = engine.store.get_conversation(result.conversation.id)
    assert conversation is not None and conversation.status.value == "open"


def test_an_unknown_channel_type_is_a_config_error_with_its_path(make_engine: Callable[..., Engine]) -> None:
    with pytest.raises(ConfigError) as caught:
        make_engine({"channels": {"x": {"type": "carrier-pigeon"}}})
    assert [p.path for p in caught.value.problems] == ["channels.x.type"]
    assert "carrier-pigeon" in str(caught.value)


def test_a_channel_section_is_checked_against_its_plugins_schema(make_engine: Callable[..., Engine]) -> None:
    with pytest.raises(ConfigError) as caught:
        make_engine({"channels": {"x": {**channel_section(), "base_url": "ftp://nope", "colour": "red"}}})
    paths = sorted(p.path for p in caught.value.problems)
    assert paths == ["channels.x", "channels.x.base_url"]


def _inbound() -> object:
    from scrm_core import codec
    from scrm_core.models import Interaction

    return codec.from_json(Interaction, {**interaction_doc("1"), "channel": "x", "account": "acme"})


async def test_an_overdue_conversation_escalates_up_its_chain_step_by_step(
    make_engine: Callable[..., Engine], clock: Clock
) -> None:
    routing = {
        "agents": {"ana": {"team": "care"}, "lia": {"team": "care"}, "dora": {}},
        "teams": {"care": {"members": ["ana", "lia"], "lead": "lia", "department": "cx"}},
        "departments": {"cx": {"head": "dora"}},
        "queues": {"advocates": {"agents": ["ana"]}},
        "sla": {"normal": "1h", "low": "1h", "high": "1h", "urgent": "1h", "wall_clock": ["normal", "low", "high"]},
        "escalation": {"steps": [{"to": "team_lead", "after": "0m"}, {"to": "department_head", "after": "2h"}]},
    }
    async with make_engine({"channels": {"x": channel_section()}, "routing": routing}) as engine:
        [result] = engine.ingest([_inbound()])
        assert result.conversation is not None and result.conversation.assignee == "ana"
        assert engine.escalate() == []
        clock.now += timedelta(minutes=61)
        [first] = engine.escalate()
        assert (first.from_owner, first.to_owner, first.level) == ("ana", "lia", 1)
        assert engine.escalate() == []  # one step per due step, not one per call
        clock.now += timedelta(hours=2)
        [second] = engine.escalate()
        assert (second.from_owner, second.to_owner) == ("lia", "dora")
        conversation = engine.store.get_conversation(result.conversation.id)
        assert conversation is not None and conversation.assignee == "dora"
        assert "escalation step 2 (department_head) -> dora" in conversation.explanation
        assert [e["to_owner"] for e in engine.store.escalations_of(result.conversation.id)] == ["lia", "dora"]


async def test_a_page_the_schema_refuses_keeps_its_cursor_and_the_other_channels_go_on(
    make_engine: Callable[..., Engine], platform: WebhookPlatformFake
) -> None:
    from datetime import UTC, datetime

    from scrm_core import hookimpl
    from scrm_core.channels import Capabilities, Channel, Page
    from scrm_core.models import Interaction, Party

    class Loose(Channel):
        """Builds interactions itself, so the core validates them."""

        capabilities = Capabilities(polling=True)
        config_schema = {"type": "object"}

        async def poll(self, account: str, cursor: str | None) -> Page:
            bad = Interaction(channel=self.name, account=account, external_id="x" * 600, kind="post",
                              author=Party(platform_id="p"), text="hi", created_at=datetime.now(UTC))
            return Page(interactions=[bad], cursor="next")

    class Plugin:
        @hookimpl
        def scrm_register_channels(self, register: Callable[[str, type[Channel]], None]) -> None:
            register("loose", Loose)

    platform.add_items("acme", feed(3))
    document = {"channels": {"x": channel_section(), "forum": {"type": "loose", "account": "forum"}}}
    async with make_engine(document, extra_plugins=(Plugin(),)) as engine:
        report = await engine.poll()
        assert [p.split(": page refused")[0] for p in report.problems] == ["forum/forum"]
        assert "external_id" in report.problems[0]
        assert engine.store.get_cursor("forum", "forum") is None
        assert engine.store.counts()["interactions"] == 3
