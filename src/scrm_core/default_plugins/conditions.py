"""The built-in rule conditions, registered through the same hook as any third-party condition."""

from __future__ import annotations

from collections.abc import Callable

from scrm_core import hookimpl
from scrm_core.routing.base import Condition
from scrm_core.routing.conditions import builtin_conditions


@hookimpl
def scrm_register_conditions(register: Callable[[str, Condition], None]) -> None:
    for name, condition in builtin_conditions().items():
        register(name, condition)
