"""Shared fixtures: an engine with the built-in webhook channel, wired to the kit's fake of its platform."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from scrm_core.asgi import create_app
from scrm_core.config import Config
from scrm_core.engine import Engine
from scrm_core.fakes.webhook import WebhookPlatformFake
from scrm_core.http import create_client
from scrm_core.plugins import create_plugin_manager
from scrm_core.store import SQLiteStore
from tests.support import ENVIRON, TOKEN, Clock, channel_section


@pytest.fixture
def platform() -> WebhookPlatformFake:
    return WebhookPlatformFake(token=TOKEN)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_engine(tmp_path: Path, platform: WebhookPlatformFake, clock: Clock) -> Callable[..., Engine]:
    def build(document: dict[str, Any] | None = None, *, extra_plugins: tuple[object, ...] = (),
              store: SQLiteStore | None = None) -> Engine:
        document = document if document is not None else {"channels": {"x": channel_section()}}
        config = Config.from_mapping(document, environ=ENVIRON, base_dir=tmp_path)
        pm = create_plugin_manager(entry_points=False, extra=extra_plugins)
        return Engine(config, plugin_manager=pm, store=store or SQLiteStore(tmp_path / "scrm.sqlite3"),
                      http=create_client(transport=platform.transport()), clock=clock)
    return build


@pytest.fixture
async def engine(make_engine: Callable[..., Engine]) -> AsyncIterator[Engine]:
    async with make_engine() as started:
        yield started


@pytest.fixture
async def web(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(engine)),
                                 base_url="http://scrm.test") as client:
        yield client
