"""The public JSON Schemas: found once, compiled once, used everywhere.

The schemas live in the repository's ``schemas/`` folder and ship inside the wheel as ``scrm_core/_schemas``.
Cross-file ``$ref``s resolve through one ``referencing`` registry, never over the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from scrm_core.errors import ConfigProblem, MalformedPayload

__all__ = ["SCHEMA_NAMES", "iter_problems", "load_schema", "validate", "validator"]

SCHEMA_NAMES = ("config", "conversation-update", "interaction", "plugin-manifest", "routing-rules")


def _schema_dir() -> Path:
    shipped = resources.files("scrm_core") / "_schemas"
    if shipped.is_dir():
        return Path(str(shipped))
    # an editable checkout: src/scrm_core/schemas.py -> <repo>/schemas
    return Path(__file__).resolve().parents[2] / "schemas"


@cache
def _documents() -> Mapping[str, Mapping[str, Any]]:
    folder = _schema_dir()
    return {name: json.loads((folder / f"{name}.schema.json").read_text("utf-8")) for name in SCHEMA_NAMES}


@cache
def _registry() -> Registry[Any]:
    resources_ = []
    for name, doc in _documents().items():
        resource = Resource.from_contents(doc)
        resources_.append((doc["$id"], resource))
        resources_.append((f"{name}.schema.json", resource))
    return Registry().with_resources(resources_)


def load_schema(name: str) -> Mapping[str, Any]:
    """The parsed schema document called ``name`` (e.g. ``"interaction"``)."""
    try:
        return _documents()[name]
    except KeyError:
        raise KeyError(f"no schema {name!r}; there are {', '.join(SCHEMA_NAMES)}") from None


def _inline_local_refs(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with its ``#/$defs/...`` references replaced by their targets: the validator then skips
    reference resolution on every call (a third of validation time). References to other files stay."""
    definitions = schema.get("$defs", {})

    def inline(node: Any, depth: int = 0) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/") and "/" not in ref[8:] and depth < 32:
                return inline({**definitions[ref[8:]], **{k: v for k, v in node.items() if k != "$ref"}},
                              depth + 1)
            return {key: inline(value, depth) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item, depth) for item in node]
        return node

    result: dict[str, Any] = inline(dict(schema))
    return result


@cache
def validator(name: str) -> Draft202012Validator:
    """The compiled validator for schema ``name`` (built once per process)."""
    return Draft202012Validator(_inline_local_refs(load_schema(name)), registry=_registry())


def compile_schema(schema: Mapping[str, Any]) -> Draft202012Validator:
    """Compile a plugin-contributed schema (it may ``$ref`` the public schemas by file name)."""
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry())


def json_path(error: ValidationError, root: str = "$") -> str:
    path = root
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def iter_problems(v: Draft202012Validator, document: Any, prefix: str = "") -> Iterator[ConfigProblem]:
    """Every violation of ``v`` in ``document`` as a ConfigProblem with a dotted path, in document order."""
    for error in sorted(v.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        dotted = ".".join(str(p) for p in error.absolute_path)
        path = ".".join(part for part in (prefix, dotted) if part)
        yield ConfigProblem(path, error.message)


def validate(name: str, document: Any, *, channel: str | None = None, path: str = "$") -> None:
    """Raise MalformedPayload naming the JSON path of the first problem if ``document`` breaks schema ``name``.

    ``path`` is where ``document`` sits inside the request body, so the reported path is the body's."""
    v = validator(name)
    if v.is_valid(document):
        return
    error = next(iter(sorted(v.iter_errors(document), key=lambda e: len(e.absolute_path))), None)
    if error is not None:
        raise MalformedPayload(f"{name} does not match its schema: {error.message}", path=json_path(error, path),
                               channel=channel)
