"""Plugin loading and the typed facade over the hooks.

``create_plugin_manager()`` builds a fresh manager (there is no import-time global): it adds the hook
specifications, loads the ``scrm`` entry points one by one (a plugin that fails to import is reported by
name while the others load), registers the built-in default plugins and calls ``check_pending()`` so a
misspelt hook is an error. ``Hooks`` is the only place that touches ``pm.hook``; everything else calls its
typed methods, which isolate each plugin so one failing plugin never stops the others.

Environment switches: ``SCRM_LOAD_PLUGINS=a,b`` loads only those entry-point plugins (empty: none);
``SCRM_TRACE_PLUGINS=1`` logs every hook call with the plugin that answered.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import pluggy
from attrs import frozen

from scrm_core import hookspecs
from scrm_core.channels import Channel
from scrm_core.errors import PluginError
from scrm_core.models import (
    Contact,
    Conversation,
    ConversationUpdate,
    HandOff,
    Identity,
    Interaction,
    Reply,
    RouteDecision,
)
from scrm_core.routing.base import Condition, RoutingStrategy
from scrm_core.scoring.base import Scorer

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "HookFailure",
    "Hooks",
    "LoadFailure",
    "Registered",
    "Registry",
    "create_plugin_manager",
    "manifests",
    "plugin_name",
]

log = logging.getLogger("scrm.plugins")

ENTRY_POINT_GROUP = "scrm"

#: the built-in features, registered through the same hooks as third-party plugins
DEFAULT_PLUGINS = (
    "scrm_core.default_plugins.webhook_channel",
    "scrm_core.default_plugins.scorers",
    "scrm_core.default_plugins.strategies",
    "scrm_core.default_plugins.conditions",
)

T = TypeVar("T")


@frozen
class LoadFailure:
    """A plugin that could not be loaded, and why."""

    plugin: str
    error: str


@frozen
class HookFailure:
    """A plugin whose hook implementation raised; the others went on."""

    plugin: str
    hook: str
    error: BaseException


def _trace_enabled() -> bool:
    return os.environ.get("SCRM_TRACE_PLUGINS", "").lower() not in ("", "0", "false", "no")


def _wanted_from_env() -> set[str] | None:
    raw = os.environ.get("SCRM_LOAD_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def create_plugin_manager(
    *,
    entry_points: bool = True,
    load_plugins: Iterable[str] | None = None,
    disable: Iterable[str] = (),
    defaults: bool = True,
    extra: Sequence[object] = (),
) -> pluggy.PluginManager:
    """A fresh plugin manager with the specs, the entry-point plugins, the built-ins and ``extra`` plugins.

    ``load_plugins`` (or ``SCRM_LOAD_PLUGINS``) restricts which entry-point plugins load; ``disable`` blocks
    names, built-ins included (``scrm_core.default_plugins.scorers``). Import failures are kept on
    ``pm.scrm_load_failures`` (a list of LoadFailure) and logged; they do not stop the other plugins.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    failures: list[LoadFailure] = []
    for name in disable:
        pm.set_blocked(name)
    wanted = set(load_plugins) if load_plugins is not None else _wanted_from_env()
    if entry_points:
        _load_entry_points(pm, wanted, failures)
    if defaults:
        for module_name in DEFAULT_PLUGINS:
            if not pm.is_blocked(module_name):
                pm.register(importlib.import_module(module_name), name=module_name)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    pm.scrm_load_failures = failures  # type: ignore[attr-defined]
    return pm


def _load_entry_points(pm: pluggy.PluginManager, wanted: set[str] | None, failures: list[LoadFailure]) -> None:
    seen: set[str] = set()
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in seen or pm.is_blocked(ep.name) or (wanted is not None and ep.name not in wanted):
            continue
        seen.add(ep.name)
        try:
            plugin = ep.load()
        except Exception as exc:  # an environment error: report it and load the others
            failures.append(LoadFailure(ep.name, f"{type(exc).__name__}: {exc}"))
            log.error("plugin %r failed to load: %s: %s", ep.name, type(exc).__name__, exc)
            continue
        pm.register(plugin, name=ep.name)
        if ep.dist is not None:
            pm.scrm_versions = {**getattr(pm, "scrm_versions", {}), ep.name: ep.dist.version}  # type: ignore[attr-defined]


def plugin_name(pm: pluggy.PluginManager, plugin: object) -> str:
    return pm.get_name(plugin) or repr(plugin)


@frozen
class Registered(Generic[T]):
    """Something a plugin registered, and which plugin did."""

    value: T
    plugin: str


