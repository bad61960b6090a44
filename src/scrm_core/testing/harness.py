"""A real engine wired to a fake platform: the plumbing behind the fixtures and the conformance suite.

    async with ScrmHarness.build({"channels": {...}}, fake=MyFake(), store_path=tmp_path / "s.sqlite3",
                                 environ={"MY_TOKEN": "t0ken"}) as h:
        response = await h.webhook("support", body, headers=sign_webhook("whsec_...", body))
        await h.engine.poll()
        h.clock.advance(60)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import pluggy

from scrm_core.asgi import create_app
from scrm_core.config import Config
from scrm_core.engine import Engine
from scrm_core.fakes import FakePlatform
from scrm_core.fakes.webhook import sign_webhook
from scrm_core.http import create_client
from scrm_core.models import Interaction
from scrm_core.plugins import create_plugin_manager
from scrm_core.store import SQLiteStore

__all__ = ["ManualClock", "ScrmHarness", "sign_webhook", "stored_interactions"]


class ManualClock:
    """A clock that moves only when told: ``Engine(clock=...)`` and ``FakePlatform(clock=...)`` share one,
    so "no request before the reset" is checked without sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class ScrmHarness:
    """An Engine on a SQLite file, its HTTP client bound to a fake platform (in-process, or a loopback URL
    through a real client), and the webhook ASGI app in front of it."""

    def __init__(self, engine: Engine, *, store: SQLiteStore, http: httpx.AsyncClient, clock: ManualClock,
                 fake: FakePlatform | None) -> None:
        self.engine = engine
        self.store = store
        self.http = http
        self.clock = clock
        self.fake = fake
        self.app = create_app(engine)
        self._webhook_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                                 base_url="http://scrm.test")

    @classmethod
    def build(
        cls, document: Mapping[str, Any], *, store_path: Path | str, fake: FakePlatform | None = None,
        environ: Mapping[str, str] | None = None, clock: ManualClock | None = None,
        plugin_manager: pluggy.PluginManager | None = None, extra_plugins: Sequence[object] = (),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> ScrmHarness:
        """Build the engine from a config ``document``; ``transport`` overrides the fake's in-process one
        (pass None with a loopback ``base_url`` in the config to use a real connection)."""
        clock = clock or ManualClock()
        if fake is not None:
            fake.clock = clock
        config = Config.from_mapping(document, environ=dict(environ or {}))
        pm = plugin_manager or create_plugin_manager(load_plugins=config.load_plugins, extra=extra_plugins)
        Path(store_path).parent.mkdir(parents=True, exist_ok=True)
        store = SQLiteStore(store_path)
        if transport is None and fake is not None and not fake.loopback:
            transport = fake.transport()
        http = create_client(transport=transport)
        try:
            engine = Engine(config, plugin_manager=pm, store=store, http=http, clock=clock)
        except BaseException:
            store.close()
            raise
        return cls(engine, store=store, http=http, clock=clock, fake=fake)

    async def webhook(self, channel: str, body: bytes, headers: Mapping[str, str] | None = None, *,
                      method: str = "POST", query: Mapping[str, str] | None = None) -> httpx.Response:
        """Send a webhook request through the real ASGI app, as a platform would."""
        return await self._webhook_client.request(method, f"/webhooks/{channel}", content=body,
                                                  headers=dict(headers or {}), params=dict(query or {}))

    async def aclose(self) -> None:
        await self.engine.aclose()
        await self._webhook_client.aclose()
        await self.http.aclose()
        self.store.close()

    async def __aenter__(self) -> ScrmHarness:
        self.engine.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


def stored_interactions(store: SQLiteStore, channel: str) -> list[Interaction]:
    """Every stored interaction on ``channel``, through the store's public interface."""
    found: list[Interaction] = []
    for conversation in store.list_conversations(status=None, limit=1_000_000):
        if conversation.channel == channel:
            found += [s.interaction for s in store.interactions_of(conversation.id)]
    return found
