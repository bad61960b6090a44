"""Actions, modes, strategies, fallback, explanations, bad config, and the one-owner-queue property."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrm_core.errors import ConfigError
from scrm_core.models import Agent, Contact, Priority
from scrm_core.routing import check_routing
from scrm_core.store.sqlite import SQLiteStore
from tests.routing.helpers import NOW, conversation, registry, rinput, router

TEAM = {
    "agents": {
        "ana": {"team": "care", "languages": ["pt"], "skills": ["advocate", "complaint"], "capacity": 2},
        "bob": {"team": "care", "languages": ["en"], "skills": ["advocate"], "capacity": 2},
        "cid": {
            "team": "care",
            "languages": ["en", "pt"],
            "skills": ["purchase_interest"],
            "capacity": 1,
            "channels": ["email"],
        },
        "lia": {"team": "leads"},
        "dora": {},
    },
    "teams": {"care": {"lead": "lia", "department": "cx"}, "leads": {"department": "cx"}},
    "departments": {"cx": {"head": "dora"}},
    "queues": {"care": {"team": "care"}, "vip": {"agents": ["lia"]}, "sales": {"team": "care"}},
}


def with_rules(*rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**TEAM, "rules": list(rules), **extra}


def test_empty_section_sends_everything_to_advocates_with_a_reason() -> None:
    decision = router({}).route(rinput())
    assert decision.queue == "advocates" and decision.rule_ids == ()
    assert "no rule matched -> fallback queue advocates" in decision.explanation
    assert decision.sla_due == NOW + timedelta(hours=24)


def test_configured_fallback_queue() -> None:
    assert router({"fallback_queue": "triage"}).route(rinput()).queue == "triage"


def test_every_action() -> None:
    r = router(
        with_rules(
            {
                "id": "vip",
                "when": {"customer_tier": "gold"},
                "then": {
                    "queue": "vip",
                    "team": "leads",
                    "assignee": "lia",
                    "priority": "high",
                    "tags": ["vip", "gold"],
                    "sla": "30m",
                    "hand_off": "account-manager",
                },
            }
        )
    )
    d = r.route(rinput(contact=Contact(ref="c", tier="gold")))
    assert (d.queue, d.team, d.assignee, d.priority) == ("vip", "leads", "lia", Priority.HIGH)
    assert d.tags == ("vip", "gold") and d.hand_off_to == "account-manager"
    assert d.sla_due == NOW + timedelta(minutes=30)
    assert "assigned to lia by rule" in d.explanation and "hand-off to account-manager" in d.explanation


def test_first_match_takes_rule_order_and_all_match_merges() -> None:
    rules = (
        {"id": "a", "when": {"channel": "twitter"}, "then": {"queue": "care", "tags": ["a"]}},
        {
            "id": "b",
            "when": {"keywords": ["refund"]},
            "then": {"queue": "vip", "tags": ["b"], "priority": "urgent"},
        },
    )
    first = router(with_rules(*rules)).route(rinput("refund please"))
    assert first.rule_ids == ("a",) and first.queue == "care" and first.tags == ("a",)
    every = router(with_rules(*rules, mode="all_match")).route(rinput("refund please"))
    assert every.rule_ids == ("a", "b") and every.queue == "care" and every.tags == ("a", "b")
    assert every.priority is Priority.URGENT


def test_explanation_names_rule_conditions_priority_and_assignment() -> None:
    r = router(
        with_rules(
            {
                "id": "complaint-pt",
                "when": {"intent": "complaint", "language": "pt"},
                "then": {"queue": "care"},
            },
            strategy="least_loaded",
        )
    )
    d = r.route(rinput(language="pt", intents=("complaint",), priority="high"))
    assert d.explanation.startswith(
        "rule complaint-pt (intent complaint, language pt) -> queue care; "
        "priority high from score: intent complaint (+20);"
    )
    assert d.explanation.endswith(f"assigned to {d.assignee} by least_loaded")
    assert d.strategy == "least_loaded" and d.priority is Priority.HIGH


def test_advocate_first_prefers_advocates_speaking_the_language() -> None:
    r = router(with_rules({"id": "all", "when": {}, "then": {"queue": "care"}}))
    assert r.route(rinput(language="pt")).assignee == "ana"
    assert r.route(rinput(language="en")).assignee == "bob"


def test_least_loaded_respects_capacity_and_seeded_load() -> None:
    store = SQLiteStore()
    for i, owner in enumerate(("ana", "ana", "bob")):
        store.save_conversation(conversation(owner, id=f"c{i}"))
    r = router(
        with_rules({"id": "all", "when": {}, "then": {"queue": "care", "strategy": "least_loaded"}}),
        store=store,
    )
    assert r.load() == {"ana": 2, "bob": 1}
    picks = [r.route(rinput()).assignee for _ in range(3)]
    assert picks == ["cid", "bob", None]  # cid 0/1, then bob 1/2, then everyone is full
    r.released("ana")
    assert r.route(rinput()).assignee == "ana"


def test_round_robin_cycles_per_queue() -> None:
    r = router(with_rules({"id": "all", "when": {}, "then": {"queue": "care", "strategy": "round_robin"}}))
    assert [r.route(rinput()).assignee for _ in range(4)] == ["ana", "bob", "cid", "ana"]


def test_skills_based_uses_language_channel_and_topic() -> None:
    r = router(with_rules({"id": "all", "when": {}, "then": {"queue": "sales", "strategy": "skills"}}))
    assert r.route(rinput(channel="email", language="en", intents=("purchase_interest",))).assignee == "cid"
    assert r.route(rinput(channel="twitter", language="pt", intents=("complaint",))).assignee == "ana"


def test_sticky_owner_returns_to_previous_agent() -> None:
    r = router(with_rules({"id": "all", "when": {}, "then": {"queue": "care", "strategy": "sticky"}}))
    assert r.route(rinput(previous_owner="cid")).assignee == "cid"
    assert r.route(rinput(previous_owner="nobody-here")).assignee in {"ana", "bob"}


def test_an_existing_conversation_keeps_its_owner() -> None:
    r = router(with_rules({"id": "all", "when": {}, "then": {"queue": "care"}}))
    d = r.route(rinput(conversation=conversation("bob", queue="care")))
    assert d.assignee == "bob" and "kept in queue care with bob" in d.explanation
    assert r.load() == {}


def test_host_agents_join_the_pool() -> None:
    r = router(
        {"queues": {"q": {"agents": ["host1"]}}, "rules": [{"id": "r", "when": {}, "then": {"queue": "q"}}]},
        agents=[Agent(id="host1", name="Host One")],
    )
    assert r.route(rinput()).assignee == "host1"


@pytest.mark.parametrize(
    ("settings", "path", "message"),
    [
        (
            {"rules": [{"id": "r1", "when": {"colour": "red"}}]},
            "routing.rules[0].when.colour",
            "rule 'r1': unknown field",
        ),
        (
            {"rules": [{"id": "r1", "when": {"regex": "(a)\\1"}}]},
            "routing.rules[0].when.regex",
            "invalid regular",
        ),
        (
            {"rules": [{"id": "r1", "when": {"regex": "(?=x)y"}}]},
            "routing.rules[0].when.regex",
            "invalid regular",
        ),
        (
            {"rules": [{"id": "r1", "then": {"queue": "nowhere"}}]},
            "routing.rules[0].then.queue",
            "unknown queue",
        ),
        (
            {"rules": [{"id": "r1", "then": {"assignee": "ghost"}}]},
            "routing.rules[0].then.assignee",
            "unknown agent",
        ),
        (
            {"rules": [{"id": "r1", "then": {"strategy": "coin"}}]},
            "routing.rules[0].then.strategy",
            "unknown strategy",
        ),
        ({"rules": [{"id": "r1", "then": {"sla": "soon"}}]}, "routing.rules[0].then.sla", "not a duration"),
        (
            {"rules": [{"id": "r1", "when": {"kind": "fax"}}]},
            "routing.rules[0].when.kind",
            "unknown kind fax",
        ),
        ({"rules": [{"id": "r1"}, {"id": "r1"}]}, "routing.rules[1].id", "also rules[0]"),
        (
            {"rules": [{"id": "r1", "then": {"priority": "asap"}}]},
            "routing.rules.0.then.priority",
            "is not one of",
        ),
        ({"strategy": "coin"}, "routing.strategy", "unknown strategy"),
        ({"queues": {"q": {"team": "ghosts"}}}, "routing.queues.q.team", "unknown team"),
        ({"queues": {"q": {"agents": []}}}, "routing.queues.q", "empty agent pool"),
        (
            {"business_hours": {"timezone": "Mars/Base", "mon": ["09:00-18:00"]}},
            "routing.business_hours",
            "unknown time zone",
        ),
        ({"business_hours": {"mon": ["18:00-09:00"]}}, "routing.business_hours", "not an opening interval"),
        ({"escalation": {"steps": [{"to": "the-boss"}]}}, "routing.escalation.steps[0].to", "not team_lead"),
        ({"colour": "red"}, "routing", "Additional properties"),
    ],
)
def test_bad_config_is_refused_with_path_and_rule_id(
    settings: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        router(settings)
    assert any(p.path == path and message in p.message for p in info.value.problems), info.value.problems
    assert check_routing(settings, registry())


def test_check_routing_lists_every_problem() -> None:
    problems = check_routing(
        {"rules": [{"id": "a", "when": {"x": 1}}, {"id": "b", "then": {"queue": "q"}}]}, registry()
    )
    assert [p.path for p in problems] == ["routing.rules[0].when.x", "routing.rules[1].then.queue"]


_texts = st.sampled_from(["refund now", "hello", "order #12345", "quero reembolso", "love it", ""])


@settings(max_examples=200, deadline=None)
@given(
    text=_texts,
    channel=st.sampled_from(["twitter", "email", "whatsapp"]),
    kind=st.sampled_from(["mention", "direct_message", "comment"]),
    language=st.sampled_from(["en", "pt", None]),
    intents=st.lists(st.sampled_from(["complaint", "praise", "question"]), unique=True, max_size=2),
    priority=st.sampled_from([None, "urgent", "high", "normal", "low"]),
    mode=st.sampled_from(["first_match", "all_match"]),
)
def test_every_interaction_gets_exactly_one_owner_queue(
    text: str,
    channel: str,
    kind: str,
    language: str | None,
    intents: list[str],
    priority: str | None,
    mode: str,
) -> None:
    r = router(
        with_rules(
            {
                "id": "kw",
                "when": {"keywords": ["refund", "reembolso"], "channel": "twitter"},
                "then": {"queue": "care"},
            },
            {"id": "rx", "when": {"regex": r"#\d+"}, "then": {"tags": ["order"]}},
            {
                "id": "pt",
                "when": {"language": "pt", "kind": ["mention", "comment"]},
                "then": {"queue": "sales"},
            },
            {"id": "hot", "when": {"priority": {"at_least": "high"}}, "then": {"queue": "vip"}},
            {"id": "love", "when": {"intent": "praise"}, "then": {"tags": ["praise"]}},
            mode=mode,
        )
    )
    d = r.route(
        rinput(text, channel=channel, kind=kind, language=language, intents=tuple(intents), priority=priority)
    )
    assert isinstance(d.queue, str) and d.queue in r.directory.queues
    assert d.sla_due is not None and d.sla_due > NOW
    assert d.explanation
    if not d.rule_ids:
        assert d.queue == "advocates"
