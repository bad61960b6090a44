"""The interfaces of routing: what the pipeline calls (Router), and what plugins add (strategies, conditions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from scrm_core.models import Agent, Contact, Conversation, Interaction, RouteDecision, Score

__all__ = ["AssignmentRequest", "Condition", "FallbackRouter", "Router", "RoutingInput", "RoutingStrategy"]


@frozen(kw_only=True)
class RoutingInput:
    """Everything routing may look at for one interaction."""

    interaction: Interaction
    scores: Mapping[str, Score] = field(factory=dict)
    contact: Contact | None = None
    #: the conversation this interaction joins, if it is not the first of its thread
    conversation: Conversation | None = None
    #: the agent who last owned a conversation with this customer (for sticky ownership)
    previous_owner: str | None = None
    now: datetime


@frozen(kw_only=True)
class AssignmentRequest:
    """A strategy's question: which of ``candidates`` should own this conversation?"""

    input: RoutingInput
    queue: str
    team: str | None
    candidates: Sequence[Agent]
    #: open conversations each agent owns now, by agent id
    load: Mapping[str, int] = field(factory=dict)


@runtime_checkable
class RoutingStrategy(Protocol):
    """Picks an owner among candidates; returns the agent id or None to leave the conversation in its queue."""

    def assign(self, request: AssignmentRequest) -> str | None: ...


@runtime_checkable
class Condition(Protocol):
    """A rule-condition operator usable from declarative rules: ``compile`` turns the rule's argument into a
    predicate once, at load (raising ValueError with the reason for a bad argument)."""

    def compile(self, argument: Any) -> PredicateFn: ...


class PredicateFn(Protocol):
    def __call__(self, routing_input: RoutingInput) -> bool: ...


@runtime_checkable
class Router(Protocol):
    """What the pipeline calls at step 8. Never returns nothing: an interaction no rule matches goes to the
    fallback queue."""

    def route(self, routing_input: RoutingInput) -> RouteDecision: ...

    def released(self, agent_id: str) -> None:
        """A conversation this agent owned was resolved or moved (frees capacity)."""


class FallbackRouter:
    """Sends everything to one queue; the router used when no rules are configured."""

    def __init__(self, queue: str = "advocates") -> None:
        self.queue = queue

    def route(self, routing_input: RoutingInput) -> RouteDecision:
        return RouteDecision(queue=self.queue, explanation=f"no routing rules: default queue {self.queue!r}")

    def released(self, agent_id: str) -> None:
        return None
