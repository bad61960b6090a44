"""Declarative rules compiled once into an index, so matching cost stays nearly flat as rules grow.

Each rule is reached through one *anchor*: its keywords (one Aho-Corasick automaton over every rule's
keywords), else its regexes (one combined RE2 set), else nothing; under the anchor, rules are grouped by the
exact values of their equality conditions (channel, kind, language, intent, ...) in hash tables. A decision
looks up a handful of keys, gets the few candidate rules that can match, and only runs their remaining
conditions.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import re2
from attrs import frozen

from scrm_core.errors import ConfigProblem
from scrm_core.models import Priority
from scrm_core.routing.base import PredicateFn, RoutingInput
from scrm_core.routing.conditions import facts, quiet_options
from scrm_core.routing.sla import parse_duration
from scrm_core.scoring.keywords import KeywordAutomaton
from scrm_core.scoring.text import fold

__all__ = ["Actions", "CompiledRule", "RuleIndex", "compile_rules"]


@frozen(kw_only=True)
class Actions:
    queue: str | None = None
    team: str | None = None
    assignee: str | None = None
    priority: Priority | None = None
    tags: tuple[str, ...] = ()
    sla: timedelta | None = None
    hand_off: str | None = None
    strategy: str | None = None


@frozen(kw_only=True)
class CompiledRule:
    id: str
    order: int
    summary: str
    residual: tuple[PredicateFn, ...]
    unless: tuple[PredicateFn, ...]
    actions: Actions

    def holds(self, routing_input: RoutingInput) -> bool:
        return all(p(routing_input) for p in self.residual) and not any(p(routing_input) for p in self.unless)


Equality = Mapping[str, frozenset[str]]


class _EqualityIndex:
    """Rules by the exact values of their equality conditions: one hash table per set of fields used."""

    def __init__(self) -> None:
        self._tables: dict[tuple[str, ...], dict[tuple[str, ...], list[int]]] = {}

    def add(self, order: int, equality: Equality) -> None:
        fields = tuple(sorted(equality))
        table = self._tables.setdefault(fields, {})
        for combo in itertools.product(*(sorted(equality[f]) for f in fields)):
            table.setdefault(combo, []).append(order)

    def fields(self) -> set[str]:
        return {f for fields in self._tables for f in fields}

    def lookup(self, values: Mapping[str, tuple[str, ...]], out: list[int]) -> None:
        for fields, table in self._tables.items():
            if not fields:
                out.extend(table.get((), ()))
            elif len(fields) == 1:
                for v in values[fields[0]]:
                    out.extend(table.get((v,), ()))
            else:
                for combo in itertools.product(*(values[f] for f in fields)):
                    out.extend(table.get(combo, ()))


class RuleIndex:
    """Finds the rules that can match an input; ``candidates`` returns their orders, ascending."""

    def __init__(self) -> None:
        self._base = _EqualityIndex()
        self._by_keyword: dict[str, _EqualityIndex] = {}
        self._by_pattern: dict[str, _EqualityIndex] = {}
        self._automaton: KeywordAutomaton[str] | None = None
        self._set: Any = None
        self._pattern_list: list[str] = []
        self._fields: tuple[str, ...] = ()

    def add(self, order: int, equality: Equality, keywords: Sequence[str], patterns: Sequence[str]) -> None:
        if keywords:
            for word in keywords:
                self._by_keyword.setdefault(fold(word).strip(), _EqualityIndex()).add(order, equality)
        elif patterns:
            for pattern in patterns:
                self._by_pattern.setdefault(pattern, _EqualityIndex()).add(order, equality)
        else:
            self._base.add(order, equality)

    def freeze(self) -> None:
        if self._by_keyword:
            self._automaton = KeywordAutomaton({w: (w,) for w in self._by_keyword})
        if self._by_pattern:
            self._set = re2.Set.SearchSet(quiet_options())
            self._pattern_list = list(self._by_pattern)
            for pattern in self._pattern_list:
                self._set.Add(pattern)
            self._set.Compile()
        used = self._base.fields().union(
            *(i.fields() for i in self._by_keyword.values()), *(i.fields() for i in self._by_pattern.values())
        )
        self._fields = tuple(sorted(used))

    def candidates(self, routing_input: RoutingInput) -> list[int]:
        values = {f: facts[f](routing_input) for f in self._fields}
        found: list[int] = []
        self._base.lookup(values, found)
        text = routing_input.interaction.text
        if self._automaton is not None:
            for word, _ in self._automaton.matches(text):
                self._by_keyword[word].lookup(values, found)
        if self._set is not None:
            for i in self._set.Match(text) or ():
                self._by_pattern[self._pattern_list[i]].lookup(values, found)
        if len(found) > 1:
            return sorted(set(found))
        return found


def _describe(when: Mapping[str, Any]) -> str:
    parts = []
    for name, argument in when.items():
        if isinstance(argument, list):
            shown = "/".join(map(str, argument[:4])) + ("/..." if len(argument) > 4 else "")
        elif isinstance(argument, Mapping):
            shown = ", ".join(f"{k} {v}" for k, v in argument.items())
        else:
            shown = str(argument).lower() if isinstance(argument, bool) else str(argument)
        parts.append(f"{name} {shown}")
    return ", ".join(parts) or "always"


def _compile_conditions(
    when: Mapping[str, Any],
    conditions: Mapping[str, Any],
    path: str,
    rule_id: str,
    *,
    problems: list[ConfigProblem],
    anchor: bool,
) -> tuple[list[PredicateFn], dict[str, frozenset[str]], tuple[str, ...], tuple[str, ...]]:
    residual: list[PredicateFn] = []
    equality: dict[str, frozenset[str]] = {}
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    pattern_predicate: PredicateFn | None = None
    for name, argument in when.items():
        condition = conditions.get(name)
        where = f"{path}.{name}"
        if condition is None:
            problems.append(
                ConfigProblem(
                    where, f"rule {rule_id!r}: unknown field {name!r}; known: {', '.join(sorted(conditions))}"
                )
            )
            continue
        try:
            predicate = condition.compile(argument)
            if anchor and hasattr(condition, "keywords") and not keywords:
                keywords = condition.keywords(argument)
            elif anchor and hasattr(condition, "patterns") and pattern_predicate is None:
                patterns, pattern_predicate = condition.patterns(argument), predicate
            elif anchor and getattr(condition, "index_field", None) in facts:
                equality[condition.index_field] = condition.index_values(argument)
            else:
                residual.append(predicate)
        except (ValueError, TypeError, KeyError) as exc:
            problems.append(ConfigProblem(where, f"rule {rule_id!r}: {exc}"))
    if keywords and pattern_predicate is not None:
        # keywords are the anchor; the regex is checked on the few candidates they yield
        residual.append(pattern_predicate)
        patterns = ()
    return residual, equality, keywords, patterns


def _actions(
    then: Mapping[str, Any],
    path: str,
    rule_id: str,
    known: Mapping[str, Iterable[str]],
    problems: list[ConfigProblem],
) -> Actions:
    def check(key: str, kind: str) -> str | None:
        value = then.get(key)
        if value is not None and value not in known[kind]:
            problems.append(ConfigProblem(f"{path}.{key}", f"rule {rule_id!r}: unknown {kind} {value!r}"))
        return value

    priority = sla = None
    try:
        priority = Priority(then["priority"]) if "priority" in then else None
    except ValueError:
        problems.append(
            ConfigProblem(
                f"{path}.priority",
                f"rule {rule_id!r}: priority must be one of {', '.join(p.value for p in Priority)}",
            )
        )
    try:
        sla = parse_duration(then["sla"]) if "sla" in then else None
    except ValueError as exc:
        problems.append(ConfigProblem(f"{path}.sla", f"rule {rule_id!r}: {exc}"))
    return Actions(
        queue=check("queue", "queue"),
        team=check("team", "team"),
        assignee=check("assignee", "agent"),
        priority=priority,
        tags=tuple(then.get("tags", ())),
        sla=sla,
        hand_off=then.get("hand_off"),
        strategy=check("strategy", "strategy"),
    )


def compile_rules(
    rules: Sequence[Mapping[str, Any]],
    conditions: Mapping[str, Any],
    known: Mapping[str, Iterable[str]],
    problems: list[ConfigProblem],
) -> tuple[list[CompiledRule], RuleIndex]:
    """Compile every rule; append each problem (with its path and rule id) to ``problems``."""
    compiled: list[CompiledRule] = []
    index = RuleIndex()
    seen: dict[str, int] = {}
    for order, rule in enumerate(rules):
        path = f"routing.rules[{order}]"
        rule_id = str(rule.get("id", f"#{order}"))
        if rule_id in seen:
            problems.append(ConfigProblem(f"{path}.id", f"rule {rule_id!r} is also rules[{seen[rule_id]}]"))
        seen[rule_id] = order
        when, unless = rule.get("when", {}), rule.get("unless", {})
        residual, equality, keywords, patterns = _compile_conditions(
            when, conditions, f"{path}.when", rule_id, problems=problems, anchor=True
        )
        negated, _, _, _ = _compile_conditions(
            unless, conditions, f"{path}.unless", rule_id, problems=problems, anchor=False
        )
        actions = _actions(rule.get("then", {}), f"{path}.then", rule_id, known, problems)
        compiled.append(
            CompiledRule(
                id=rule_id,
                order=order,
                summary=str(rule.get("description") or _describe(when)),
                residual=tuple(residual),
                unless=tuple(negated),
                actions=actions,
            )
        )
        index.add(order, equality, keywords, patterns)
    index.freeze()
    return compiled, index
