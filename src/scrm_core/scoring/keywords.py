"""A keyword automaton (Aho-Corasick) over folded text that matches whole words and phrases only.

Built once from every keyword of every intent (or routing rule); one pass over a text finds all of them, so
the cost of matching does not grow with the number of keywords.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

import ahocorasick

from scrm_core.scoring.text import fold, is_word_char

__all__ = ["KeywordAutomaton"]

K = TypeVar("K", bound=Hashable)


class KeywordAutomaton(Generic[K]):
    """Maps keywords to owners (intents, words); ``matches(text)`` yields (owner, keyword) pairs."""

    def __init__(self, keywords: Mapping[K, Iterable[str]]) -> None:
        owners: dict[str, list[K]] = {}
        for owner, words in keywords.items():
            for word in words:
                folded = fold(word).strip()
                if folded:
                    owners.setdefault(folded, []).append(owner)
        self._automaton = ahocorasick.Automaton()
        for word, word_owners in owners.items():
            self._automaton.add_word(word, (word, tuple(word_owners)))
        self._empty = not owners
        if not self._empty:
            self._automaton.make_automaton()

    def matches(self, text: str, *, folded: bool = False) -> list[tuple[K, str]]:
        """Every (owner, keyword) whose keyword occurs in ``text`` as a whole word or phrase."""
        return [(owner, word) for _, _, owner, word in self.spans(text if folded else fold(text))]

    def spans(self, folded: str) -> list[tuple[int, int, K, str]]:
        """Every (start, end, owner, keyword) whose keyword occurs in the already folded text as a whole word
        or phrase; ``folded[start:end]`` is the keyword."""
        if self._empty:
            return []
        found: list[tuple[int, int, K, str]] = []
        last = len(folded) - 1
        for end, (word, owners) in self._automaton.iter(folded):
            start = end - len(word) + 1
            if (start > 0 and is_word_char(folded[start - 1])) or (end < last and is_word_char(folded[end + 1])):
                continue
            found.extend((start, end + 1, owner, word) for owner in owners)
        return found
