"""The ``sentiment`` scorer: VADER for English, LeIA (VADER's lexicon and rules adapted to Portuguese) for
Portuguese. Other languages get no sentiment score, never an English guess."""

from __future__ import annotations

import string
import unicodedata
import warnings
from collections.abc import Mapping
from typing import Any, Protocol

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as VaderAnalyzer

from scrm_core.models import Interaction, Score
from scrm_core.scoring._make import make_score
from scrm_core.scoring.base import ScoringContext

with warnings.catch_warnings():
    # LeIA opens its word lists without closing them at import time
    warnings.simplefilter("ignore", ResourceWarning)
    from LeIA import leia as _leia  # type: ignore[import-untyped]

__all__ = ["NEUTRAL_BAND", "SentimentScorer"]

#: VADER's own convention: compound scores within +-0.05 are neutral
NEUTRAL_BAND = 0.05


class _Analyzer(Protocol):
    lexicon: dict[str, float]

    def polarity_scores(self, text: str) -> dict[str, float]: ...


class _Tokens:
    """LeIA's SentiText with VADER 3.3.2's tokeniser: LeIA's own pairs every word with every punctuation
    mark (about 40 dictionary entries a word), which made it three times slower than VADER for the same
    result."""

    def __init__(self, text: str) -> None:
        self.text = text
        words = []
        for token in text.split():
            stripped = token.strip(string.punctuation)
            words.append(token if len(stripped) <= 2 else stripped)
        self.words_and_emoticons = [w for w in words if len(w) > 1]
        self.is_cap_diff = _leia.allcap_differential(self.words_and_emoticons)


class _PortugueseAnalyzer(_leia.SentimentIntensityAnalyzer):  # type: ignore[misc]
    def polarity_scores(self, text: str) -> dict[str, float]:
        text = unicodedata.normalize("NFKD", text).encode("ASCII", "ignore").decode("ASCII")
        text = " ".join(self.emojis.get(token, token) for token in text.split())
        tokens = _Tokens(text)
        sentiments: list[float] = []
        words = tokens.words_and_emoticons
        for i, item in enumerate(words):
            if item.lower() in _leia.BOOSTER_DICT:
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, tokens, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        result: dict[str, float] = self.score_valence(sentiments, text)
        return result


#: common customer-care words LeIA's translated lexicon lacks, rated like their English counterparts in VADER
#: ("worst" -3.1, "garbage" -2.5, "disappointing" -2.2)
_PT_SUPPLEMENT = {"pessimo": -3.1, "pessima": -3.1, "lixo": -2.5, "decepcionante": -2.2}


def _build(language: str) -> _Analyzer:
    if language == "en":
        return VaderAnalyzer()  # type: ignore[no-any-return]
    analyzer: _Analyzer = _PortugueseAnalyzer()
    analyzer.lexicon.update(_PT_SUPPLEMENT)
    return analyzer


def _fold_ascii(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ASCII", "ignore").decode("ASCII").lower()


class SentimentScorer:
    """``value`` is the compound polarity in [-1, 1]; ``label`` negative / neutral / positive.

    ``[scoring.sentiment.lexicon.<lang>]`` adds or overrides words (valence -4..4, as in VADER's lexicon).
    """

    name = "sentiment"
    requires: tuple[str, ...] = ("language",)

    def __init__(self, lexicon: Mapping[str, Mapping[str, float]] | None = None) -> None:
        self._analyzers: dict[str, _Analyzer] = {code: _build(code) for code in ("en", "pt")}
        self._engine = {"en": "VADER", "pt": "LeIA"}
        for code, words in (lexicon or {}).items():
            if code not in self._analyzers:
                raise ValueError(f"no sentiment lexicon for language {code!r}; there are en, pt")
            # LeIA strips accents from the text, so its extra words are stored without them too
            fold = (lambda w: w.lower()) if code == "en" else _fold_ascii
            self._analyzers[code].lexicon.update({fold(w): float(v) for w, v in words.items()})
        self.languages: frozenset[str] | None = frozenset(self._analyzers)

    def configure(self, settings: Mapping[str, Any]) -> SentimentScorer:
        return SentimentScorer(settings.get("lexicon"))

    def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
        code = interaction.language
        analyzer = self._analyzers.get(code or "")
        if analyzer is None or code is None:
            return None
        compound = analyzer.polarity_scores(interaction.text)["compound"]
        label = (
            "negative" if compound <= -NEUTRAL_BAND else "positive" if compound >= NEUTRAL_BAND else "neutral"
        )
        return make_score(
            self.name, float(compound), label, (f"{label} sentiment {compound:+.2f} ({self._engine[code]}, {code})",)
        )
