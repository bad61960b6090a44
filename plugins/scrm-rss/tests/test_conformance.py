"""The rss channel against scrm's connector conformance suite and the fake feed server."""

from __future__ import annotations

from scrm_rss.fake import RssFake

from scrm_core.testing import ChannelConformance, FakePlatform, Fault

TOKEN = "rss-canary-token-5f1d0c9a"


def private_feed() -> RssFake:
    return RssFake(token=TOKEN)


class TestRssConformance(ChannelConformance):
    channel_type = "rss"
    entry_point = "rss"
    config = {"account": "forum", "feed_url": "{fake_url}/feed.xml"}
    secrets = {"token": TOKEN}
    fake = private_feed

    def publish(self, fake: FakePlatform, count: int) -> None:
        assert isinstance(fake, RssFake)
        fake.add_entries(count)

    def malformed_page(self) -> Fault:
        return Fault.malformed(b"<rss><channel><item><title>cut off", content_type="application/rss+xml")


class TestAtomConformance(TestRssConformance):
    config = {"account": "forum", "feed_url": "{fake_url}/atom.xml"}
