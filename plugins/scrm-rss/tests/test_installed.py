"""First things first: the distribution is installed and scrm discovers its channel type."""

from __future__ import annotations

import importlib.metadata

from scrm_rss import RssChannel

from scrm_core.plugins import Registry, create_plugin_manager


def test_installed_and_discovered() -> None:
    (entry_point,) = importlib.metadata.entry_points(group="scrm", name="rss")
    assert entry_point.value == "scrm_rss"
    registry = Registry(create_plugin_manager(load_plugins=["rss"]))
    assert registry.channels["rss"].value is RssChannel
    assert registry.channels["rss"].plugin == "rss"
