"""The ``priority`` scorer: a weighted sum of the other scores, cut into four levels, with every
contribution kept as a reason ("why this priority").

    points = negative_sentiment * max(0, -sentiment)
           + sum(weight[intent] for every matched intent)
           + influence * influence_value        (only for influencers)
           + customer_value * customer_value
    urgent if points >= thresholds.urgent, else high / normal by their thresholds, else low
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scrm_core.models import Interaction, Priority, Score
from scrm_core.scoring._make import make_score
from scrm_core.scoring.base import ScoringContext
from scrm_core.scoring.intent import intents_of

__all__ = ["DEFAULT_THRESHOLDS", "DEFAULT_WEIGHTS", "PriorityScorer"]

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "negative_sentiment": 40.0,
    "urgent_safety": 70.0,
    "churn_risk": 30.0,
    "complaint": 20.0,
    "purchase_interest": 15.0,
    "opt_out": 10.0,
    "question": 5.0,
    "praise": 0.0,
    "influence": 25.0,
    "customer_value": 25.0,
}
DEFAULT_THRESHOLDS: Mapping[str, float] = {"urgent": 70.0, "high": 40.0, "normal": 10.0}


def check_weights(weights: Mapping[str, float], thresholds: Mapping[str, float]) -> list[str]:
    """What is wrong with a weight set, in words (empty when it is sensible)."""
    problems = [f"weight {k} is negative ({v})" for k, v in weights.items() if v < 0]
    urgent, high, normal = (thresholds.get(k, DEFAULT_THRESHOLDS[k]) for k in ("urgent", "high", "normal"))
    if not urgent > high > normal >= 0:
        problems.append(
            f"thresholds must satisfy urgent > high > normal >= 0 (got {urgent}, {high}, {normal})"
        )
    if sum(weights.values()) < urgent:
        problems.append(
            f"the weights sum to {sum(weights.values()):g}, below the urgent threshold {urgent:g}: "
            "nothing could ever be urgent"
        )
    if max(weights.values(), default=0) > 0 and max(weights.values()) > 10 * max(urgent, 1):
        problems.append(f"a weight of {max(weights.values()):g} dwarfs the urgent threshold {urgent:g}")
    return problems


class PriorityScorer:
    name = "priority"
    languages: frozenset[str] | None = None
    requires: tuple[str, ...] = ("language", "sentiment", "intent", "influence", "customer_value")

    def __init__(
        self, weights: Mapping[str, float] | None = None, thresholds: Mapping[str, float] | None = None
    ) -> None:
        self.weights = {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in (weights or {}).items()}}
        self.thresholds = {**DEFAULT_THRESHOLDS, **{k: float(v) for k, v in (thresholds or {}).items()}}
        problems = check_weights(self.weights, self.thresholds)
        if problems:
            raise ValueError("; ".join(problems))
        self._levels = (
            (self.thresholds["urgent"], Priority.URGENT),
            (self.thresholds["high"], Priority.HIGH),
            (self.thresholds["normal"], Priority.NORMAL),
        )

    def configure(self, settings: Mapping[str, Any]) -> PriorityScorer:
        return PriorityScorer(settings.get("weights"), settings.get("thresholds"))

    def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
        scores = context.scores
        w = self.weights
        points = 0.0
        reasons: list[str] = []

        def add(amount: float, why: str) -> None:
            nonlocal points
            if amount > 0:
                points += amount
                reasons.append(f"{why} (+{amount:.0f})")

        sentiment = scores.get("sentiment")
        if sentiment is not None and sentiment.value < 0:
            add(w["negative_sentiment"] * -sentiment.value, f"negative sentiment {sentiment.value:+.2f}")
        for intent in sorted(intents_of(scores.get("intent"))):
            add(w.get(intent, 0.0), f"intent {intent}")
        influence = scores.get("influence")
        if influence is not None and influence.label == "influencer":
            add(w["influence"] * influence.value, influence.reasons[0] if influence.reasons else "influencer")
        value = scores.get("customer_value")
        if value is not None:
            add(w["customer_value"] * value.value, value.reasons[0] if value.reasons else "customer value")
        level = next((p for floor, p in self._levels if points >= floor), Priority.LOW)
        reasons.append(f"{points:.0f} points -> {level.value}")
        return make_score(self.name, float(points), level.value, tuple(reasons))
