"""Routing: the Router, strategy and condition interfaces, ``build_router`` and the built-ins."""

from scrm_core.routing.base import AssignmentRequest, Condition, Router, RoutingInput, RoutingStrategy
from scrm_core.routing.build import build_router, check_routing

__all__ = [
    "AssignmentRequest",
    "Condition",
    "Router",
    "RoutingInput",
    "RoutingStrategy",
    "build_router",
    "check_routing",
]
