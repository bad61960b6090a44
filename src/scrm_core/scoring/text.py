"""Text normalisation shared by the keyword matchers: case-folded, accents removed, built once."""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "is_word_char"]


def _accent_table() -> dict[int, str]:
    # Latin-1 Supplement and Latin Extended-A cover en/pt/es/fr/de; one translate() beats NFKD per call
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if base and base != char:
            table[code] = base.casefold()
    return table


_ACCENTS = _accent_table()
# typographic apostrophes (phones insert them) read as the ASCII one, so "doesn\u2019t" matches "doesn't"
_ACCENTS[0x2019] = "'"
_ACCENTS[0x2018] = "'"


def fold(text: str) -> str:
    """``text`` case-folded with accents removed ("Péssimo" -> "pessimo") and typographic apostrophes made plain,
    so keywords match either way."""
    folded = text.casefold()
    return folded if folded.isascii() else folded.translate(_ACCENTS)


def is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"
