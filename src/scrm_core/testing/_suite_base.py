"""What a conformance subclass sets, and the plumbing every check shares."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest

from scrm_core.channels import Capabilities, Channel
from scrm_core.fakes import Effect, FakePlatform, Fault
from scrm_core.models import Interaction, Party
from scrm_core.plugins import Registry, create_plugin_manager
from scrm_core.testing.harness import ManualClock, ScrmHarness, sign_webhook

__all__ = ["ConformanceBase", "ConformanceFailure"]

T = TypeVar("T")


class ConformanceFailure(AssertionError):
    """A conformance check failed; the message says what the connector must change."""


class ConformanceBase:
    """The settings a subclass gives, and the helpers the checks use."""

    #: the channel type the plugin registers (``register("rss", RssChannel)``)
    channel_type: ClassVar[str] = ""
    #: the entry-point name in ``[project.entry-points.scrm]``; None for a built-in or a directly added plugin
    entry_point: ClassVar[str | None] = None
    #: plugin objects registered directly (a built-in has none; tests of unpublished channels use this)
    extra_plugins: ClassVar[Sequence[object]] = ()
    #: the channel instance name in the test config
    channel_name: ClassVar[str] = "conformance"
    #: the channel's config section (without ``type``); ``{fake_url}`` in a string becomes the fake's URL
    config: ClassVar[Mapping[str, Any]] = {}
    #: secret name -> value (the section gets ``<name>_env``); use distinctive values: they are the canaries
    secrets: ClassVar[Mapping[str, str]] = {}
    #: a callable (usually the fake's class) returning a fresh FakePlatform; None if the channel calls nothing
    fake: ClassVar[Callable[[], FakePlatform] | None] = None
    #: the kind of side effect the fake records for a sent reply (``self.accept("reply", ...)``)
    reply_effect: ClassVar[str] = "reply"

    # ----------------------------------------------------------------------------------- subclass hooks
    def sample_payloads(self) -> Sequence[bytes]:
        """Webhook bodies exactly as the platform sends them (webhook channels must give at least one)."""
        return ()

    def sign(self, body: bytes, secrets: Mapping[str, str]) -> Mapping[str, str]:
        """The headers the platform would send with ``body`` when signing with ``secrets``. The default signs
        per Standard Webhooks with ``secrets["secret"]`` (the built-in ``webhook`` channel's scheme)."""
        if "secret" not in secrets:
            raise NotImplementedError("override sign(body, secrets) to sign webhooks the platform's way")
        return sign_webhook(secrets["secret"], body)

    def publish(self, fake: FakePlatform, count: int) -> None:
        """Make ``count`` new items appear on the fake for the next poll (polling channels must override)."""
        raise NotImplementedError("a polling channel's conformance class must implement publish(fake, count)")

    def malformed_page(self) -> Fault:
        """The fault that answers a poll with a broken page."""
        return Fault.malformed()

    def malformed_bodies(self) -> Mapping[str, bytes]:
        """Webhook bodies that must be refused as malformed (HTTP 400)."""
        samples = self.sample_payloads()
        bodies = {"not UTF-8": b"\xff\xfe\xfd\x00garbage", "not the expected format": b"<<<not a payload>>>"}
        if samples:
            bodies["truncated"] = samples[0][: max(1, len(samples[0]) // 2)]
        return bodies

    def invalid_configs(self) -> Mapping[str, Mapping[str, Any]]:
        """Config sections the channel's schema must refuse, by what is wrong with them."""
        return {"an unknown key 'conformance_typo'": {**self.config, "conformance_typo": True}}

    def customer(self, number: int = 1) -> Party:
        return Party(platform_id=f"conformance-customer-{number}", handle=f"customer{number}",
                     display_name=f"Customer {number}")

    def inbound_interaction(self, number: int = 1) -> Interaction:
        """An inbound message to reply to (override when the platform needs real-looking ids)."""
        private = self.capabilities.private_message
        return Interaction(channel=self.channel_name, account=self.account,
                           external_id=f"conformance-in-{number}",
                           kind="direct_message" if private else "mention", author=self.customer(number),
                           text="Hello, can you help me?", created_at=datetime.now().astimezone(),
                           visibility="private" if private else "public")

    def accepted_replies(self, fake: FakePlatform) -> list[Effect]:
        return fake.effects.of(self.reply_effect)

    # ------------------------------------------------------------------------------------------ plumbing
    @property
    def account(self) -> str:
        return str(self.config.get("account", "conformance-account"))

    def env_name(self, secret: str) -> str:
        return f"SCRM_CONFORMANCE_{self.channel_name.upper()}_{secret.upper()}"

    def section(self, base_url: str = FakePlatform.base_url, *, settings: Mapping[str, Any] | None = None,
                secrets: Mapping[str, str] | None = None) -> dict[str, Any]:
        chosen = self.config if settings is None else settings
        section: dict[str, Any] = {"type": self.channel_type}
        for key, value in chosen.items():
            section[key] = value.replace("{fake_url}", base_url) if isinstance(value, str) else value
        for name in self.secrets if secrets is None else secrets:
            section[f"{name}_env"] = self.env_name(name)
        return section

    def environ(self, secrets: Mapping[str, str] | None = None) -> dict[str, str]:
        chosen = self.secrets if secrets is None else secrets
        return {self.env_name(name): value for name, value in chosen.items()}

    def document(self, base_url: str = FakePlatform.base_url, **section: Any) -> dict[str, Any]:
        return {"scrm": {"max_body_bytes": 64 * 1024},
                "channels": {self.channel_name: self.section(base_url, **section)}}

    def plugin_manager(self) -> Any:
        wanted = [self.entry_point] if self.entry_point else []
        return create_plugin_manager(load_plugins=wanted, extra=self.extra_plugins)

    def channel_class(self) -> type[Channel]:
        registry = Registry(self.plugin_manager())
        if self.channel_type not in registry.channels:
            self.fail(f"no channel type {self.channel_type!r} is registered (registered: "
                      f"{', '.join(sorted(registry.channels))}): register it in scrm_register_channels")
        return registry.channels[self.channel_type].value

    @property
    def capabilities(self) -> Capabilities:
        return self.channel_class().capabilities

    def new_fake(self) -> FakePlatform | None:
        factory = type(self).fake
        return factory() if factory is not None else None

    def harness(self, tmp_path: Path, *, fake: FakePlatform | None = None, store: str = "scrm.sqlite3",
                clock: ManualClock | None = None, base_url: str | None = None) -> ScrmHarness:
        url = base_url or FakePlatform.base_url
        return ScrmHarness.build(self.document(url), store_path=tmp_path / store, fake=fake,
                                 environ=self.environ(), clock=clock, plugin_manager=self.plugin_manager())

    # --------------------------------------------------------------------------------------- requirements
    def fail(self, message: str) -> None:
        __tracebackhide__ = True
        raise ConformanceFailure(f"[{self.channel_type}] {message}")

    def need_webhooks(self) -> list[bytes]:
        if not self.capabilities.webhooks:
            pytest.skip(f"{self.channel_type} does not receive webhooks (capabilities.webhooks is False)")
        samples = list(self.sample_payloads())
        if not samples:
            self.fail("the channel receives webhooks but sample_payloads() gave none: return real platform "
                      "payloads so the suite can check parsing, deduplication and signatures")
        return samples

    def need_polling(self) -> FakePlatform:
        if not self.capabilities.polling:
            pytest.skip(f"{self.channel_type} does not poll (capabilities.polling is False)")
        return self.need_fake("polls")

    def need_replies(self) -> FakePlatform:
        caps = self.capabilities
        if not (caps.public_reply or caps.private_message):
            pytest.skip(f"{self.channel_type} cannot send (capabilities.public_reply and private_message are "
                        "False)")
        return self.need_fake("sends replies")

    def need_fake(self, why: str) -> FakePlatform:
        fake = self.new_fake()
        if fake is None:
            self.fail(f"the channel {why} but the conformance class sets no `fake`: point it at a "
                      "FakePlatform "
                      "subclass that behaves like the platform's API")
        assert fake is not None
        return fake

    @staticmethod
    def run(coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a check's coroutine on a fresh event loop (no pytest-asyncio needed)."""
        return asyncio.run(coroutine)

    @staticmethod
    def wrong_secrets(secrets: Mapping[str, str]) -> dict[str, str]:
        wrong = {}
        for name, value in secrets.items():
            if value.startswith("whsec_"):
                wrong[name] = "whsec_" + base64.b64encode(os.urandom(24)).decode()
            else:
                wrong[name] = f"wrong-{os.urandom(8).hex()}"
        return wrong
