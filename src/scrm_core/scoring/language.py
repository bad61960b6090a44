"""The ``language`` scorer: which language an interaction is in.

Two stages. A pre-pass reads the first words of the text and decides on its own when the evidence is
overwhelming: at least three function words that only one of English, Portuguese and Spanish uses (``the``,
``não``, ``vcs``, ``pero``...), three times as many as any other of the three, plus the letters only one of
them writes (ã õ ç for Portuguese, ñ ¿ ¡ for Spanish). Anything else, and every text with a French, German
or Italian function word, goes to lingua (models ship in the wheel, nothing is downloaded). The pre-pass
runs only when the configured languages are among the three it knows, so it never claims a language the
deployment did not ask for and never hides one it did.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from scrm_core.models import Interaction, Score
from scrm_core.scoring._make import make_score
from scrm_core.scoring.base import ScoringContext

__all__ = ["DEFAULT_LANGUAGES", "FUNCTION_WORDS", "LanguageScorer", "quick_language"]

#: the product's two languages plus Spanish, so Spanish text is not mistaken for Portuguese and mis-scored
DEFAULT_LANGUAGES = ("en", "pt", "es")
#: below this many characters a guess is too often wrong; the scorer abstains instead
_MIN_LETTERS = 8
#: detection cost grows with length, accuracy stops growing long before: the first this-many characters of
#: prose decide, and the whole text is consulted only when they leave it undecided
_WINDOW = 32
#: @handles, #hashtags and links carry no language and mislead the n-gram models
#: (Python's re, not RE2: the pattern cannot backtrack, a fixed prefix then one greedy run, and the RE2 wrapper's
#: call overhead was a third of the pre-pass's cost on text with a handle)
_NOISE = re.compile(r"(?:[@#]|https?://|www\.)\S+")

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: words only one of en / pt / es uses (lower case; Portuguese with and without accents, as people write it).
#: Words two of them share (``que``, ``de``, ``no``, ``a``, ``como``, ``para``, ``me``, ``do``, ``to``...) are
#: left out on purpose: they prove nothing.
FUNCTION_WORDS: Mapping[str, frozenset[str]] = {
    "en": _words(
        """the and is are was were be been being have has had i you your you're yours it its it's this that these
        those with for of my we our they their them not don didn doesn isn wasn won can't cannot couldn wouldn
        shouldn just what why how who which will would could should can please thanks thank since still again
        from at on an any anyone there here about after now today only all but if or get got out up off new old
        one two three every without because also he she his her him by into than then more very really hi hello
        pls tbh y'all yet i'm i've i'd want need know told said went down back over some someone nobody anything
        nothing tonight morning evening night week month year everything something always sorry"""
    ),
    "pt": _words(
        """não nao você voce vocês voces vcs vc pra pro com sem meu minha meus minhas uma um é são tá estou tô já
        ja também tambem tb pq q hj isso esse essa essas esses ele ela eles elas nós muito muita muitos muitas na
        nas da das dos em ao aos à às até ainda agora aqui hoje ontem amanhã amanha obrigado obrigada oi olá bom
        boa nenhum nenhuma ninguém alguém ninguem alguem vou vai vão foi eu tem tenho fazer faço faz fiz quero
        preciso né kkk kkkk kkkkk kkkkkk rs dele dela nosso nossa mesmo depois então entao porém sempre todo toda
        todos todas coisa gente fica ficou estão estava quem seu sua seus suas pelo pela pelos pelas num numa lá
        só e os pode posso podem quase demais ajudar consegui"""
    ),
    "es": _words(
        """el los las la y del pero muy gracias hola usted ustedes tengo es una con qué cuándo cuando donde dónde
        ya hay también nadie alguien mi mis sus lo yo eso esto hasta ahora aquí hoy ayer mañana quiero necesito
        puedo pueden hacer tiene tienen sin bueno buena buenas señor ningún ninguna al llegado pedido"""
    ),
}
#: French, German and Italian function words: any one of them leaves the decision to lingua
_OTHER_WORDS = _words(
    """et est je vous nous pas avec une ce cette sont très c'est mon ne qui sur dans pour und ist nicht ich ein
    eine sehr mit auf wir che sono della questo molto gli anche ho è"""
)
_PT_LETTERS = ("ã", "õ", "ç")
_ES_LETTERS = ("ñ", "¿", "¡")
#: how many characters the pre-pass reads: the first sentence or two carry all the evidence it uses
_QUICK_WINDOW = 160
_QUICK_CODES = ("en", "pt", "es")


def _word_table() -> dict[bytes, int]:
    # UTF-8 bytes as keys: the text is split with one bytes.translate (much faster than str.translate)
    table: dict[bytes, int] = {}
    for index, code in enumerate(_QUICK_CODES):
        for word in FUNCTION_WORDS[code]:
            key = word.encode()
            if key in table and table[key] != index:
                raise AssertionError(f"function word {word!r} is listed for two languages")
            table[key] = index
    for word in _OTHER_WORDS:
        table[word.encode()] = -1
    return table


_WORDS = _word_table()
#: ASCII punctuation (but the apostrophe), digits and whitespace become spaces; other bytes are kept
_SEPARATORS = bytes(
    ord(" ") if (chr(i) in string.punctuation and chr(i) != "'") or chr(i) in string.digits + string.whitespace
    else i
    for i in range(256)
)


def quick_language(text: str, allowed: frozenset[str] | None = None) -> str | None:
    """The language of ``text`` when its function words and letters leave no doubt (one of en, pt, es, and in
    ``allowed`` when given), else None: the caller then asks the statistical detector."""
    low = text[:_QUICK_WINDOW].lower()
    hits = list(map(_WORDS.get, low.encode().translate(_SEPARATORS).split()))
    if -1 in hits:
        return None
    en, pt, es = hits.count(0), hits.count(1), hits.count(2)
    if any(letter in low for letter in _PT_LETTERS):
        pt += 2
    if any(letter in low for letter in _ES_LETTERS):
        es += 2
    if en >= 3 and en >= 3 * max(pt, es):
        code = "en"
    elif pt >= 3 and pt >= 3 * max(en, es):
        code = "pt"
    elif es >= 3 and es >= 3 * max(en, pt):
        code = "es"
    else:
        return None
    return code if allowed is None or code in allowed else None


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
        allowed = frozenset(self.codes)
        #: the pre-pass only where every configured language is one it knows
        self._quick: frozenset[str] | None = allowed if allowed <= set(_QUICK_CODES) else None
        self._reasons = {
            code: (
                (f"language {code} detected",),
                (f"language {code} detected from its function words",),
            )
            for code in self.codes
        }

    def configure(self, settings: Mapping[str, Any]) -> LanguageScorer:
        return LanguageScorer(
            settings.get("languages", self.codes), settings.get("min_distance", self.min_distance)
        )

    def detect(self, text: str) -> tuple[str, bool] | None:
        """The language code of ``text`` and whether the pre-pass decided it, or None (too short, or the
        detector cannot tell)."""
        if "@" in text or "#" in text or "://" in text or "www." in text:
            text = _NOISE.sub(" ", text)
        if len(text.strip()) < _MIN_LETTERS:
            return None
        if self._quick is not None:
            code = quick_language(text, self._quick)
            if code is not None:
                return code, True
        language = self._detector.detect_language_of(text[:_WINDOW])
        if language is None and len(text) > _WINDOW:
            language = self._detector.detect_language_of(text)
        if language is None:
            return None
        return language.iso_code_639_1.name.lower(), False

    def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
        if interaction.language:
            return make_score(
                self.name,
                1.0,
                interaction.language,
                (f"language {interaction.language} given by the channel",),
            )
        found = self.detect(interaction.text)
        if found is None:
            return None
        code, quick = found
        reasons = self._reasons.get(code)
        return make_score(self.name, 1.0, code, reasons[quick] if reasons else (f"language {code} detected",))
