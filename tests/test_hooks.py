"""The registration and lifecycle hooks not covered by the pipeline tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from scrm_core import hookimpl
from scrm_core.config import Config
from scrm_core.engine import Engine
from scrm_core.errors import ConfigError, PluginError
from scrm_core.models import HandOff
from scrm_core.plugins import Registry, create_plugin_manager
from scrm_core.routing.base import AssignmentRequest, RoutingInput
from scrm_core.validation import check_config


class Loyalty:
    """A plugin with its own config section."""

    @hookimpl
    def scrm_register_config_sections(self, register: Callable[[str, Mapping[str, Any]], None]) -> None:
        register("loyalty", {"type": "object", "required": ["tiers"], "additionalProperties": False,
                             "properties": {"tiers": {"type": "array", "items": {"type": "string"}}}})


def test_a_plugin_section_is_validated_against_the_schema_it_registered() -> None:
    registry = Registry(create_plugin_manager(entry_points=False, extra=[Loyalty()]))
    good = Config.from_mapping({"plugins": {"loyalty": {"tiers": ["gold"]}}})
    assert check_config(good, registry) == []
    bad = Config.from_mapping({"plugins": {"loyalty": {"tiers": "gold"}, "nobody": {}}})
    problems = {(p.path, p.message) for p in check_config(bad, registry)}
    assert ("plugins.loyalty.tiers", "'gold' is not of type 'array'") in problems
    assert ("plugins.nobody", "no installed plugin registered this section") in problems


class Pick:
    def assign(self, request: AssignmentRequest) -> str | None:
        return None


class Always:
    def compile(self, argument: Any) -> Callable[[RoutingInput], bool]:
        return lambda routing_input: bool(argument)


def test_strategies_and_conditions_register_and_duplicates_are_refused() -> None:
    class Extra:
        @hookimpl
        def scrm_register_strategies(self, register: Callable[[str, object], None]) -> None:
            register("pick_none", Pick())

        @hookimpl
        def scrm_register_conditions(self, register: Callable[[str, object], None]) -> None:
            register("always", Always())

    registry = Registry(create_plugin_manager(entry_points=False, extra=[Extra()]))
    assert isinstance(registry.strategies["pick_none"].value, Pick)
    condition = registry.conditions["always"].value
    assert isinstance(condition, Always)
    assert registry.conditions["always"].plugin == registry.strategies["pick_none"].plugin

    class Clash:
        @hookimpl
        def scrm_register_strategies(self, register: Callable[[str, object], None]) -> None:
            register("pick_none", Pick())

    pm = create_plugin_manager(entry_points=False, extra=[Extra()])
    pm.register(Clash(), name="clash")
    with pytest.raises(PluginError, match="'pick_none' is registered by both"):
        Registry(pm)

    class NotAStrategy:
        @hookimpl
        def scrm_register_strategies(self, register: Callable[[str, object], None]) -> None:
            register("odd", object())

    with pytest.raises(PluginError, match="does not follow RoutingStrategy"):
        Registry(create_plugin_manager(entry_points=False, extra=[NotAStrategy()]))


async def test_startup_shutdown_and_handoff_changed_reach_plugins(make_engine: Callable[..., Engine]) -> None:
    seen: list[str] = []

    class Observer:
        @hookimpl
        def scrm_startup(self, engine: Engine) -> None:
            seen.append(f"startup {sorted(engine.channels)}")

        @hookimpl
        def scrm_shutdown(self, engine: Engine) -> None:
            seen.append("shutdown")

        @hookimpl
        def scrm_handoff_changed(self, handoff: HandOff, previous: HandOff | None, actor: str | None) -> None:
            seen.append(f"handoff {handoff.status.value} from {previous.status.value if previous else None} by {actor}")

    class FailingStartup:
        @hookimpl
        def scrm_startup(self, engine: Engine) -> None:
            raise RuntimeError("cannot warm cache")

    from tests.test_pipeline import item

    async with make_engine(extra_plugins=(Observer(), FailingStartup())) as engine:
        [result] = engine.ingest([item("1")])
        assert result.conversation is not None
        handoff = engine.hand_off(result.conversation.id, "finance", "approve refund", actor="ana")
        engine.update_hand_off(handoff.id, status="done", actor="bruno")
    assert seen == ["startup ['x']", "handoff open from None by ana", "handoff done from open by bruno", "shutdown"]


def test_a_config_error_names_the_source(make_engine: Callable[..., Engine]) -> None:
    with pytest.raises(ConfigError, match="<mapping> has 1 problem"):
        make_engine({"channels": {"x": {"type": "nope"}}})
