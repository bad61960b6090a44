"""``make_score``: a Score built without re-running the model's validators and converters.

The built-in scorers make one Score each per interaction, from values they have just computed and whose types
they know (``str`` name and label, ``float`` value, a tuple of ``str`` reasons). Going through ``Score(...)``
re-checks all of that on every interaction, and in the scoring hot path it cost about as much as the
keyword matching. Third-party scorers keep using ``Score(...)``; ``tests/scoring`` checks that every score
the built-ins make on the demo data is one ``Score(...)`` accepts and equals.
"""

from __future__ import annotations

import attrs

from scrm_core.models import Score

__all__ = ["make_score"]

_new = object.__new__
_set = object.__setattr__

# fail at import, not with a half-built Score, if the model's fields ever change
if tuple(a.name for a in attrs.fields(Score)) != ("name", "value", "confidence", "label", "reasons"):
    raise ImportError("scrm_core.models.Score changed its fields: update scrm_core.scoring._make.make_score")


def make_score(name: str, value: float, label: str | None, reasons: tuple[str, ...]) -> Score:
    """The same Score as ``Score(name=name, value=value, label=label, reasons=reasons)`` (confidence 1.0),
    for callers that pass a non-empty ``str`` name, a ``float`` value and a tuple of ``str``."""
    score: Score = _new(Score)
    _set(score, "name", name)
    _set(score, "value", value)
    _set(score, "confidence", 1.0)
    _set(score, "label", label)
    _set(score, "reasons", reasons)
    return score
