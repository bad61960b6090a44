"""The built-in ``webhook`` channel type passes the connector conformance suite, against its fake."""

from __future__ import annotations

import json
from collections.abc import Sequence

from scrm_core.fakes.webhook import WebhookPlatformFake
from scrm_core.testing import ChannelConformance, FakePlatform

ACCOUNT = "acme"


def _body(*items: dict[str, object]) -> bytes:
    return json.dumps({"interactions": list(items)}).encode()


class TestWebhookChannelConformance(ChannelConformance):
    channel_type = "webhook"
    entry_point = None  # a built-in: registered by scrm_core.default_plugins.webhook_channel
    config = {"account": ACCOUNT, "base_url": "{fake_url}", "max_page_size": 2}
    secrets = {"secret": "whsec_Y29uZm9ybWFuY2UtY2FuYXJ5LXNlY3JldC0wMQ==",
               "token": "webhook-fake-token-0001"}
    fake = WebhookPlatformFake

    def sample_payloads(self) -> Sequence[bytes]:
        return [
            _body({"external_id": "m-1", "kind": "mention", "text": "my order never arrived",
                   "author": {"platform_id": "u-1", "handle": "@ana"}, "created_at": "2026-11-24T10:00:00Z"}),
            _body({"external_id": "d-7", "kind": "direct_message", "visibility": "private",
                   "text": "can you call me back?", "author": {"platform_id": "u-2"},
                   "created_at": "2026-11-24T10:05:00Z", "thread_ref": "dm-u-2"},
                  {"external_id": "d-8", "kind": "direct_message", "visibility": "private",
                   "text": "it's urgent", "author": {"platform_id": "u-2"},
                   "created_at": "2026-11-24T10:06:00Z", "thread_ref": "dm-u-2"}),
        ]

    def publish(self, fake: FakePlatform, count: int) -> None:
        assert isinstance(fake, WebhookPlatformFake)
        fake.publish(ACCOUNT, count)
