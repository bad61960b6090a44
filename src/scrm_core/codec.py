"""Models to and from their schema'd JSON documents.

``to_json`` gives plain JSON-ready dicts (RFC 3339 UTC timestamps, enum values); ``from_json`` validates a
document against its public schema first, so a bad document is refused with the JSON path of the problem
before any model is built.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, TypeVar

import cattrs
from cattrs.preconf.json import make_converter

from scrm_core import models, schemas
from scrm_core.errors import MalformedPayload

__all__ = ["format_time", "from_json", "to_json"]

T = TypeVar("T")

_converter = make_converter(omit_if_default=False)


def format_time(value: datetime) -> str:
    return models.utc(value).isoformat().replace("+00:00", "Z")


def _parse_time(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return models.utc(value)
    return models.utc(datetime.fromisoformat(str(value)))


_converter.register_unstructure_hook(datetime, format_time)
_converter.register_unstructure_hook_func(
    lambda t: isinstance(t, type) and issubclass(t, enum.Enum), lambda value: value.value
)
_converter.register_structure_hook(datetime, _parse_time)

# schema that guards each top-level document type
_SCHEMA_OF: dict[type, str] = {
    models.Interaction: "interaction",
    models.ConversationUpdate: "conversation-update",
}


def to_json(model: Any) -> dict[str, Any]:
    """A JSON-ready dict for any scrm model."""
    result: dict[str, Any] = _converter.unstructure(model)
    return result


def from_json(cls: type[T], document: Any, *, channel: str | None = None) -> T:
    """Build ``cls`` from ``document``, validating it against the public schema when ``cls`` has one.

    Raises MalformedPayload (with the JSON path) for anything that is not a valid document.
    """
    schema = _SCHEMA_OF.get(cls)
    if schema is not None:
        schemas.validate(schema, document, channel=channel)
    try:
        return _converter.structure(document, cls)
    except cattrs.BaseValidationError as exc:
        detail = "; ".join(cattrs.transform_error(exc))
        raise MalformedPayload(f"{cls.__name__} is not valid: {detail}", channel=channel) from None
    except (ValueError, TypeError) as exc:
        raise MalformedPayload(f"{cls.__name__} is not valid: {exc}", channel=channel) from None
