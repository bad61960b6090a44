"""The built-in routing strategies, registered through the same hook as any third-party strategy."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from scrm_core import hookimpl
from scrm_core.routing.base import RoutingStrategy
from scrm_core.routing.strategies import builtin_strategies


@hookimpl
def scrm_register_strategies(register: Callable[[str, RoutingStrategy], None]) -> None:
    for name, strategy in builtin_strategies().items():
        register(name, cast(RoutingStrategy, strategy))
