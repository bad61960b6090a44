"""Who can own conversations: agents, teams, departments and queues from ``[routing]`` (and the host),
checked once so a typo is a load error with its path, not a conversation sent nowhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from scrm_core.errors import ConfigProblem
from scrm_core.models import Agent

__all__ = ["Directory", "Queue", "Team"]


@frozen(kw_only=True)
class Team:
    id: str
    members: tuple[str, ...]
    lead: str | None = None
    department: str | None = None


@frozen(kw_only=True)
class Queue:
    id: str
    team: str | None
    pool: tuple[Agent, ...]
    strategy: str | None


@frozen(kw_only=True)
class Directory:
    agents: Mapping[str, Agent]
    teams: Mapping[str, Team]
    departments: Mapping[str, str | None]  # department -> head
    queues: Mapping[str, Queue]

    def team_lead(self, agent_id: str | None, team: str | None) -> str | None:
        found = self.teams.get(team or "") or self.teams.get(self._team_of(agent_id) or "")
        return found.lead if found else None

    def department_head(self, agent_id: str | None, team: str | None) -> str | None:
        found = self.teams.get(team or "") or self.teams.get(self._team_of(agent_id) or "")
        department = found.department if found else None
        if department is None and agent_id is not None and agent_id in self.agents:
            department = self.agents[agent_id].department
        return self.departments.get(department or "")

    def _team_of(self, agent_id: str | None) -> str | None:
        agent = self.agents.get(agent_id or "")
        return agent.team if agent else None


def _agent(agent_id: str, spec: Mapping[str, Any], path: str, problems: list[ConfigProblem]) -> Agent | None:
    try:
        return Agent(
            id=agent_id,
            name=str(spec.get("name", agent_id)),
            department=spec.get("department"),
            team=spec.get("team"),
            skills=spec.get("skills", ()),
            languages=spec.get("languages", ()),
            channels=spec.get("channels", ()),
            capacity=spec.get("capacity", 10),
            email=spec.get("email"),
        )
    except (TypeError, ValueError) as exc:
        problems.append(ConfigProblem(path, f"agent {agent_id!r}: {exc}"))
        return None


def build_directory(
    settings: Mapping[str, Any],
    host_agents: Sequence[Agent],
    fallback_queue: str,
    strategies: Mapping[str, object],
    problems: list[ConfigProblem],
) -> Directory:
    agents: dict[str, Agent] = {a.id: a for a in host_agents}
    for agent_id, spec in settings.get("agents", {}).items():
        agent = _agent(agent_id, spec, f"routing.agents.{agent_id}", problems)
        if agent is not None:
            agents[agent_id] = agent
    departments: dict[str, str | None] = {}
    for name, spec in settings.get("departments", {}).items():
        head = spec.get("head")
        if head is not None and head not in agents:
            problems.append(ConfigProblem(f"routing.departments.{name}.head", f"unknown agent {head!r}"))
        departments[name] = head
    teams = _teams(settings.get("teams", {}), agents, departments, problems)
    for agent in agents.values():
        if agent.team is not None and agent.team not in teams:
            problems.append(ConfigProblem(f"routing.agents.{agent.id}.team", f"unknown team {agent.team!r}"))
    queues = _queues(settings.get("queues", {}), agents, teams, fallback_queue, strategies, problems=problems)
    return Directory(agents=agents, teams=teams, departments=departments, queues=queues)


def _teams(
    section: Mapping[str, Any],
    agents: Mapping[str, Agent],
    departments: Mapping[str, str | None],
    problems: list[ConfigProblem],
) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for name, spec in section.items():
        path = f"routing.teams.{name}"
        members = list(spec.get("members", ()))
        members += [a.id for a in agents.values() if a.team == name and a.id not in members]
        for i, member in enumerate(spec.get("members", ())):
            if member not in agents:
                problems.append(ConfigProblem(f"{path}.members[{i}]", f"unknown agent {member!r}"))
        lead, department = spec.get("lead"), spec.get("department")
        if lead is not None and lead not in agents:
            problems.append(ConfigProblem(f"{path}.lead", f"unknown agent {lead!r}"))
        if department is not None and department not in departments:
            problems.append(ConfigProblem(f"{path}.department", f"unknown department {department!r}"))
        teams[name] = Team(
            id=name, members=tuple(m for m in members if m in agents), lead=lead, department=department
        )
    return teams


def _queues(
    section: Mapping[str, Any],
    agents: Mapping[str, Agent],
    teams: Mapping[str, Team],
    fallback_queue: str,
    strategies: Mapping[str, object],
    *,
    problems: list[ConfigProblem],
) -> dict[str, Queue]:
    queues: dict[str, Queue] = {}
    specs = dict(section)
    specs.setdefault(fallback_queue, {})
    for name, spec in specs.items():
        path = f"routing.queues.{name}"
        team, listed = spec.get("team"), spec.get("agents")
        strategy = spec.get("strategy")
        if strategy is not None and strategy not in strategies:
            problems.append(
                ConfigProblem(
                    f"{path}.strategy",
                    f"unknown strategy {strategy!r}; registered: {', '.join(sorted(strategies))}",
                )
            )
        if team is not None and team not in teams:
            problems.append(ConfigProblem(f"{path}.team", f"unknown team {team!r}"))
        for i, agent_id in enumerate(listed or ()):
            if agent_id not in agents:
                problems.append(ConfigProblem(f"{path}.agents[{i}]", f"unknown agent {agent_id!r}"))
        ids: list[str] = list(listed or ())
        if team in teams:
            ids += [m for m in teams[team].members if m not in ids]
        if team is None and listed is None:
            ids = list(agents)  # an unrestricted queue: anyone may take it
        pool = tuple(agents[i] for i in ids if i in agents)
        if (team is not None or listed is not None) and not pool:
            problems.append(ConfigProblem(path, f"queue {name!r} has an empty agent pool"))
        queues[name] = Queue(id=name, team=team, pool=pool, strategy=strategy)
    return queues
