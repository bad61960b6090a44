"""Routing: the Router, strategy and condition interfaces and the built-in implementations."""

from scrm_core.routing.base import AssignmentRequest, Condition, Router, RoutingInput, RoutingStrategy

__all__ = ["AssignmentRequest", "Condition", "Router", "RoutingInput", "RoutingStrategy"]
