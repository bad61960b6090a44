"""The built-in scorers, registered through the same hook as any third-party scorer."""

from __future__ import annotations

from collections.abc import Callable

from scrm_core import hookimpl
from scrm_core.scoring.base import Scorer
from scrm_core.scoring.influence import CustomerValueScorer, InfluenceScorer
from scrm_core.scoring.intent import IntentScorer
from scrm_core.scoring.language import LanguageScorer
from scrm_core.scoring.priority import PriorityScorer
from scrm_core.scoring.sentiment import SentimentScorer


@hookimpl
def scrm_register_scorers(register: Callable[[Scorer], None]) -> None:
    for scorer in (
        LanguageScorer(),
        SentimentScorer(),
        IntentScorer(),
        InfluenceScorer(),
        CustomerValueScorer(),
        PriorityScorer(),
    ):
        register(scorer)
