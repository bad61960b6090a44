"""A deliberately broken connector fails the conformance suite with a message naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrm_core.testing import ConformanceFailure
from tests.testing import broken_connectors
from tests.testing import test_webhook_conformance as webhook_suite

pytest_plugins = ["pytester"]


def suite_for(channel_type: str) -> webhook_suite.TestWebhookChannelConformance:
    cls = type(f"Broken_{channel_type}", (webhook_suite.TestWebhookChannelConformance,),
               {"channel_type": channel_type, "extra_plugins": (broken_connectors,)})
    return cls()


def test_a_connector_that_double_stores_fails(tmp_path: Path) -> None:
    suite = suite_for("broken_double_store")
    with pytest.raises(ConformanceFailure, match=r"channel stored the same event twice: parse\(\) must "
                                                  "return "
                                                 r"stable external_id values for re-delivered events"):
        suite.run(suite.check_redelivery_stored_once(tmp_path))


def test_a_connector_that_skips_signature_checks_fails(tmp_path: Path) -> None:
    suite = suite_for("broken_unsigned")
    with pytest.raises(ConformanceFailure, match=r"a request with a bad signature \(signed with the wrong "
                                                 r"secret\) was accepted: verify\(\) must raise "
                                                  "SignatureError"):
        suite.run(suite.check_bad_signature_refused(tmp_path))


def test_a_connector_that_logs_its_token_fails(tmp_path: Path) -> None:
    suite = suite_for("broken_token_logger")
    with pytest.raises(ConformanceFailure, match=r"the secret value of 'token' appeared in a log record from "
                                                 r"logger 'scrm_broken' .*never log secrets") as caught:
        suite.run(suite.check_no_secret_leaks(tmp_path))
    assert suite.secrets["token"] not in str(caught.value), "the failure message must not repeat the secret"


def test_a_connector_that_ignores_rate_limits_fails(tmp_path: Path) -> None:
    suite = suite_for("broken_rate_limits")
    with pytest.raises(ConformanceFailure, match=r"a request reached the fake \d+ s before the "
                                                  "rate-limit reset: "
                                                 r"honour Retry-After / x-rate-limit-reset by raising "
                                                 r"RateLimited\(retry_after=\.\.\.\)"):
        suite.run(suite.check_poll_rate_limit_honoured(tmp_path))
    with pytest.raises(ConformanceFailure, match=r"a request reached the fake \d+ s before the "
                                                  "rate-limit reset"):
        suite.run(suite.check_send_rate_limit_honoured(tmp_path / "send"))


def test_the_whole_suite_reports_each_broken_connector_under_pytest(pytester: pytest.Pytester,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_broken="""
        from tests.testing import broken_connectors
        from tests.testing.test_webhook_conformance import TestWebhookChannelConformance as Base

        class TestDoubleStore(Base):
            channel_type = "broken_double_store"
            extra_plugins = (broken_connectors,)

        class TestUnsigned(Base):
            channel_type = "broken_unsigned"
            extra_plugins = (broken_connectors,)

        class TestTokenLogger(Base):
            channel_type = "broken_token_logger"
            extra_plugins = (broken_connectors,)

        class TestRateLimits(Base):
            channel_type = "broken_rate_limits"
            extra_plugins = (broken_connectors,)
    """)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "-W", "error",
                                           "-k", "not loopback")
    failed = {line.split("::")[1] + "::" + line.split("::")[2].split(" ")[0]
              for line in result.outlines if line.startswith("FAILED")}
    assert failed == {
        "TestDoubleStore::test_redelivered_event_is_stored_once",
        "TestUnsigned::test_bad_signature_is_refused",
        "TestTokenLogger::test_no_secret_in_logs_reprs_or_errors",
        "TestRateLimits::test_poll_honours_rate_limits",
        "TestRateLimits::test_send_honours_rate_limits",
    }, "\n".join(result.outlines)
    assert "channel stored the same event twice" in result.stdout.str()
