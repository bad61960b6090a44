"""The Scorer interface every scorer plugin implements."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from scrm_core.models import Contact, Interaction, Score

__all__ = ["Scorer", "ScoringContext"]


@frozen(kw_only=True)
class ScoringContext:
    """What a scorer may read besides the interaction: the scores made so far (by name; ``requires`` orders
    them), the host's contact record when the identity hook found one, its config section
    (``[scoring.<name>]``) and the time."""

    scores: Mapping[str, Score] = field(factory=dict)
    contact: Contact | None = None
    settings: Mapping[str, Any] = field(factory=dict)
    now: datetime | None = None


@runtime_checkable
class Scorer(Protocol):
    """Adds one Score to an interaction.

    ``name`` is unique across plugins and names the Score it returns. ``languages`` lists the language codes
    it can judge (``None``: any language); an interaction in another language, or of unknown language, is not
    given to it, so an unsupported language yields no score rather than a wrong one. ``requires`` names the
    scores it reads from ``context.scores``: the core runs scorers in an order that satisfies it.
    ``score`` returns None to abstain.
    """

    name: str
    languages: frozenset[str] | None
    requires: tuple[str, ...]

    def score(self, interaction: Interaction, context: ScoringContext) -> Score | None: ...
