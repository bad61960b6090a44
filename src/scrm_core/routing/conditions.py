"""The built-in condition operators of declarative rules (``when.<name> = argument``).

Each ``compile`` checks its argument once, at load, and raises ValueError saying what is wrong. Conditions
the rule index can serve without calling them say so: ``index_field`` + ``index_values`` (equality on a
fact of the interaction), ``keywords`` (the shared keyword automaton) or ``patterns`` (the combined RE2 set).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import re2

from scrm_core.models import InteractionKind, Priority, Visibility
from scrm_core.routing.base import PredicateFn, RoutingInput
from scrm_core.routing.sla import DAYS, BusinessHours, parse_clock, zone
from scrm_core.scoring.intent import intents_of
from scrm_core.scoring.keywords import KeywordAutomaton

__all__ = [
    "AuthorCondition",
    "BusinessHoursCondition",
    "CustomerTierCondition",
    "CustomerValueCondition",
    "FactCondition",
    "KeywordsCondition",
    "LocalTimeCondition",
    "MetadataCondition",
    "PriorityCondition",
    "RegexCondition",
    "SentimentCondition",
    "builtin_conditions",
    "facts",
]


def _strings(argument: Any, what: str) -> frozenset[str]:
    items = [argument] if isinstance(argument, str) else argument
    if not isinstance(items, list | tuple) or not items or not all(isinstance(i, str) and i for i in items):
        raise ValueError(f"{what} must be a non-empty string or list of strings, got {argument!r}")
    return frozenset(items)


def _mapping(argument: Any, allowed: set[str], what: str) -> Mapping[str, Any]:
    if not isinstance(argument, Mapping) or not argument:
        raise ValueError(f"{what} must be a table with some of: {', '.join(sorted(allowed))}")
    unknown = set(argument) - allowed
    if unknown:
        raise ValueError(
            f"{what} has unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}"
        )
    return argument


#: what the index can look up about an interaction, by fact name (several values for a multi-valued fact)
facts: Mapping[str, Callable[[RoutingInput], tuple[str, ...]]] = {
    "channel": lambda ri: (ri.interaction.channel,),
    "account": lambda ri: (ri.interaction.account,),
    "kind": lambda ri: (ri.interaction.kind.value,),
    "visibility": lambda ri: (ri.interaction.visibility.value,),
    "language": lambda ri: (ri.interaction.language,) if ri.interaction.language else (),
    "intent": lambda ri: tuple(intents_of(ri.scores.get("intent"))),
}


class FactCondition:
    """Equality on one fact (channel, account, kind, visibility, language, intent): a value or a list."""

    def __init__(self, field: str, choices: frozenset[str] | None = None) -> None:
        self.index_field = field
        self._get = facts[field]
        self._choices = choices

    def index_values(self, argument: Any) -> frozenset[str]:
        values = _strings(argument, self.index_field)
        if self._choices is not None and not values <= self._choices:
            bad = ", ".join(sorted(values - self._choices))
            raise ValueError(f"unknown {self.index_field} {bad}; known: {', '.join(sorted(self._choices))}")
        return values

    def compile(self, argument: Any) -> PredicateFn:
        values, get = self.index_values(argument), self._get
        return lambda ri: not values.isdisjoint(get(ri))


class KeywordsCondition:
    """Any of the words or phrases occurs in the text (whole words, case and accents ignored)."""

    def keywords(self, argument: Any) -> tuple[str, ...]:
        return tuple(sorted(_strings(argument, "keywords")))

    def compile(self, argument: Any) -> PredicateFn:
        automaton: KeywordAutomaton[int] = KeywordAutomaton({0: self.keywords(argument)})
        return lambda ri: bool(automaton.matches(ri.interaction.text))


def quiet_options() -> Any:
    """RE2 options that report a bad pattern through the exception only, not also on stderr."""
    options = re2.Options()
    options.log_errors = False
    return options


def check_pattern(pattern: str) -> None:
    """Refuse a pattern RE2 cannot run (backreferences, lookaround): RE2 is linear-time, so any pattern it
    accepts is safe from catastrophic backtracking."""
    try:
        re2.compile(pattern, quiet_options())
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"invalid regular expression {pattern!r}: {detail}") from None


class RegexCondition:
    """Any of the RE2 patterns matches the text (case-insensitive unless the pattern says ``(?-i)``)."""

    def patterns(self, argument: Any) -> tuple[str, ...]:
        patterns = tuple(sorted(_strings(argument, "regex")))
        for pattern in patterns:
            check_pattern(pattern)
        return tuple(f"(?i){p}" for p in patterns)

    def compile(self, argument: Any) -> PredicateFn:
        compiled = [re2.compile(p) for p in self.patterns(argument)]
        return lambda ri: any(c.search(ri.interaction.text) for c in compiled)


class SentimentCondition:
    """``"negative"`` / list of labels, or ``{below = -0.5}`` / ``{above = 0.5}`` on the compound score."""

    def compile(self, argument: Any) -> PredicateFn:
        if isinstance(argument, str | list):
            labels = _strings(argument, "sentiment")
            if not labels <= {"negative", "neutral", "positive"}:
                raise ValueError("sentiment labels are negative, neutral, positive")

            def by_label(routing_input: RoutingInput) -> bool:
                score = routing_input.scores.get("sentiment")
                return score is not None and score.label in labels

            return by_label
        spec = _mapping(argument, {"below", "above"}, "sentiment")
        low, high = float(spec.get("above", -2.0)), float(spec.get("below", 2.0))

        def by_value(routing_input: RoutingInput) -> bool:
            score = routing_input.scores.get("sentiment")
            return score is not None and low < score.value < high

        return by_value


class PriorityCondition:
    """The priority score's level: ``"urgent"``, a list, or ``{at_least = "high"}``."""

    def compile(self, argument: Any) -> PredicateFn:
        if isinstance(argument, Mapping):
            spec = _mapping(argument, {"at_least"}, "priority")
            floor = Priority(spec["at_least"]).rank
            levels = frozenset(p.value for p in Priority if p.rank <= floor)
        else:
            levels = _strings(argument, "priority")
            for level in levels:
                Priority(level)

        def check(routing_input: RoutingInput) -> bool:
            score = routing_input.scores.get("priority")
            return score is not None and score.label in levels

        return check


