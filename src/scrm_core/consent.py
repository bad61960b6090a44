"""Consent: scrm engages only people who addressed the brand, and never anyone who asked it to stop.

A message that *is* an opt-out request ("STOP", "pare", "unsubscribe"...) records an opt-out for its author on
that channel; an opt-in phrase ("START", "voltar") clears it. Only a whole message counts, after dropping
@mentions, punctuation and emoji, so "don't stop the service!" is never read as an opt-out.
Erased people (right to erasure) are suppressed: their later interactions are not stored or passed to any
plugin until they are explicitly allowed again. Consent is keyed by a hash of channel and platform id, so
the record itself holds nothing readable.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from scrm_core.models import Interaction
from scrm_core.store.base import subject_hash

__all__ = ["DEFAULT_OPT_IN", "DEFAULT_OPT_OUT", "ConsentPolicy", "ConsentState"]


class ConsentState(enum.StrEnum):
    OPTED_OUT = "opted_out"
    ERASED = "erased"


# "cancel"/"cancelar" are left out on purpose: on social channels a bare "cancelar" means "cancel my
# contract" (a churn risk for retention to answer), not "never contact me".
DEFAULT_OPT_OUT = (
    "stop", "stop all", "stopall", "unsubscribe", "quit", "opt out", "optout", "stop messaging me",
    "pare", "parar", "sair", "descadastrar", "nao quero mais mensagens", "pare de me mandar mensagens",
)
DEFAULT_OPT_IN = ("start", "unstop", "subscribe", "voltar", "iniciar", "quero receber")

_MENTION = re.compile(r"[@#]\w+")
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    text = _MENTION.sub(" ", text.casefold())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()


class ConsentPolicy:
    """Recognises opt-out and opt-in messages; phrases come from ``[consent]`` in the config."""

    def __init__(self, opt_out: Iterable[str] = DEFAULT_OPT_OUT, opt_in: Iterable[str] = DEFAULT_OPT_IN) -> None:
        self._opt_out = frozenset(_normalise(p) for p in opt_out)
        self._opt_in = frozenset(_normalise(p) for p in opt_in)
        phrases = self._opt_out | self._opt_in
        self._longest = max((len(p) for p in phrases), default=0)
        self._most_words = max((p.count(" ") + 1 for p in phrases), default=0)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ConsentPolicy:
        return cls(settings.get("opt_out_phrases", DEFAULT_OPT_OUT), settings.get("opt_in_phrases", DEFAULT_OPT_IN))

    def _phrase(self, text: str) -> str | None:
        # cheap gates first: opt-out messages are short, and most messages are not
        if len(text) > self._longest * 3 + 40 or text.count(" ") > self._most_words * 2 + 4:
            return None
        return _normalise(text)

    def is_opt_out(self, interaction: Interaction) -> bool:
        phrase = self._phrase(interaction.text)
        return phrase is not None and phrase in self._opt_out

    def is_opt_in(self, interaction: Interaction) -> bool:
        phrase = self._phrase(interaction.text)
        return phrase is not None and phrase in self._opt_in

    @staticmethod
    def subject_of(interaction: Interaction) -> str:
        return subject_hash(interaction.channel, interaction.author.platform_id)
