"""Scoring: the Scorer interface and the built-in scorers (registered as default plugins)."""

from scrm_core.scoring.base import Scorer, ScoringContext

__all__ = ["Scorer", "ScoringContext"]
