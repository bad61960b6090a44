"""The rule router: compiled rules pick the queue and actions, a strategy picks the owner, the SLA policy
sets the due time, and every step goes into the explanation."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import timedelta

from attrs import frozen

from scrm_core.models import Conversation, ConversationStatus, Priority, RouteDecision
from scrm_core.routing.base import AssignmentRequest, RoutingInput, RoutingStrategy
from scrm_core.routing.directory import Directory
from scrm_core.routing.rules import CompiledRule, RuleIndex
from scrm_core.routing.sla import SlaPolicy

__all__ = ["EscalationStep", "RuleRouter"]

FIRST_MATCH = "first_match"
_LEVELS = frozenset(p.value for p in Priority)
ALL_MATCH = "all_match"


@frozen
class EscalationStep:
    """``to`` is ``team_lead``, ``department_head``, an agent id or ``queue:<name>``; ``after`` counts from
    the SLA due time."""

    to: str
    after: timedelta


@frozen
class _Merged:
    queue: str | None
    team: str | None
    assignee: str | None
    priority: Priority | None
    tags: tuple[str, ...]
    sla: timedelta | None
    hand_off: str | None
    strategy: str | None


def _merge(fired: Sequence[CompiledRule]) -> _Merged:
    """Rule order is precedence: the first fired rule that sets a single-valued action wins; tags add up;
    a priority override takes the most pressing; an SLA override the shortest."""

    def first(attr: str) -> str | None:
        return next((getattr(r.actions, attr) for r in fired if getattr(r.actions, attr) is not None), None)

    priorities = [r.actions.priority for r in fired if r.actions.priority is not None]
    slas = [r.actions.sla for r in fired if r.actions.sla is not None]
    tags = tuple(dict.fromkeys(t for r in fired for t in r.actions.tags))
    return _Merged(
        first("queue"),
        first("team"),
        first("assignee"),
        min(priorities, key=lambda p: p.rank) if priorities else None,
        tags,
        min(slas) if slas else None,
        first("hand_off"),
        first("strategy"),
    )


def _kept(conversation: Conversation, fired: Sequence[CompiledRule], merged: _Merged,
          priority: Priority) -> RouteDecision:
    """A follow-up that is no more pressing than its open conversation leaves it where it is (same queue,
    owner, priority and promised due time); no load moves, so the router's counts stay true."""
    rules = f"; rules {', '.join(r.id for r in fired)} fired" if fired else ""
    owner = f" with {conversation.assignee}" if conversation.assignee else ""
    return RouteDecision(
        queue=conversation.queue or "", team=conversation.team, assignee=conversation.assignee,
        priority=conversation.priority, sla_due=conversation.sla_due, rule_ids=tuple(r.id for r in fired),
        tags=merged.tags, strategy="sticky" if conversation.assignee else None, hand_off_to=merged.hand_off,
        explanation=f"follow-up in an open conversation: kept in queue {conversation.queue}{owner} at "
                    f"{conversation.priority.value} (this message alone: {priority.value}{rules})",
    )


