"""The built-in assignment strategies. Each picks among agents with free capacity; none of them queries
the store (the router passes the in-memory load)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from scrm_core.models import Agent
from scrm_core.routing.base import AssignmentRequest
from scrm_core.scoring.intent import intents_of

__all__ = [
    "AdvocateFirst",
    "LeastLoaded",
    "RoundRobin",
    "SkillsBased",
    "StickyOwner",
    "builtin_strategies",
    "free",
]

ADVOCATE = "advocate"


def free(request: AssignmentRequest) -> list[Agent]:
    """Candidates below their capacity, in pool order."""
    load = request.load
    return [a for a in request.candidates if load.get(a.id, 0) < a.capacity]


def _least_loaded(agents: Sequence[Agent], request: AssignmentRequest) -> str | None:
    if not agents:
        return None
    # relative load, so a part-timer with capacity 3 is not given as much as a full-timer with 10
    best = min(
        agents, key=lambda a: (request.load.get(a.id, 0) / max(a.capacity, 1), request.load.get(a.id, 0))
    )
    return best.id


def _speaks(agent: Agent, request: AssignmentRequest) -> bool:
    language = request.input.interaction.language
    return not agent.languages or language is None or language in agent.languages


class LeastLoaded:
    """The agent with the lowest share of their capacity in use."""

    def assign(self, request: AssignmentRequest) -> str | None:
        return _least_loaded(free(request), request)


class RoundRobin:
    """Each queue cycles through its agents in pool order, skipping those at capacity."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self._lock = threading.Lock()

    def assign(self, request: AssignmentRequest) -> str | None:
        agents = list(request.candidates)
        if not agents:
            return None
        with self._lock:
            start = self._next.get(request.queue, 0)
            for step in range(len(agents)):
                agent = agents[(start + step) % len(agents)]
                if request.load.get(agent.id, 0) < agent.capacity:
                    self._next[request.queue] = (start + step + 1) % len(agents)
                    return agent.id
        return None


class SkillsBased:
    """Agents who speak the language and cover the channel, ranked by how many of the topics (intents and
    rule tags) are among their skills; ties go to the least loaded."""

    def assign(self, request: AssignmentRequest) -> str | None:
        channel = request.input.interaction.channel
        topics = intents_of(request.input.scores.get("intent"))
        able = [a for a in free(request) if _speaks(a, request) and (not a.channels or channel in a.channels)]
        if not able:
            return None
        best = max(len(topics.intersection(a.skills)) for a in able)
        return _least_loaded([a for a in able if len(topics.intersection(a.skills)) == best], request)


class AdvocateFirst:
    """The advocate model: a front-line advocate (skill ``advocate``, or anyone when the pool has none) who
    speaks the language owns the conversation and answers or delegates it; the least loaded one wins."""

    def assign(self, request: AssignmentRequest) -> str | None:
        agents = free(request)
        advocates = [a for a in agents if ADVOCATE in a.skills] or agents
        speaking = [a for a in advocates if _speaks(a, request)] or advocates
        return _least_loaded(speaking, request)


class StickyOwner:
    """The agent who owns this thread, or who handled the customer last, if they are in the pool and have
    room; otherwise the least loaded."""

    def assign(self, request: AssignmentRequest) -> str | None:
        conversation = request.input.conversation
        agents = free(request)
        ids = {a.id for a in agents}
        for owner in (conversation.assignee if conversation else None, request.input.previous_owner):
            if owner is not None and owner in ids:
                return owner
        return _least_loaded(agents, request)


def builtin_strategies() -> dict[str, object]:
    return {
        "advocate_first": AdvocateFirst(),
        "round_robin": RoundRobin(),
        "least_loaded": LeastLoaded(),
        "skills": SkillsBased(),
        "sticky": StickyOwner(),
    }
