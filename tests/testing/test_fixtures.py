"""The pytest plugin's fixtures, used the way a plugin author would: opted into from a top-level conftest.py
(the kit is never auto-loaded)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"

AUTHOR_TESTS = """\


from __future__ import annotations

import httpx

from scrm_core.pipeline import Outcome
from scrm_core.testing import EngineFactory, FakePlatform, ManualClock, sign_webhook
from scrm_core.fakes.webhook import WebhookPlatformFake


SECRET = "fixture-test-secret-value"
DOCUMENT = {"channels": {"hooks": {"type": "webhook", "account": "acme", "base_url": "http://fake.test",
                                   "secret_env": "S", "token_env": "T"}}}
ENVIRON = {"S": SECRET, "T": "webhook-fake-token-0001"}


async def test_engine_factory_serves_webhooks_and_polls_the_fake(
        scrm_engine_factory: EngineFactory, scrm_clock: ManualClock) -> None:
    fake = WebhookPlatformFake()
    fake.publish("acme", 2)
    async with scrm_engine_factory(DOCUMENT, fake=fake, environ=ENVIRON) as h:
        body = b'{"interactions": [{"external_id": "e1", "kind": "mention", "text": "hi", ' \\
               b'"author": {"platform_id": "u1"}, "created_at": "2026-11-24T10:00:00Z"}]}'
        response = await h.webhook("hooks", body, sign_webhook(SECRET, body))
        assert response.json()["accepted"] == 1
        report = await h.engine.poll()
        assert [r.outcome for r in report.results] == [Outcome.ACCEPTED, Outcome.ACCEPTED]
        assert h.clock is scrm_clock
        assert fake.requests_to("/interactions")[0].headers["authorization"] == "Bearer webhook-fake-token-0001"


async def test_loopback_serves_a_fake_on_a_real_socket(scrm_loopback: object) -> None:
    fake = WebhookPlatformFake()
    url = scrm_loopback(fake)  # type: ignore[operator]
    async with httpx.AsyncClient(base_url=url) as client:
        refused = await client.get("/interactions", params={"account": "acme"})
    assert refused.status_code == 401
    assert isinstance(fake, FakePlatform) and fake.requests[0].status == 401


def test_plugin_manager_and_store_are_fresh(scrm_plugin_manager: object, scrm_store: object) -> None:
    from scrm_core.plugins import Registry

    assert "webhook" in Registry(scrm_plugin_manager).channels  # type: ignore[arg-type]
    assert scrm_store.counts()["interactions"] == 0  # type: ignore[attr-defined]
"""


def test_fixtures_work_when_opted_in(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makeconftest('pytest_plugins = ["scrm_core.testing"]\n')
    pytester.makepyfile(test_author=AUTHOR_TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_the_kit_is_not_auto_loaded(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_author="def test_store(scrm_store):\n    pass\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'scrm_store' not found*"])
