"""Feed parsing and the conditional GET, beyond what the conformance suite checks."""

from __future__ import annotations

import asyncio

import pytest
from scrm_rss.channel import RssChannel
from scrm_rss.fake import RssFake
from scrm_rss.feed import FeedError, parse_feed

from scrm_core.channels import Page
from scrm_core.config import Secrets
from scrm_core.errors import MalformedPayload
from scrm_core.testing import Fault

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><item><title>&lol2;</title></item></channel></rss>"""

RSS_AUTHOR = b"""<rss version="2.0"><channel><item><guid>g-1</guid><title>Slow</title>
<author>ana@example.com (Ana Lima)</author><description>&lt;b&gt;very&lt;/b&gt; slow</description>
<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate><category>billing</category></item></channel></rss>"""


def test_rss_author_name_html_and_categories() -> None:
    (entry,) = parse_feed(RSS_AUTHOR)
    assert (entry.id, entry.author, entry.text) == ("g-1", "Ana Lima", "very slow")
    assert entry.categories == ("billing",)


def test_entity_expansion_is_refused() -> None:
    with pytest.raises(FeedError, match="entities and DTDs are not allowed"):
        parse_feed(BOMB)


def test_a_document_that_is_not_a_feed_is_refused() -> None:
    with pytest.raises(FeedError, match=r"neither an RSS 2\.0"):
        parse_feed(b"<html><body>moved</body></html>")


def _channel(fake: RssFake, path: str = "/feed.xml") -> RssChannel:
    return RssChannel(name="forum", settings={"account": "forum", "feed_url": f"{fake.base_url}{path}"},
                      secrets=Secrets(), http=fake.client())


def test_an_unchanged_feed_costs_a_304_and_yields_nothing() -> None:
    async def run() -> tuple[Page, Page]:
        fake = RssFake()
        fake.add_entries(2)
        channel = _channel(fake)
        first = await channel.poll("forum", None)
        second = await channel.poll("forum", first.cursor)
        await channel.http.aclose()
        assert [r.status for r in fake.requests] == [200, 304]
        return first, second

    first, second = asyncio.run(run())
    assert len(first.interactions) == 2
    assert second.interactions == () and second.cursor == first.cursor


def test_a_broken_feed_is_a_malformed_payload() -> None:
    async def run() -> None:
        fake = RssFake()
        fake.faults.push(Fault.malformed(b"<rss><channel>", content_type="application/rss+xml"))
        channel = _channel(fake)
        with pytest.raises(MalformedPayload, match="not well-formed XML"):
            await channel.poll("forum", None)
        await channel.http.aclose()

    asyncio.run(run())
