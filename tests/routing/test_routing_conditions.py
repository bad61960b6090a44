"""Each built-in condition, through a one-rule router (so the index path is exercised too)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from scrm_core.models import Contact, Party
from scrm_core.routing import RoutingInput
from tests.routing.helpers import rinput, router


def fires(when: dict[str, Any], routing_input: RoutingInput, **extra: Any) -> bool:
    r = router(
        {"queues": {"hit": {}}, "rules": [{"id": "r", "when": when, "then": {"queue": "hit"}}], **extra}
    )
    return r.route(routing_input).rule_ids == ("r",)


@pytest.mark.parametrize(
    ("when", "yes", "no"),
    [
        ({"channel": "twitter"}, {}, {"channel": "email"}),
        ({"channel": ["email", "twitter"]}, {}, {"channel": "facebook"}),
        ({"account": "brand"}, {}, {"account": "other"}),
        ({"kind": "direct_message"}, {"kind": "direct_message"}, {}),
        ({"visibility": "private"}, {"visibility": "private"}, {}),
        ({"language": "pt"}, {"language": "pt"}, {"language": None}),
        ({"intent": "complaint"}, {"intents": ("praise", "complaint")}, {"intents": ("praise",)}),
        ({"keywords": ["reembolso", "money back"]}, {"text": "Quero REEMBOLSO já"}, {"text": "reembolsos"}),
        ({"keywords": ["money back"]}, {"text": "I want my money back!"}, {"text": "money, back"}),
        ({"regex": r"order\s*#?\d{4,}"}, {"text": "ORDER #12345 late"}, {"text": "order #12"}),
        ({"sentiment": "negative"}, {"sentiment": -0.6}, {"sentiment": 0.1}),
        ({"sentiment": {"below": -0.5}}, {"sentiment": -0.6}, {"sentiment": -0.4}),
        ({"sentiment": {"above": 0.5}}, {"sentiment": 0.9}, {}),
        ({"priority": "urgent"}, {"priority": "urgent"}, {"priority": "high"}),
        ({"priority": {"at_least": "high"}}, {"priority": "urgent"}, {"priority": "normal"}),
        ({"author": {"verified": True}}, {"author": Party(platform_id="a", verified=True)}, {}),
        (
            {"author": {"min_followers": 10_000}},
            {"author": Party(platform_id="a", follower_count=48_000)},
            {"author": Party(platform_id="a", follower_count=9_999)},
        ),
        (
            {"author": {"max_followers": 100}},
            {"author": Party(platform_id="a", follower_count=10)},
            {"author": Party(platform_id="a", follower_count=101)},
        ),
        (
            {"author": {"handles": ["@Journalist"]}},
            {"author": Party(platform_id="a", handle="journalist")},
            {},
        ),
        (
            {"customer_tier": ["gold", "platinum"]},
            {"contact": Contact(ref="c", tier="Gold")},
            {"contact": Contact(ref="c", tier="silver")},
        ),
        (
            {"customer_value": {"at_least": 5000}},
            {"contact": Contact(ref="c", value=5000.0)},
            {"contact": Contact(ref="c", value=10.0)},
        ),
        ({"metadata": {"campaign": "black-friday"}}, {"metadata": {"campaign": "black-friday"}}, {}),
    ],
)
def test_condition(when: dict[str, Any], yes: dict[str, Any], no: dict[str, Any]) -> None:
    assert fires(when, rinput(**yes))
    assert not fires(when, rinput(**no))


def test_unless_blocks_a_rule() -> None:
    when, unless = {"channel": "twitter"}, {"keywords": ["test"]}
    r = router(
        {
            "queues": {"hit": {}},
            "rules": [{"id": "r", "when": when, "unless": unless, "then": {"queue": "hit"}}],
        }
    )
    assert r.route(rinput("real problem")).queue == "hit"
    assert r.route(rinput("just a test")).queue == "advocates"


HOURS = {
    "timezone": "America/Sao_Paulo",
    "mon": ["09:00-18:00"],
    "tue": ["09:00-18:00"],
    "wed": ["09:00-12:00", "13:00-18:00"],
    "thu": ["09:00-18:00"],
    "fri": ["09:00-18:00"],
}


@pytest.mark.parametrize(
    ("utc", "inside"),
    [
        (datetime(2025, 3, 5, 12, 0), True),  # 09:00 local: opening minute counts
        (datetime(2025, 3, 5, 11, 59), False),  # 08:59 local
        (datetime(2025, 3, 5, 15, 30), False),  # lunch break
        (datetime(2025, 3, 5, 20, 59), True),  # 17:59 local
        (datetime(2025, 3, 5, 21, 0), False),  # 18:00 local: closing minute is closed
        (datetime(2025, 3, 8, 14, 0), False),  # Saturday
    ],
)
def test_business_hours_edges_in_the_calendar_zone(utc: datetime, inside: bool) -> None:
    now = utc.replace(tzinfo=UTC)
    assert fires({"business_hours": True}, rinput(now=now), business_hours=HOURS) is inside
    assert fires({"business_hours": False}, rinput(now=now), business_hours=HOURS) is not inside


def test_local_time_window_wraps_midnight_and_filters_days() -> None:
    when = {
        "local_time": {"timezone": "Europe/Lisbon", "from": "22:00", "to": "06:00", "days": ["sat", "sun"]}
    }
    saturday_night = datetime(2025, 3, 8, 23, 30, tzinfo=UTC)  # Lisbon is UTC+0 in March (before DST)
    sunday_early = datetime(2025, 3, 9, 5, 59, tzinfo=UTC)
    friday_night = datetime(2025, 3, 7, 23, 30, tzinfo=UTC)
    assert fires(when, rinput(now=saturday_night))
    assert fires(when, rinput(now=sunday_early))
    assert not fires(when, rinput(now=friday_night))
    # after the DST change Lisbon is UTC+1: 21:30 UTC is 22:30 local
    assert fires(when, rinput(now=datetime(2025, 4, 5, 21, 30, tzinfo=UTC)))
