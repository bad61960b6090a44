"""Scoring: the Scorer interface, ``build_scorers`` and the built-in scorers (default plugins)."""

from scrm_core.scoring.base import Scorer, ScoringContext
from scrm_core.scoring.build import build_scorers

__all__ = ["Scorer", "ScoringContext", "build_scorers"]
