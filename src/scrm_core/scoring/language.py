"""The ``language`` scorer: which language an interaction is in, detected with lingua (models ship in the
wheel, nothing is downloaded)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import re2
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from scrm_core.models import Interaction, Score
from scrm_core.scoring.base import ScoringContext

__all__ = ["DEFAULT_LANGUAGES", "LanguageScorer"]

#: the product's two languages plus Spanish, so Spanish text is not mistaken for Portuguese and mis-scored
DEFAULT_LANGUAGES = ("en", "pt", "es")
#: below this many characters a guess is too often wrong; the scorer abstains instead
_MIN_LETTERS = 8
#: detection cost grows with length, accuracy stops growing long before: the first this-many characters of
#: prose decide, and the whole text is consulted only when they leave it undecided
_WINDOW = 32
#: @handles, #hashtags and links carry no language and mislead the n-gram models
_NOISE = re2.compile(r"(?:[@#]|https?://|www\.)\S+")


@cache
def _detector(codes: tuple[str, ...], min_distance: float) -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in codes]
    # low-accuracy mode uses trigram models only: several times faster, and on texts too short for it the
    # detector answers None (unknown) rather than a wrong language
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_low_accuracy_mode()
        .with_minimum_relative_distance(min_distance)
        .build()
    )


def _check_codes(codes: Sequence[str]) -> tuple[str, ...]:
    for code in codes:
        if not hasattr(IsoCode639_1, str(code).upper()):
            raise ValueError(f"unknown ISO 639-1 language code {code!r}")
    if len(codes) < 2:
        raise ValueError("detect at least two languages")
    return tuple(str(c).lower() for c in codes)


class LanguageScorer:
    """Score ``label`` is the ISO 639-1 code, ``value`` the detector's confidence. A language the channel
    already gave is kept (confidence 1). Abstains on text too short to tell."""

    name = "language"
    languages: frozenset[str] | None = None
    requires: tuple[str, ...] = ()

    def __init__(self, codes: Sequence[str] = DEFAULT_LANGUAGES, min_distance: float = 0.1) -> None:
        self.codes = _check_codes(codes)
        self.min_distance = float(min_distance)
        self._detector = _detector(self.codes, self.min_distance)

    def configure(self, settings: Mapping[str, Any]) -> LanguageScorer:
        return LanguageScorer(
            settings.get("languages", self.codes), settings.get("min_distance", self.min_distance)
        )

    def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
        if interaction.language:
            return Score(
                name=self.name,
                value=1.0,
                label=interaction.language,
                reasons=(f"language {interaction.language} given by the channel",),
            )
        text = interaction.text
        if "@" in text or "#" in text or "://" in text or "www." in text:
            text = _NOISE.sub(" ", text)
        if len(text.strip()) < _MIN_LETTERS:
            return None
        language = self._detector.detect_language_of(text[:_WINDOW])
        if language is None and len(text) > _WINDOW:
            language = self._detector.detect_language_of(text)
        if language is None:
            return None
        code = language.iso_code_639_1.name.lower()
        return Score(name=self.name, value=1.0, label=code, reasons=(f"language {code} detected",))
