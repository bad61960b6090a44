"""``build_scorers``: the registered scorers, configured and put in an order that satisfies ``requires``."""

from __future__ import annotations

import graphlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scrm_core.errors import ConfigError, ConfigProblem
from scrm_core.scoring.base import Scorer

if TYPE_CHECKING:
    from scrm_core.plugins import Registry

__all__ = ["build_scorers"]


def _configure(scorer: Scorer, settings: Mapping[str, Any], problems: list[ConfigProblem]) -> Scorer | None:
    configure = getattr(scorer, "configure", None)
    section = settings.get(scorer.name, {})
    if configure is None:
        return scorer
    try:
        configured: Scorer = configure(section if isinstance(section, Mapping) else {})
    except (ValueError, TypeError, KeyError) as exc:
        problems.append(ConfigProblem(f"scoring.{scorer.name}", str(exc)))
        return None
    return configured


def build_scorers(registry: Registry, settings: Mapping[str, Any]) -> list[Scorer]:
    """Every registered scorer not listed in ``[scoring] disable``, configured from ``[scoring.<name>]``,
    ordered so each runs after the scorers it ``requires``. Raises ConfigError for a bad section, a missing
    requirement or a cycle."""
    problems: list[ConfigProblem] = []
    disabled = set(settings.get("disable", ()))
    for name in sorted(disabled - set(registry.scorers)):
        problems.append(ConfigProblem("scoring.disable", f"no scorer named {name!r} is registered"))
    scorers: dict[str, Scorer] = {}
    for name, registered in registry.scorers.items():
        if name in disabled:
            continue
        configured = _configure(registered.value, settings, problems)
        if configured is not None:
            scorers[name] = configured
    graph: dict[str, tuple[str, ...]] = {}
    for name, scorer in scorers.items():
        for needed in scorer.requires:
            if needed not in scorers:
                why = "is disabled" if needed in disabled else "is not registered"
                problems.append(
                    ConfigProblem(f"scoring.{name}", f"scorer {name!r} requires {needed!r}, which {why}")
                )
        graph[name] = tuple(n for n in scorer.requires if n in scorers)
    if problems:
        raise ConfigError(problems, "scoring")
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise ConfigError(
            [ConfigProblem("scoring", f"scorers require each other in a cycle: {cycle}")], "scoring"
        ) from None
    return [scorers[name] for name in order]
