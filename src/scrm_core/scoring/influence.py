"""The ``influence`` scorer (from the follower count and verification the platform sent) and the
``customer_value`` scorer (from the host's contact record, found through the identity hook)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from scrm_core.models import Interaction, Score
from scrm_core.scoring._make import make_score
from scrm_core.scoring.base import ScoringContext

__all__ = ["CustomerValueScorer", "InfluenceScorer", "humanize_count"]


def humanize_count(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f}M".replace(".0M", "M")
    if count >= 1_000:
        return f"{count // 1_000}k"
    return str(count)


class InfluenceScorer:
    """``value`` in [0, 1]: log10 of followers over log10 of ``full_reach`` (1M), plus ``verified_bonus``.
    ``label`` is "influencer" from ``influencer_followers`` (10k) or when verified. Abstains without data."""

    name = "influence"
    languages: frozenset[str] | None = None
    requires: tuple[str, ...] = ()

    def __init__(
        self, influencer_followers: int = 10_000, full_reach: int = 1_000_000, verified_bonus: float = 0.25
    ) -> None:
        if influencer_followers < 1 or full_reach < 10:
            raise ValueError("influencer_followers must be at least 1 and full_reach at least 10")
        self.influencer_followers = influencer_followers
        self.full_reach = full_reach
        self.verified_bonus = verified_bonus
        self._scale = math.log10(full_reach)

    def configure(self, settings: Mapping[str, Any]) -> InfluenceScorer:
        return InfluenceScorer(
            int(settings.get("influencer_followers", self.influencer_followers)),
            int(settings.get("full_reach", self.full_reach)),
            float(settings.get("verified_bonus", self.verified_bonus)),
        )

    def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
        author = interaction.author
        followers, verified = author.follower_count, author.verified
        if followers is None and verified is None:
            return None
        value = min(1.0, math.log10(1 + (followers or 0)) / self._scale)
        if verified:
            value = min(1.0, value + self.verified_bonus)
        parts = []
        if followers is not None:
            parts.append(f"{humanize_count(followers)} followers")
        if verified:
            parts.append("verified")
        influencer = bool(verified) or (followers or 0) >= self.influencer_followers
        label = "influencer" if influencer else "regular"
        return make_score(self.name, float(value), label, (f"{label}: {', '.join(parts)}",))


class CustomerValueScorer:
    """``value`` in [0, 1]: the larger of the contact's tier weight (``tiers``) and its value over
    ``high_value``. ``label`` is the tier. Abstains when the host returned no contact."""

    name = "customer_value"
    languages: frozenset[str] | None = None
    requires: tuple[str, ...] = ()

    def __init__(self, tiers: Mapping[str, float] | None = None, high_value: float = 10_000.0) -> None:
        self.tiers = {
            k.casefold(): float(v)
            for k, v in (
                tiers or {"platinum": 1.0, "vip": 1.0, "gold": 0.7, "silver": 0.4, "bronze": 0.2}
            ).items()
        }
        if any(not 0.0 <= v <= 1.0 for v in self.tiers.values()):
            raise ValueError("tier weights must be between 0 and 1")
        if high_value <= 0:
            raise ValueError("high_value must be positive")
        self.high_value = float(high_value)

    def configure(self, settings: Mapping[str, Any]) -> CustomerValueScorer:
        return CustomerValueScorer(
            settings.get("tiers", self.tiers), settings.get("high_value", self.high_value)
        )

    def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
        contact = context.contact
        if contact is None or (contact.tier is None and contact.value is None):
            return None
        tier_weight = self.tiers.get((contact.tier or "").casefold(), 0.0)
        value_weight = min(1.0, max(0.0, (contact.value or 0.0) / self.high_value))
        reasons = []
        if contact.tier:
            reasons.append(f"customer tier {contact.tier}")
        if contact.value is not None:
            reasons.append(f"customer value {contact.value:,.0f}")
        return make_score(self.name, float(max(tier_weight, value_weight)), contact.tier, (", ".join(reasons),))
