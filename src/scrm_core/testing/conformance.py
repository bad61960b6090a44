"""The connector conformance suite: subclass :class:`ChannelConformance`, point it at a channel and its fake,
and pytest runs every check that the channel's capabilities call for.

    from scrm_core.testing import ChannelConformance
    from scrm_rss.fake import RssFake

    class TestRssConformance(ChannelConformance):
        channel_type = "rss"
        entry_point = "rss"
        config = {"account": "forum", "feed_url": "{fake_url}/feed.xml"}
        secrets = {"token": "rss-canary-token-5f1d0c"}
        fake = RssFake

        def publish(self, fake, count):
            fake.add_entries(count)

Each ``test_*`` method runs one ``check_*`` coroutine; a failure is a ConformanceFailure (an AssertionError)
whose message says what the connector must change. Checks that do not apply (webhooks for a polling-only
channel, replies for one that cannot send) are skipped with the reason.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import httpx
import jsonschema
import pytest

from scrm_core.channels import Channel
from scrm_core.errors import ConfigError, PluginError
from scrm_core.fakes import FakePlatform, Fault, serve_loopback
from scrm_core.pipeline import Outcome
from scrm_core.plugins import ENTRY_POINT_GROUP, Registry, create_plugin_manager
from scrm_core.testing._checks_inbound import PollChecks, WebhookChecks
from scrm_core.testing._checks_outbound import ReplyChecks
from scrm_core.testing._suite_base import ConformanceFailure
from scrm_core.testing.harness import ScrmHarness
from scrm_core.testing.leaks import LeakWatch

__all__ = ["ChannelConformance", "ConformanceFailure"]


class _ContractChecks(WebhookChecks, PollChecks, ReplyChecks):
    """Discovery, config, capabilities, secrets and the loopback run."""

    def check_discovered(self) -> None:
        if self.entry_point is None:
            registry = Registry(create_plugin_manager(load_plugins=[], extra=self.extra_plugins))
            if self.channel_type not in registry.channels:
                self.fail(f"channel type {self.channel_type!r} is not registered by the built-in or extra "
                          "plugins: call register() in scrm_register_channels")
            return
        found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP, name=self.entry_point)
        if not found:
            self.fail(f"no entry point {self.entry_point!r} in the {ENTRY_POINT_GROUP!r} group: add "
                      f"[project.entry-points.{ENTRY_POINT_GROUP}] {self.entry_point} = \"<your "
                      "package>\" to "
                      "pyproject.toml and reinstall the distribution")
        pm = create_plugin_manager(load_plugins=[self.entry_point])
        failures = getattr(pm, "scrm_load_failures", [])
        if failures:
            self.fail(f"the plugin failed to load: {failures[0].error}")
        try:
            registered = Registry(pm).channels.get(self.channel_type)
        except PluginError as exc:
            self.fail(f"the plugin's registration was refused: {exc}")
            raise
        if registered is None or registered.plugin != self.entry_point:
            self.fail(f"entry point {self.entry_point!r} loaded but did not register channel type "
                      f"{self.channel_type!r}: implement scrm_register_channels and call "
                      f"register({self.channel_type!r}, YourChannel)")

    def check_config_schema_valid(self, tmp_path: Path) -> None:
        cls = self.channel_class()
        try:
            jsonschema.Draft202012Validator.check_schema(dict(cls.config_schema))
        except jsonschema.SchemaError as exc:
            self.fail(f"config_schema is not a valid JSON Schema: {exc.message} at {list(exc.absolute_path)}")
        if cls.config_schema.get("type") != "object":
            self.fail("config_schema must describe an object (\"type\": \"object\")")
        missing = [s for s in cls.required_secrets if s not in self.secrets]
        if missing:
            self.fail(f"required secret(s) {missing} are not in the conformance class's `secrets`")
        try:
            ScrmHarness.build(self.document(), store_path=tmp_path / "config.sqlite3", environ=self.environ(),
                              plugin_manager=self.plugin_manager()).store.close()
        except ConfigError as exc:
            self.fail(f"the conformance config was refused: {exc}; `config` must be a valid section")

    def check_config_schema_enforced(self, tmp_path: Path) -> None:
        cls = self.channel_class()
        cases = {label: (section, self.secrets) for label, section in self.invalid_configs().items()}
        for secret in cls.required_secrets:
            cases[f"no {secret}_env"] = (self.config, {k: v for k, v in self.secrets.items() if k != secret})
        for label, (section, secrets) in cases.items():
            document = {"channels": {self.channel_name: self.section(settings=section, secrets=secrets)}}
            try:
                refused = tmp_path / "refused.sqlite3"
                ScrmHarness.build(document, store_path=refused, environ=self.environ(secrets),
                                  plugin_manager=self.plugin_manager()).store.close()
            except ConfigError:
                continue
            hint = "tighten config_schema so it refuses this section"
            if "unknown key" in label:
                hint = "set \"additionalProperties\": false in config_schema so a misspelt key is reported"
            self.fail(f"a config section with {label} was accepted: {hint}")

    def check_capabilities_match_methods(self) -> None:
        cls = self.channel_class()
        caps = cls.capabilities
        wanted = {"webhooks": ("verify", "parse"), "polling": ("poll",)}
        if caps.public_reply or caps.private_message:
            wanted["public_reply/private_message"] = ("send",)
        for capability, methods in wanted.items():
            if capability in ("webhooks", "polling") and not getattr(caps, capability):
                continue
            for method in methods:
                if getattr(cls, method) is getattr(Channel, method):
                    self.fail(f"capabilities declare {capability} but {cls.__name__}.{method}() is not "
                              "implemented: implement it or turn the capability off")

    async def check_no_secret_leaks(self, tmp_path: Path) -> None:
        if not self.secrets:
            self.fail_skip("the conformance class gives no `secrets` to plant as canaries")
        short = [name for name, value in self.secrets.items() if len(value) < 12]
        if short:
            self.fail(f"secret(s) {short} are shorter than 12 characters: use distinctive values, they "
                      "are the "
                      "canaries the leak check looks for")
        caps = self.capabilities
        fake = self.new_fake()
        with LeakWatch(self.secrets) as watch:
            async with self.harness(tmp_path, fake=fake) as h:
                channel = h.engine.channel(self.channel_name)
                section = h.engine.config.channels[self.channel_name]
                for label, value in (("repr(channel)", channel), ("channel.settings", channel.settings),
                                     ("channel.secrets", channel.secrets), ("the Config", h.engine.config),
                                     ("the channel's config section", section)):
                    watch.see(label, value)
                if caps.webhooks:
                    await self._leak_webhooks(h, watch)
                if caps.polling and fake is not None:
                    await self._leak_polls(h, fake, watch)
                if (caps.public_reply or caps.private_message) and fake is not None:
                    await self._leak_replies(h, fake, watch)
        problems = watch.problems()
        if problems:
            self.fail(problems[0])

    async def _leak_webhooks(self, h: ScrmHarness, watch: LeakWatch) -> None:
        body = self.need_webhooks()[0]
        cases = [(body, self.sign(body, self.wrong_secrets(self.secrets))),
                 (body + b" ", self.sign(body, self.secrets)),
                 *[(bad, self.sign(bad, self.secrets)) for bad in self.malformed_bodies().values()]]
        for sent, headers in cases:
            response = await h.webhook(self.channel_name, sent, headers)
            watch.see("a webhook refusal's body", response.text)

    async def _leak_polls(self, h: ScrmHarness, fake: FakePlatform, watch: LeakWatch) -> None:
        channel = h.engine.channel(self.channel_name)
        for fault in (Fault.server_error(500), Fault(name="401", status=401), Fault.rate_limited(5),
                      self.malformed_page(), Fault.timed_out()):
            fake.faults.push(fault)
            try:
                await channel.poll(self.account, None)
            except Exception as exc:
                watch.see(f"the error poll() raised on '{fault.name}'", exc)
        self.publish(fake, 1)
        fake.faults.push(Fault.server_error(503))
        report = await h.engine.poll(self.channel_name)
        watch.see("the poll report", report.problems)

    async def _leak_replies(self, h: ScrmHarness, fake: FakePlatform, watch: LeakWatch) -> None:
        conversation = self.conversation(h, 7)
        for fault in (Fault.server_error(500), Fault(name="403", status=403), Fault.timed_out()):
            fake.faults.push(fault)
            reply = await h.engine.reply(conversation, f"Checking on {fault.name}")
            watch.see(f"the reply error after '{fault.name}'", reply.error)

    async def check_loopback(self, tmp_path: Path) -> None:
        caps = self.capabilities
        fake = self.new_fake()
        if fake is None and not caps.webhooks:
            self.fail_skip("the channel neither receives webhooks nor has a fake to call")
        if fake is None:
            await self._loopback_webhook(tmp_path, None, None)
            return
        with fake.serve() as url:
            await self._loopback_webhook(tmp_path, fake, url)

    async def _loopback_webhook(self, tmp_path: Path, fake: FakePlatform | None, url: str | None) -> None:
        caps = self.capabilities
        async with self.harness(tmp_path, fake=fake, base_url=url) as h:
            if caps.webhooks:
                body = self.sample_payloads()[0]
                with serve_loopback(h.app) as scrm_url:
                    async with httpx.AsyncClient(base_url=scrm_url) as client:
                        response = await client.post(f"/webhooks/{self.channel_name}", content=body,
                                                     headers=dict(self.sign(body, self.secrets)))
                if response.status_code != 200:
                    self.fail(f"over a real connection, a signed sample got HTTP {response.status_code} "
                              f"{response.text[:200]}")
            if caps.polling and fake is not None:
                self.publish(fake, 2)
                report = await h.engine.poll(self.channel_name)
                accepted = sum(1 for r in report.results if r.outcome is Outcome.ACCEPTED)
                repeats = sum(1 for r in report.results if r.outcome is Outcome.DUPLICATE)
                if accepted != 2:
                    self.fail(f"over a real connection to the fake, poll stored {accepted} of the 2 published "
                              f"items ({repeats} were taken for duplicates of earlier ones; problems: "
                              f"{list(report.problems)}): use the injected self.http client and the configured "
                              "URLs, and give every item its own external_id")
            if (caps.public_reply or caps.private_message) and fake is not None:
                reply = await h.engine.reply(self.conversation(h, 9), "Over a real socket.")
                if reply.status.value != "sent":
                    self.fail(f"over a real connection, the reply was not sent: {reply.error}")

    def fail_skip(self, reason: str) -> None:
        pytest.skip(reason)


class ChannelConformance(_ContractChecks):
    """Subclass as ``Test<Something>`` and set ``channel_type``, ``entry_point``, ``config``, ``secrets``,
    ``fake``; implement ``sample_payloads()`` (webhooks) and ``publish()`` (polling).
    See docs/testing-kit.md."""

    def test_installed_and_discovered(self) -> None:
        self.check_discovered()

    def test_config_schema_is_valid(self, tmp_path: Path) -> None:
        self.check_config_schema_valid(tmp_path)

    def test_config_schema_is_enforced(self, tmp_path: Path) -> None:
        self.check_config_schema_enforced(tmp_path)

    def test_capabilities_match_methods(self) -> None:
        self.check_capabilities_match_methods()

    def test_samples_normalise_to_valid_interactions(self, tmp_path: Path) -> None:
        self.run(self.check_samples_normalise(tmp_path))

    def test_redelivered_event_is_stored_once(self, tmp_path: Path) -> None:
        self.run(self.check_redelivery_stored_once(tmp_path))

    def test_bad_signature_is_refused(self, tmp_path: Path) -> None:
        self.run(self.check_bad_signature_refused(tmp_path))

    def test_malformed_bodies_are_refused(self, tmp_path: Path) -> None:
        self.run(self.check_malformed_bodies_refused(tmp_path))

    def test_poll_normalises_to_valid_interactions(self, tmp_path: Path) -> None:
        self.run(self.check_poll_normalises(tmp_path))

    def test_poll_resumes_after_restart(self, tmp_path: Path) -> None:
        self.run(self.check_poll_resumes_after_restart(tmp_path))

    def test_polled_event_is_stored_once(self, tmp_path: Path) -> None:
        self.run(self.check_poll_redelivery_stored_once(tmp_path))

    def test_poll_honours_rate_limits(self, tmp_path: Path) -> None:
        self.run(self.check_poll_rate_limit_honoured(tmp_path))

    def test_poll_survives_platform_errors(self, tmp_path: Path) -> None:
        self.run(self.check_poll_survives_platform_errors(tmp_path))

    def test_reply_reaches_platform_exactly_once(self, tmp_path: Path) -> None:
        self.run(self.check_reply_exactly_once(tmp_path))

    def test_send_honours_rate_limits(self, tmp_path: Path) -> None:
        self.run(self.check_send_rate_limit_honoured(tmp_path))

    def test_opted_out_person_is_never_contacted(self, tmp_path: Path) -> None:
        self.run(self.check_opted_out_never_contacted(tmp_path))

    def test_no_secret_in_logs_reprs_or_errors(self, tmp_path: Path) -> None:
        self.run(self.check_no_secret_leaks(tmp_path))

    def test_end_to_end_over_loopback(self, tmp_path: Path) -> None:
        self.run(self.check_loopback(tmp_path))
