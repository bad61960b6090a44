"""scrm's test kit for plugin authors: a pytest plugin, opted into (it is never auto-loaded) with

    pytest_plugins = ["scrm_core.testing"]

Fixtures: ``scrm_plugin_manager`` (a fresh manager per test), ``scrm_clock`` (a ManualClock),
``scrm_store`` (SQLite in tmp_path), ``scrm_engine_factory`` (an engine on a config mapping and a fake, as an
async context manager), ``scrm_loopback`` (serve an ASGI app or a fake on a free loopback port).
Helpers: ``sign_webhook``, the fake-platform toolkit (``FakePlatform``, ``Fault``, ``bearer``...) and the
conformance suite (``ChannelConformance``). docs/testing-kit.md is the reference.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pluggy
import pytest

from scrm_core.fakes import (
    CursorPage,
    Effect,
    EffectLedger,
    FakePlatform,
    Fault,
    FaultQueue,
    RecordedRequest,
    bearer,
    cursor_page,
    hmac_signature,
    serve_loopback,
)
from scrm_core.plugins import create_plugin_manager
from scrm_core.store import SQLiteStore
from scrm_core.testing.conformance import ChannelConformance, ConformanceFailure
from scrm_core.testing.harness import ManualClock, ScrmHarness, sign_webhook, stored_interactions
from scrm_core.testing.leaks import LeakWatch

__all__ = [
    "ChannelConformance",
    "ConformanceFailure",
    "CursorPage",
    "Effect",
    "EffectLedger",
    "EngineFactory",
    "FakePlatform",
    "Fault",
    "FaultQueue",
    "LeakWatch",
    "ManualClock",
    "RecordedRequest",
    "ScrmHarness",
    "bearer",
    "cursor_page",
    "hmac_signature",
    "scrm_clock",
    "scrm_engine_factory",
    "scrm_loopback",
    "scrm_plugin_manager",
    "scrm_store",
    "serve_loopback",
    "sign_webhook",
    "stored_interactions",
]


class EngineFactory(Protocol):
    """``scrm_engine_factory(document, fake=None, environ=None, extra_plugins=(), store="scrm.sqlite3")``."""

    def __call__(self, document: Mapping[str, Any], *, fake: FakePlatform | None = None,
                 environ: Mapping[str, str] | None = None, extra_plugins: Sequence[object] = (),
                 store: str = "scrm.sqlite3") -> ScrmHarness: ...


@pytest.fixture
def scrm_plugin_manager() -> pluggy.PluginManager:
    """A fresh plugin manager: the installed entry-point plugins and the built-ins, nothing shared."""
    return create_plugin_manager()


@pytest.fixture
def scrm_clock() -> ManualClock:
    """A clock that moves only with ``advance(seconds)``; hand it to engines and fakes."""
    return ManualClock()


@pytest.fixture
def scrm_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """A SQLite store in the test's temporary folder, closed afterwards."""
    store = SQLiteStore(tmp_path / "scrm-store.sqlite3")
    yield store
    store.close()


@pytest.fixture
def scrm_engine_factory(tmp_path: Path, scrm_clock: ManualClock) -> Iterator[EngineFactory]:
    """Build engines on a config mapping, bound to a fake (in-process, or over loopback when the fake is being
    served). Use the result as ``async with scrm_engine_factory(doc, fake=fake) as h:``; ``h.engine``,
    ``h.webhook(...)``, ``h.clock``, ``h.store``."""
    built: list[ScrmHarness] = []

    def factory(document: Mapping[str, Any], *, fake: FakePlatform | None = None,
                environ: Mapping[str, str] | None = None, extra_plugins: Sequence[object] = (),
                store: str = "scrm.sqlite3") -> ScrmHarness:
        harness = ScrmHarness.build(document, store_path=tmp_path / store, fake=fake, environ=environ,
                                    clock=scrm_clock, extra_plugins=extra_plugins)
        built.append(harness)
        return harness

    yield factory
    for harness in built:  # a harness left open still releases its database
        harness.store.close()


@pytest.fixture
def scrm_loopback() -> Iterator[Callable[[Any], str]]:
    """``url = scrm_loopback(app_or_fake)``: serve it on a free loopback port until the test ends."""
    with contextlib.ExitStack() as stack:

        def serve(target: Any) -> str:
            if isinstance(target, FakePlatform):
                return stack.enter_context(target.serve())
            return stack.enter_context(serve_loopback(target))

        yield serve