class AuthorCondition:
    """``{verified = true, min_followers = 10000, max_followers = 100, handles = ["@x"]}`` (all must hold)."""

    def compile(self, argument: Any) -> PredicateFn:
        spec = _mapping(argument, {"verified", "min_followers", "max_followers", "handles"}, "author")
        verified = spec.get("verified")
        least, most = int(spec.get("min_followers", 0)), spec.get("max_followers")
        handles = (
            frozenset(h.lstrip("@").casefold() for h in _strings(spec["handles"], "author.handles"))
            if "handles" in spec
            else None
        )

        def check(routing_input: RoutingInput) -> bool:
            author = routing_input.interaction.author
            followers = author.follower_count or 0
            return (
                (verified is None or bool(author.verified) == verified)
                and followers >= least
                and (most is None or followers <= int(most))
                and (handles is None or (author.handle or "").lstrip("@").casefold() in handles)
            )

        return check


class CustomerTierCondition:
    """The host contact's tier is one of these (case-insensitive)."""

    def compile(self, argument: Any) -> PredicateFn:
        tiers = frozenset(t.casefold() for t in _strings(argument, "customer_tier"))
        return lambda ri: ri.contact is not None and (ri.contact.tier or "").casefold() in tiers


class CustomerValueCondition:
    """``{at_least = 5000}`` on the host contact's value."""

    def compile(self, argument: Any) -> PredicateFn:
        floor = float(_mapping(argument, {"at_least"}, "customer_value")["at_least"])
        return lambda ri: (
            ri.contact is not None and ri.contact.value is not None and ri.contact.value >= floor
        )


class MetadataCondition:
    """``{key = "value"}``: every listed key of the interaction's metadata has that value."""

    def compile(self, argument: Any) -> PredicateFn:
        if not isinstance(argument, Mapping) or not argument:
            raise ValueError("metadata must be a table of key = value")
        wanted = {str(k): str(v) for k, v in argument.items()}
        return lambda ri: all(ri.interaction.metadata.get(k) == v for k, v in wanted.items())


class BusinessHoursCondition:
    """``true``: the interaction arrives inside the routing calendar's business hours; ``false``: outside.
    ``configure`` binds it to ``[routing.business_hours]`` (24/7 when that is absent)."""

    def __init__(self, hours: BusinessHours | None = None) -> None:
        self.hours = hours or BusinessHours.always()

    def configure(self, settings: Mapping[str, Any]) -> BusinessHoursCondition:
        section = settings.get("business_hours")
        tz = str(settings.get("timezone", "UTC"))
        return BusinessHoursCondition(BusinessHours.from_settings(section, tz) if section else None)

    def compile(self, argument: Any) -> PredicateFn:
        if not isinstance(argument, bool):
            raise ValueError("business_hours must be true (inside) or false (outside)")
        hours = self.hours
        return lambda ri: hours.is_open(ri.now) == argument


class LocalTimeCondition:
    """``{timezone = "Europe/Lisbon", from = "18:00", to = "08:00", days = ["sat", "sun"]}``: the arrival
    time in that zone falls in the window (which may wrap midnight) on one of the days (default: any)."""

    def compile(self, argument: Any) -> PredicateFn:
        spec = _mapping(argument, {"timezone", "from", "to", "days"}, "local_time")
        tz = zone(str(spec.get("timezone", "UTC")))
        start = parse_clock(str(spec.get("from", "00:00")))
        end = parse_clock(str(spec.get("to", "24:00")))
        days = _strings(spec.get("days", list(DAYS)), "local_time.days")
        if not days <= set(DAYS):
            raise ValueError(f"days are {', '.join(DAYS)}")
        weekdays = frozenset(DAYS.index(d) for d in days)
        begin = (start.hour * 60 + start.minute) if start else 1440
        finish = (end.hour * 60 + end.minute) if end else 1440

        def check(routing_input: RoutingInput) -> bool:
            local: datetime = routing_input.now.astimezone(tz)
            minute = local.hour * 60 + local.minute
            inside = begin <= minute < finish if begin < finish else (minute >= begin or minute < finish)
            return inside and local.weekday() in weekdays

        return check


def builtin_conditions() -> dict[str, Any]:
    return {
        "channel": FactCondition("channel"),
        "account": FactCondition("account"),
        "kind": FactCondition("kind", frozenset(k.value for k in InteractionKind)),
        "visibility": FactCondition("visibility", frozenset(v.value for v in Visibility)),
        "language": FactCondition("language"),
        "intent": FactCondition("intent"),
        "keywords": KeywordsCondition(),
        "regex": RegexCondition(),
        "sentiment": SentimentCondition(),
        "priority": PriorityCondition(),
        "author": AuthorCondition(),
        "customer_tier": CustomerTierCondition(),
        "customer_value": CustomerValueCondition(),
        "metadata": MetadataCondition(),
        "business_hours": BusinessHoursCondition(),
        "local_time": LocalTimeCondition(),
    }
