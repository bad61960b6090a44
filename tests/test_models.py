from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrm_core import codec, schemas
from scrm_core.errors import MalformedPayload
from scrm_core.models import (
    Agent,
    Conversation,
    ConversationUpdate,
    HandOff,
    Interaction,
    InteractionKind,
    Party,
    Priority,
    Reply,
    RouteDecision,
    Score,
    Visibility,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_models_are_frozen_and_keyword_only() -> None:
    party = Party(platform_id="1")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        party.handle = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Party("1")  # type: ignore[misc]


@pytest.mark.parametrize("bad", [
    {"platform_id": ""},
    {"platform_id": "1", "follower_count": -1},
    {"platform_id": 7},
])
def test_party_refuses_bad_values(bad: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Party(**bad)  # type: ignore[arg-type]


def test_naive_timestamps_are_refused_and_offsets_become_utc() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        Interaction(channel="x", account="a", external_id="1", kind="mention", author=Party(platform_id="u"),
                    text="hi", created_at=datetime(2026, 1, 1))
    local = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=-3)))
    item = Interaction(channel="x", account="a", external_id="1", kind="mention", author=Party(platform_id="u"),
                       text="hi", created_at=local)
    assert item.created_at == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert item.created_at.tzinfo is UTC


def test_score_confidence_must_be_a_probability() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Score(name="s", value=1, confidence=1.5)


def test_from_json_names_the_json_path_of_the_problem() -> None:
    document = {"channel": "x", "account": "a", "external_id": "1", "kind": "mention",
                "author": {"platform_id": "u", "follower_count": "many"}, "text": "hi",
                "created_at": "2026-11-24T10:00:00Z"}
    with pytest.raises(MalformedPayload) as caught:
        codec.from_json(Interaction, document)
    assert caught.value.path == "$.author.follower_count"
    assert "'many' is not of type" in str(caught.value)


def test_from_json_refuses_unknown_fields_and_missing_ones() -> None:
    with pytest.raises(MalformedPayload, match="Additional properties"):
        codec.from_json(Interaction, {"channel": "x", "account": "a", "external_id": "1", "kind": "mention",
                                      "author": {"platform_id": "u"}, "text": "", "created_at": "2026-11-24T10:00:00Z",
                                      "surprise": 1})
    with pytest.raises(MalformedPayload, match="'author' is a required property"):
        codec.from_json(Interaction, {"channel": "x", "account": "a", "external_id": "1", "kind": "mention",
                                      "text": "", "created_at": "2026-11-24T10:00:00Z"})


# -------------------------------------------------------------------------------- property-based round trips
_text = st.text(max_size=80)
_opt_text = st.none() | st.text(min_size=1, max_size=30)
_id = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FFF), min_size=1, max_size=30).filter(
    lambda s: s.strip() != "")
_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                      timezones=st.just(UTC))
_parties = st.builds(Party, platform_id=_id, handle=_opt_text, display_name=_opt_text,
                     follower_count=st.none() | st.integers(0, 10**9), verified=st.none() | st.booleans())
_channel = st.from_regex(r"\A[a-z][a-z0-9_-]{0,20}\Z")
_interactions = st.builds(
    Interaction, channel=_channel, account=_id, external_id=_id, kind=st.sampled_from(InteractionKind),
    author=_parties, text=_text, language=st.none() | st.sampled_from(["en", "pt", "pt-BR"]), created_at=_times,
    received_at=_times, in_reply_to=st.none() | _id, thread_ref=st.none() | _id,
    visibility=st.sampled_from(Visibility), link=_opt_text,
    metadata=st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=4),
)
_scores = st.builds(Score, name=_id, value=st.floats(-1e6, 1e6, allow_nan=False), confidence=st.floats(0, 1),
                    label=_opt_text, reasons=st.lists(_text, max_size=3).map(tuple))
_decisions = st.builds(RouteDecision, queue=_id, team=_opt_text, assignee=_opt_text,
                       priority=st.sampled_from(Priority), sla_due=st.none() | _times,
                       rule_ids=st.lists(_id, max_size=3).map(tuple), tags=st.lists(_id, max_size=3).map(tuple),
                       strategy=_opt_text, hand_off_to=_opt_text, explanation=_text)
_conversations = st.builds(
    Conversation, id=_id, channel=_id, account=_id, thread_key=_id, customer=_parties,
    queue=_opt_text, assignee=_opt_text, priority=st.sampled_from(Priority), sla_due=st.none() | _times,
    tags=st.lists(_id, max_size=3).map(tuple), interaction_count=st.integers(0, 1000), opened_at=_times,
    updated_at=_times, explanation=_text)


@settings(max_examples=200)
@given(_interactions)
def test_interaction_round_trips_through_its_schema(interaction: Interaction) -> None:
    document = codec.to_json(interaction)
    schemas.validate("interaction", document)
    assert codec.from_json(Interaction, document) == interaction


@settings(max_examples=100)
@given(_conversations, _interactions, st.lists(_scores, max_size=3), st.none() | _decisions)
def test_conversation_update_round_trips_through_its_schema(
    conversation: Conversation, interaction: Interaction, scores: list[Score], decision: RouteDecision | None
) -> None:
    update = ConversationUpdate(event="created", conversation=conversation, interaction=interaction,
                                scores=tuple(scores), decision=decision)
    document = codec.to_json(update)
    schemas.validate("conversation-update", document)
    assert codec.from_json(ConversationUpdate, document) == update


@settings(max_examples=50)
@given(_parties, _text.filter(lambda s: s.strip() != ""), _times)
def test_other_models_round_trip(party: Party, text: str, when: datetime) -> None:
    models = [
        Reply(id="r1", conversation_id="c1", channel="x", account="a", recipient=party, text=text, created_at=when),
        HandOff(id="h", conversation_id="c", to="finance", owner="finance", reason=text, due=when,
                created_at=when, updated_at=when),
        Agent(id="ana", name="Ana", skills=("billing",), languages=("pt",), capacity=3),
    ]
    for model in models:
        assert codec.from_json(type(model), codec.to_json(model)) == model
