"""``build_router`` and ``check_routing``: the ``[routing]`` section validated and compiled once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scrm_core import schemas
from scrm_core.errors import ConfigError, ConfigProblem
from scrm_core.models import Agent
from scrm_core.routing.base import RoutingStrategy
from scrm_core.routing.directory import build_directory
from scrm_core.routing.router import FIRST_MATCH, EscalationStep, RuleRouter
from scrm_core.routing.rules import compile_rules
from scrm_core.routing.sla import BusinessHours, SlaPolicy, parse_duration

if TYPE_CHECKING:
    from scrm_core.plugins import Registry
    from scrm_core.store.base import Store

__all__ = ["DEFAULT_QUEUE", "DEFAULT_STRATEGY", "build_router", "check_routing"]

DEFAULT_QUEUE = "advocates"
DEFAULT_STRATEGY = "advocate_first"
_CHAIN_ROLES = ("team_lead", "department_head")


def _configured(
    items: Mapping[str, Any], settings: Mapping[str, Any], kind: str, problems: list[ConfigProblem]
) -> dict[str, Any]:
    """Plugins' conditions and strategies, bound to the routing section when they offer ``configure``."""
    bound = {}
    for name, value in items.items():
        configure = getattr(value, "configure", None)
        try:
            bound[name] = configure(settings) if configure is not None else value
        except (ValueError, TypeError, KeyError) as exc:
            bound[name] = value  # rules using it still compile; the section's own check reports the cause
            problem = ConfigProblem("routing", f"{kind} {name!r}: {exc}")
            if all(p.message != str(exc) for p in problems):
                problems.append(problem)
    return bound


def _escalation(
    settings: Mapping[str, Any],
    known_agents: Mapping[str, Agent],
    queues: Mapping[str, Any],
    problems: list[ConfigProblem],
) -> list[EscalationStep]:
    steps = []
    for i, spec in enumerate(settings.get("escalation", {}).get("steps", ())):
        path = f"routing.escalation.steps[{i}]"
        to = str(spec.get("to", ""))
        if to.startswith("queue:"):
            if to[6:] not in queues:
                problems.append(ConfigProblem(f"{path}.to", f"unknown queue {to[6:]!r}"))
        elif to not in _CHAIN_ROLES and to not in known_agents:
            problems.append(
                ConfigProblem(
                    f"{path}.to", f"{to!r} is not team_lead, department_head, queue:<name> or a known agent"
                )
            )
        try:
            steps.append(EscalationStep(to, parse_duration(spec.get("after", 0))))
        except ValueError as exc:
            problems.append(ConfigProblem(f"{path}.after", str(exc)))
    return steps


def _compile(
    settings: Mapping[str, Any],
    registry: Registry,
    timezone: str,
    agents: Sequence[Agent],
    *,
    load: Mapping[str, int],
    problems: list[ConfigProblem],
) -> RuleRouter | None:
    problems.extend(schemas.iter_problems(schemas.validator("routing-rules"), settings, "routing"))
    if problems:
        return None  # the shape is wrong: deeper checks would only repeat it
    strategies: dict[str, RoutingStrategy] = {n: r.value for n, r in registry.strategies.items()}
    fallback = settings.get("fallback_queue", DEFAULT_QUEUE)
    default_strategy = settings.get("strategy", DEFAULT_STRATEGY)
    if default_strategy not in strategies:
        problems.append(
            ConfigProblem(
                "routing.strategy",
                f"unknown strategy {default_strategy!r}; registered: {', '.join(sorted(strategies))}",
            )
        )
    directory = build_directory(settings, agents, fallback, strategies, problems)
    scoped = {**settings, "timezone": settings.get("timezone", timezone)}
    conditions = _configured(
        {n: r.value for n, r in registry.conditions.items()}, scoped, "condition", problems
    )
    known = {
        "queue": directory.queues,
        "team": directory.teams,
        "agent": directory.agents,
        "strategy": strategies,
    }
    rules, index = compile_rules(settings.get("rules", ()), conditions, known, problems)
    hours = None
    try:
        if settings.get("business_hours"):
            hours = BusinessHours.from_settings(settings["business_hours"], scoped["timezone"])
        sla = SlaPolicy.from_settings(settings.get("sla", {}), hours)
    except ValueError as exc:
        problems.append(
            ConfigProblem(
                "routing.business_hours"
                if hours is None and settings.get("business_hours")
                else "routing.sla",
                str(exc),
            )
        )
        _drop_repeats(problems)
        return None
    steps = _escalation(settings, directory.agents, directory.queues, problems)
    _drop_repeats(problems)
    if problems:
        return None
    return RuleRouter(
        rules=rules,
        index=index,
        directory=directory,
        strategies=strategies,
        default_strategy=default_strategy,
        fallback_queue=fallback,
        mode=settings.get("mode", FIRST_MATCH),
        sla=sla,
        escalation=steps,
        load=load,
    )


def _drop_repeats(problems: list[ConfigProblem]) -> None:
    """A plugin's configure may fail for the same reason a section check reports: keep the precise one."""
    precise = {p.message for p in problems if p.path != "routing"}
    problems[:] = [p for p in problems if p.path != "routing" or p.message.split(": ", 1)[-1] not in precise]


def check_routing(
    settings: Mapping[str, Any], registry: Registry, *, timezone: str = "UTC", agents: Sequence[Agent] = ()
) -> list[ConfigProblem]:
    """Every problem in the ``[routing]`` section, each with its path (for ``scrm check``)."""
    problems: list[ConfigProblem] = []
    _compile(settings, registry, timezone, agents, load={}, problems=problems)
    return problems


def build_router(
    settings: Mapping[str, Any],
    registry: Registry,
    *,
    store: Store,
    timezone: str = "UTC",
    agents: Sequence[Agent] = (),
) -> RuleRouter:
    """Compile ``[routing]`` once. ``agents`` adds agents the host knows (config entries win on the same
    id). Raises ConfigError listing every problem with its path and rule id. An empty section routes
    everything to the advocates queue."""
    problems: list[ConfigProblem] = []
    router = _compile(settings, registry, timezone, agents, load=store.open_load(), problems=problems)
    if router is None:
        raise ConfigError(problems, "routing")
    return router