class RuleRouter:
    """Implements ``scrm_core.routing.Router``. Built by ``build_router``; holds open-conversation counts
    per agent in memory (seeded from the store once) so no decision queries the database."""

    def __init__(
        self,
        *,
        rules: Sequence[CompiledRule],
        index: RuleIndex,
        directory: Directory,
        strategies: Mapping[str, RoutingStrategy],
        default_strategy: str,
        fallback_queue: str,
        mode: str,
        sla: SlaPolicy,
        escalation: Sequence[EscalationStep],
        load: Mapping[str, int],
    ) -> None:
        self.rules = tuple(rules)
        self.index = index
        self.directory = directory
        self.strategies = dict(strategies)
        self.default_strategy = default_strategy
        self.fallback_queue = fallback_queue
        self.mode = mode
        self.sla = sla
        self.escalation = tuple(escalation)
        self._load = dict(load)
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------------ matching
    def matching_rules(self, routing_input: RoutingInput) -> list[CompiledRule]:
        """The rules that fire for this input, in rule order (only the first in first_match mode)."""
        fired = []
        for order in self.index.candidates(routing_input):
            rule = self.rules[order]
            if rule.holds(routing_input):
                fired.append(rule)
                if self.mode == FIRST_MATCH:
                    break
        return fired

    def route(self, routing_input: RoutingInput) -> RouteDecision:
        fired = self.matching_rules(routing_input)
        merged = _merge(fired)
        conversation = routing_input.conversation
        if conversation is not None and conversation.queue is not None \
                and conversation.status is not ConversationStatus.RESOLVED:
            priority = self._priority(routing_input, merged, [])
            if priority.rank >= conversation.priority.rank:
                return _kept(conversation, fired, merged, priority)
        why: list[str] = []
        queue_id = merged.queue or self.fallback_queue
        if fired:
            why.append("; ".join(f"rule {r.id} ({r.summary})" for r in fired) + f" -> queue {queue_id}")
        else:
            why.append(f"no rule matched -> fallback queue {queue_id}")
        queue = self.directory.queues[queue_id]
        team = merged.team or queue.team
        priority = self._priority(routing_input, merged, why)
        due = self.sla.due(routing_input.now, priority, merged.sla)
        if (
            conversation is not None
            and conversation.sla_due is not None
            and routing_input.now < conversation.sla_due < due
        ):
            due = conversation.sla_due  # a follow-up never pushes back a due time already promised
        why.append(f"SLA due {due:%Y-%m-%d %H:%M} UTC")
        assignee, strategy = self._assign(routing_input, merged, queue_id, team, why)
        if merged.hand_off:
            why.append(f"hand-off to {merged.hand_off}")
        return RouteDecision(
            queue=queue_id,
            team=team,
            assignee=assignee,
            priority=priority,
            sla_due=due,
            rule_ids=tuple(r.id for r in fired),
            tags=merged.tags,
            strategy=strategy,
            hand_off_to=merged.hand_off,
            explanation="; ".join(why),
        )

    def _priority(self, routing_input: RoutingInput, merged: _Merged, why: list[str]) -> Priority:
        if merged.priority is not None:
            why.append(f"priority {merged.priority.value} set by rule")
            return merged.priority
        score = routing_input.scores.get("priority")
        if score is None or score.label is None or score.label not in _LEVELS:
            why.append("priority normal (no priority score)")
            return Priority.NORMAL
        reasons = ", ".join(r for r in score.reasons if "->" not in r) or "nothing notable"
        why.append(f"priority {score.label} from score: {reasons}")
        return Priority(score.label)

    # ---------------------------------------------------------------------------------------- assignment
    def _assign(
        self, routing_input: RoutingInput, merged: _Merged, queue_id: str, team: str | None, why: list[str]
    ) -> tuple[str | None, str | None]:
        if merged.assignee is not None:
            self._take(merged.assignee, routing_input)
            why.append(f"assigned to {merged.assignee} by rule")
            return merged.assignee, None
        queue = self.directory.queues[queue_id]
        conversation = routing_input.conversation
        pool_ids = {a.id for a in queue.pool}
        if (
            conversation is not None
            and conversation.assignee is not None
            and (conversation.assignee in pool_ids or conversation.queue == queue_id)
        ):
            why.append(f"kept with current owner {conversation.assignee}")
            return conversation.assignee, "sticky"
        name = merged.strategy or queue.strategy or self.default_strategy
        with self._lock:
            request = AssignmentRequest(
                input=routing_input, queue=queue_id, team=team, candidates=queue.pool, load=dict(self._load)
            )
            assignee = self.strategies[name].assign(request)
            if assignee is not None:
                self._take(assignee, routing_input)
        if assignee is None and not queue.pool:
            why.append(f"left in queue {queue_id}: it has no agents")
        elif assignee is None:
            why.append(f"left in queue {queue_id}: no agent with free capacity ({name})")
        else:
            why.append(f"assigned to {assignee} by {name}")
        return assignee, name

    def _take(self, agent_id: str, routing_input: RoutingInput) -> None:
        previous = routing_input.conversation.assignee if routing_input.conversation else None
        if previous == agent_id:
            return
        self._load[agent_id] = self._load.get(agent_id, 0) + 1
        if previous is not None:
            self.released(previous)

    def released(self, agent_id: str) -> None:
        if self._load.get(agent_id, 0) > 0:
            self._load[agent_id] -= 1

    def moved(self, from_agent: str | None, to_agent: str | None) -> None:
        """An escalation or a person moved a conversation between agents."""
        if from_agent is not None:
            self.released(from_agent)
        if to_agent is not None:
            self._load[to_agent] = self._load.get(to_agent, 0) + 1

    def load(self) -> dict[str, int]:
        """Open conversations per agent, as the router counts them."""
        return dict(self._load)
