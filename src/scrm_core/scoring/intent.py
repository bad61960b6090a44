"""The ``intent`` scorer: what the author wants, from multilingual keyword sets (one automaton) and
optional patterns (RE2, linear time) that a deployment extends in ``[scoring.intent]``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import re2

from scrm_core.models import Interaction, Score
from scrm_core.scoring._make import make_score
from scrm_core.scoring.base import ScoringContext
from scrm_core.scoring.keywords import KeywordAutomaton
from scrm_core.scoring.text import fold

__all__ = ["DEFAULT_KEYWORDS", "INTENTS", "IntentScorer", "intents_of"]

#: most pressing first: the first matched intent in this order is the Score's label
INTENTS = ("urgent_safety", "opt_out", "churn_risk", "complaint", "purchase_interest", "question", "praise")

#: en / pt / es, written without accents (text is folded before matching)
DEFAULT_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "urgent_safety": (
        "fire",
        "smoke",
        "explode",
        "exploded",
        "injured",
        "injury",
        "hospital",
        "emergency",
        "danger",
        "dangerous",
        "unsafe",
        "burned",
        "electric shock",
        "suicide",
        "kill myself",
        "threat",
        "poisoned",
        "fogo",
        "fumaca",
        "explodiu",
        "ferido",
        "ferida",
        "hospital",
        "emergencia",
        "perigo",
        "perigoso",
        "queimou",
        "choque eletrico",
        "ameaca",
        "intoxicado",
        "incendio",
        "explosion",
        "herido",
        "peligro",
    ),
    "opt_out": (
        "unsubscribe",
        "stop messaging",
        "stop contacting",
        "remove me",
        "opt out",
        "opt-out",
        "do not contact",
        "leave me alone",
        "descadastrar",
        "descadastre",
        "parem de me mandar",
        "nao me contate",
        "me tire da lista",
        "sair da lista",
        "cancelar inscricao",
        "darme de baja",
        "no me contacten",
    ),
    "churn_risk": (
        "cancel my",
        "cancelling",
        "canceling",
        "switch to",
        "switching to",
        "close my account",
        "leaving",
        "never again",
        "last time i buy",
        "cancelar minha",
        "cancelar meu",
        "vou cancelar",
        "mudar para",
        "trocar de operadora",
        "encerrar minha conta",
        "nunca mais",
        "portabilidade",
        "me voy a",
        "dar de baja",
    ),
    "complaint": (
        "refund",
        "broken",
        "terrible",
        "worst",
        "awful",
        "not working",
        "doesn't work",
        "does not work",
        "never arrived",
        "still waiting",
        "disappointed",
        "scam",
        "charged twice",
        "overcharged",
        "complaint",
        "useless",
        "nobody came",
        "no one came",
        "nobody showed up",
        "ninguem veio",
        "reembolso",
        "estorno",
        "quebrado",
        "quebrou",
        "pessimo",
        "pessima",
        "horrivel",
        "nao funciona",
        "nao chegou",
        "ainda esperando",
        "decepcionado",
        "golpe",
        "cobrado duas vezes",
        "reclamacao",
        "absurdo",
        "descaso",
        "dinheiro de volta",
        "money back",
        "roto",
        "no funciona",
        "queja",
    ),
    "purchase_interest": (
        "how much",
        "price",
        "pricing",
        "buy",
        "purchase",
        "quote",
        "discount",
        "available in",
        "in stock",
        "upgrade",
        "plan for",
        "quanto custa",
        "preco",
        "comprar",
        "orcamento",
        "desconto",
        "tem em estoque",
        "quero contratar",
        "plano",
        "cuanto cuesta",
        "precio",
        "quiero comprar",
    ),
    "question": (
        "how do i",
        "how can i",
        "where is",
        "when will",
        "what is",
        "can you",
        "is there",
        "help me",
        "como faco",
        "como posso",
        "onde fica",
        "quando vai",
        "qual e",
        "voces podem",
        "alguem pode",
        "me ajuda",
        "ajuda",
        "duvida",
        "como puedo",
        "donde esta",
        "ayuda",
    ),
    "praise": (
        "thank you",
        "thanks",
        "love",
        "awesome",
        "amazing",
        "great service",
        "excellent",
        "well done",
        "obrigado",
        "obrigada",
        "adorei",
        "amei",
        "otimo",
        "excelente",
        "parabens",
        "maravilhoso",
        "gracias",
        "excelente servicio",
    ),
}


def intents_of(score: Score | None) -> frozenset[str]:
    """Every intent an ``intent`` Score matched (its reasons read ``intent:<name> matched '<keyword>'``)."""
    if score is None:
        return frozenset()
    return frozenset(r[7:].split(" ", 1)[0] for r in score.reasons if r.startswith("intent:"))


def _merge(
    base: Mapping[str, Sequence[str]], extra: Mapping[str, Sequence[str]]
) -> dict[str, tuple[str, ...]]:
    merged = {name: tuple(words) for name, words in base.items()}
    for name, words in extra.items():
        merged[name] = (*merged.get(name, ()), *(str(w) for w in words))
    return merged


class IntentScorer:
    """``label`` is the most pressing matched intent (order of INTENTS, then configured intents), ``value``
    the number of intents matched; every match is a reason. Abstains when nothing matched."""

    name = "intent"
    languages: frozenset[str] | None = None
    requires: tuple[str, ...] = ()

    def __init__(
        self,
        keywords: Mapping[str, Sequence[str]] = DEFAULT_KEYWORDS,
        patterns: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.keywords = dict(keywords)
        self.patterns = {name: tuple(p) for name, p in (patterns or {}).items()}
        self._order = {
            name: i for i, name in enumerate((*INTENTS, *sorted(set(keywords) | set(self.patterns))))
        }
        self._automaton: KeywordAutomaton[str] = KeywordAutomaton(self.keywords)
        self._pattern_owners: list[tuple[str, str]] = []
        self._set: Any = None
        if self.patterns:
            options = re2.Options()
            options.log_errors = False
            self._set = re2.Set.SearchSet(options)
            for name, items in self.patterns.items():
                for pattern in items:
                    try:
                        self._set.Add(pattern)
                    except re2.error:
                        raise ValueError(
                            f"intent {name!r}: pattern {pattern!r} is not a valid RE2 expression"
                        ) from None
                    self._pattern_owners.append((name, pattern))
            self._set.Compile()

    def configure(self, settings: Mapping[str, Any]) -> IntentScorer:
        keywords = _merge(DEFAULT_KEYWORDS, settings.get("keywords", {}))
        return IntentScorer(keywords, settings.get("patterns"))

    def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
        folded = fold(interaction.text)
        found: dict[str, str] = {}
        for name, word in self._automaton.matches(folded, folded=True):
            found.setdefault(name, f"intent:{name} matched {word!r}")
        if self._set is not None:
            for index in self._set.Match(folded) or ():
                name, pattern = self._pattern_owners[index]
                found.setdefault(name, f"intent:{name} matched pattern {pattern!r}")
        if not found:
            return None
        ranked = sorted(found, key=self._order.__getitem__)
        return make_score(self.name, float(len(ranked)), ranked[0], tuple(found[name] for name in ranked))
