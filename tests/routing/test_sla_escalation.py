"""SLA due times over business hours (edges, holidays, DST, zones) and the escalation chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scrm_core.models import Priority
from scrm_core.routing.escalation import escalate_overdue
from scrm_core.routing.sla import BusinessHours, SlaPolicy, parse_duration
from scrm_core.store.sqlite import SQLiteStore
from tests.routing.helpers import conversation, rinput, router

WEEKDAYS = {d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "minutes"), [("30m", 30), ("4h", 240), ("1d", 1440), ("1h30m", 90), (15, 15)]
)
def test_durations(text: str | int, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("bad", ["", "h", "4x", "1h30", -1, True])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_business_time_rolls_over_nights_weekends_and_holidays() -> None:
    hours = BusinessHours.from_settings(
        {"timezone": "America/Sao_Paulo", **WEEKDAYS, "holidays": ["2025-03-10"]}
    )
    friday_1750 = utc(2025, 3, 7, 20, 50)  # 17:50 in Sao Paulo (UTC-3)
    # 10 minutes on Friday, Monday is a holiday, 50 minutes on Tuesday -> 09:50 local
    assert hours.add(friday_1750, timedelta(hours=1)) == utc(2025, 3, 11, 12, 50)
    saturday = utc(2025, 3, 8, 15, 0)
    assert hours.add(saturday, timedelta(minutes=1)) == utc(2025, 3, 11, 12, 1)
    exactly_closing = utc(2025, 3, 7, 21, 0)
    assert hours.add(exactly_closing, timedelta(0)) == utc(2025, 3, 11, 12, 0)
    assert hours.add(utc(2025, 3, 5, 12, 0), timedelta(hours=9)) == utc(2025, 3, 5, 21, 0)


def test_business_time_across_a_dst_change() -> None:
    hours = BusinessHours.from_settings({"timezone": "Europe/Lisbon", **WEEKDAYS})
    # Friday 28 March 2025 17:00 Lisbon (UTC+0); clocks go forward on Sunday 30 March
    start = utc(2025, 3, 28, 17, 0)
    assert hours.add(start, timedelta(hours=2)) == utc(2025, 3, 31, 9, 0)  # Monday 10:00 Lisbon = 09:00 UTC


def test_overnight_hours_split_over_two_days() -> None:
    hours = BusinessHours.from_settings({"timezone": "UTC", "mon": ["22:00-24:00"], "tue": ["00:00-06:00"]})
    assert hours.is_open(utc(2025, 3, 3, 23, 0)) and hours.is_open(utc(2025, 3, 4, 5, 59))
    assert hours.add(utc(2025, 3, 3, 23, 0), timedelta(hours=3)) == utc(2025, 3, 4, 2, 0)


def test_sla_policy_urgent_counts_wall_clock() -> None:
    hours = BusinessHours.from_settings({"timezone": "UTC", **WEEKDAYS})
    policy = SlaPolicy.from_settings({"urgent": "1h", "high": "2h"}, hours)
    saturday = utc(2025, 3, 8, 12, 0)
    assert policy.due(saturday, Priority.URGENT) == utc(2025, 3, 8, 13, 0)
    assert policy.due(saturday, Priority.HIGH) == utc(2025, 3, 10, 11, 0)


def test_router_sets_due_time_from_priority_and_business_hours() -> None:
    r = router({"timezone": "America/Sao_Paulo", "business_hours": WEEKDAYS, "sla": {"high": "4h"}})
    d = r.route(rinput(priority="high", now=utc(2025, 3, 7, 20, 0)))  # Friday 17:00 local
    assert d.sla_due == utc(2025, 3, 10, 15, 0)  # 1h Friday + 3h Monday -> 12:00 local


def test_a_follow_up_never_pushes_back_a_promised_due_time() -> None:
    r = router({})
    promised = utc(2025, 3, 5, 16, 0)
    d = r.route(rinput(conversation=conversation(None, sla_due=promised)))
    assert d.sla_due == promised


CHAIN = {
    "agents": {"ana": {"team": "care"}, "lia": {"team": "care"}, "dora": {}},
    "teams": {"care": {"lead": "lia", "department": "cx"}},
    "departments": {"cx": {"head": "dora"}},
    "queues": {"supervisors": {"agents": ["dora"]}},
    "escalation": {
        "steps": [
            {"to": "team_lead", "after": "0m"},
            {"to": "department_head", "after": "2h"},
            {"to": "queue:supervisors", "after": "4h"},
        ]
    },
}


def test_overdue_conversation_climbs_the_chain_step_by_step() -> None:
    store = SQLiteStore()
    r = router(CHAIN, store=store)
    due = utc(2025, 3, 5, 12, 0)
    store.save_conversation(conversation("ana", team="care", sla_due=due))
    assert escalate_overdue(store, r, due - timedelta(minutes=1)) == []
    first = escalate_overdue(store, r, due + timedelta(minutes=5))
    assert [(e.level, e.from_owner, e.to_owner) for e in first] == [(1, "ana", "lia")]
    assert escalate_overdue(store, r, due + timedelta(hours=1)) == []  # the next step waits for its time
    second = escalate_overdue(store, r, due + timedelta(hours=2))
    assert [(e.level, e.from_owner, e.to_owner) for e in second] == [(2, "lia", "dora")]
    third = escalate_overdue(store, r, due + timedelta(hours=5))
    assert [(e.level, e.to_queue) for e in third] == [(3, "supervisors")]
    assert escalate_overdue(store, r, due + timedelta(days=1)) == []  # end of the chain
    steps = store.escalations_of("c1")
    assert [s["level"] for s in steps] == [1, 2, 3]
    assert steps[0]["reason"] == "SLA overdue by 5 min: escalation step 1 (team_lead) -> lia"
    moved = store.get_conversation("c1")
    assert moved is not None and moved.assignee == "dora" and moved.queue == "supervisors"
    assert r.load().get("dora") == 1 and not r.load().get("lia")


def test_escalation_skips_a_step_with_nobody_in_the_role_and_ignores_resolved() -> None:
    store = SQLiteStore()
    r = router({**CHAIN, "teams": {"care": {"department": "cx"}}}, store=store)  # no team lead
    due = utc(2025, 3, 5, 12, 0)
    store.save_conversation(conversation("ana", team="care", sla_due=due))
    store.save_conversation(conversation("ana", id="c2", team="care", sla_due=due, status="resolved"))
    steps = escalate_overdue(store, r, due + timedelta(hours=3))
    assert [(e.conversation_id, e.level, e.to_owner) for e in steps] == [("c1", 2, "dora")]
