"""scrm-rss: an RSS/Atom feed of customer posts as a polling scrm channel (type ``rss``)."""

from __future__ import annotations

from collections.abc import Callable

from scrm_core import hookimpl
from scrm_core.channels import Channel
from scrm_rss.channel import RssChannel

__all__ = ["RssChannel", "scrm_register_channels"]


@hookimpl
def scrm_register_channels(register: Callable[[str, type[Channel]], None]) -> None:
    register("rss", RssChannel)