class Registry:
    """What the plugins registered through the ``scrm_register_*`` hooks, each entry with its plugin's name."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.channels: dict[str, Registered[type[Channel]]] = {}
        self.scorers: dict[str, Registered[Scorer]] = {}
        self.strategies: dict[str, Registered[RoutingStrategy]] = {}
        self.conditions: dict[str, Registered[Condition]] = {}
        self.config_sections: dict[str, Registered[Mapping[str, Any]]] = {}
        self._collect(pm, "scrm_register_channels", self._add_channel)
        self._collect(pm, "scrm_register_scorers", self._add_scorer)
        self._collect(pm, "scrm_register_strategies", self._named(self.strategies, "strategy", RoutingStrategy))
        self._collect(pm, "scrm_register_conditions", self._named(self.conditions, "condition", Condition))
        self._collect(pm, "scrm_register_config_sections", self._named(self.config_sections, "config section"))

    @staticmethod
    def _collect(pm: pluggy.PluginManager, hook: str, add: Callable[..., None]) -> None:
        # call each implementation separately, so each registration is recorded under its own plugin
        for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
            def register(*args: Any, _plugin: str = impl.plugin_name) -> None:
                add(_plugin, *args)
            impl.function(register=register)

    @staticmethod
    def _claim(table: dict[str, Registered[Any]], kind: str, name: str, value: Any, plugin: str) -> None:
        if not isinstance(name, str) or not name:
            raise PluginError(f"plugin {plugin!r} registered a {kind} without a name", plugin=plugin)
        if name in table:
            other = table[name].plugin
            raise PluginError(
                f"{kind} {name!r} is registered by both {other!r} and {plugin!r}; disable one of them",
                plugin=plugin, other=other,
            )
        table[name] = Registered(value, plugin)

    def _add_channel(self, plugin: str, name: str, cls: type[Channel]) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Channel)):
            raise PluginError(f"plugin {plugin!r} registered channel {name!r} that is not a Channel subclass",
                              plugin=plugin)
        self._claim(self.channels, "channel", name, cls, plugin)

    def _add_scorer(self, plugin: str, scorer: Scorer) -> None:
        if not isinstance(scorer, Scorer):
            raise PluginError(f"plugin {plugin!r} registered a scorer without name/languages/requires/score: "
                              f"{scorer!r}", plugin=plugin)
        self._claim(self.scorers, "scorer", scorer.name, scorer, plugin)

    def _named(self, table: dict[str, Registered[Any]], kind: str,
               protocol: type | None = None) -> Callable[..., None]:
        def add(plugin: str, name: str, value: Any) -> None:
            if protocol is not None and not isinstance(value, protocol):
                raise PluginError(f"plugin {plugin!r} registered {kind} {name!r} that does not follow "
                                  f"{protocol.__name__}", plugin=plugin)
            self._claim(table, kind, name, value, plugin)
        return add


class Hooks:
    """Typed, isolated calls into the plugins' hook implementations."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self._trace = _trace_enabled()

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # pluggy calls the last registered (and tryfirst) implementations first
        return list(reversed(getattr(self.pm.hook, hook).get_hookimpls()))

    def _call_each(self, hook: str, **kwargs: Any) -> list[HookFailure]:
        failures: list[HookFailure] = []
        for impl in self._impls(hook):
            try:
                result = impl.function(**{k: kwargs[k] for k in impl.argnames})
            except Exception as exc:
                failures.append(HookFailure(impl.plugin_name, hook, exc))
                log.error("plugin %r failed in %s: %s: %s", impl.plugin_name, hook, type(exc).__name__, exc)
                continue
            if self._trace:
                log.warning("trace: %s by %r -> %r", hook, impl.plugin_name, result)
        return failures

    def resolve_identity(self, identity: Identity) -> Contact | None:
        for impl in self._impls("scrm_resolve_identity"):
            try:
                contact = impl.function(identity=identity)
            except Exception as exc:
                log.error("plugin %r failed in scrm_resolve_identity: %s: %s",
                          impl.plugin_name, type(exc).__name__, exc)
                continue
            if self._trace:
                log.warning("trace: scrm_resolve_identity by %r -> %r", impl.plugin_name, contact)
            if contact is not None:
                if not isinstance(contact, Contact):
                    log.error("plugin %r returned %r from scrm_resolve_identity, not a Contact; ignored",
                              impl.plugin_name, type(contact).__name__)
                    continue
                return contact
        return None

    def deliver(self, update: ConversationUpdate) -> list[HookFailure]:
        return self._call_each("scrm_deliver", update=update)

    def interaction_received(self, interaction: Interaction) -> None:
        self._call_each("scrm_interaction_received", interaction=interaction)

    def interaction_routed(self, interaction: Interaction, conversation: Conversation,
                           decision: RouteDecision) -> None:
        self._call_each("scrm_interaction_routed", interaction=interaction, conversation=conversation,
                        decision=decision)

    def handoff_changed(self, handoff: HandOff, previous: HandOff | None, actor: str | None) -> None:
        self._call_each("scrm_handoff_changed", handoff=handoff, previous=previous, actor=actor)

    def reply_sent(self, reply: Reply) -> None:
        self._call_each("scrm_reply_sent", reply=reply)

    def startup(self, engine: Any) -> list[HookFailure]:
        return self._call_each("scrm_startup", engine=engine)

    def shutdown(self, engine: Any) -> list[HookFailure]:
        return self._call_each("scrm_shutdown", engine=engine)

    def has_implementations(self, hook: str) -> bool:
        return bool(getattr(self.pm.hook, hook).get_hookimpls())


def manifests(pm: pluggy.PluginManager, registry: Registry) -> list[dict[str, Any]]:
    """One document per loaded plugin, following ``schemas/plugin-manifest.schema.json``."""
    versions: dict[str, str] = getattr(pm, "scrm_versions", {})
    core_version = importlib.metadata.version("scrm-core")
    result = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda pair: pair[0]):
        if plugin is None:
            continue
        builtin = name in DEFAULT_PLUGINS

        def owned(table: Mapping[str, Registered[Any]], _name: str = name) -> list[str]:
            return sorted(key for key, entry in table.items() if entry.plugin == _name)

        result.append({
            "name": name,
            "version": core_version if builtin else versions.get(name),
            "builtin": builtin,
            "hooks": sorted(caller.name for caller in pm.get_hookcallers(plugin) or []),
            "channels": owned(registry.channels),
            "scorers": owned(registry.scorers),
            "strategies": owned(registry.strategies),
            "conditions": owned(registry.conditions),
            "config_sections": owned(registry.config_sections),
        })
    return result
