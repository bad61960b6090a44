"""The ``rss`` channel: follow an RSS 2.0 or Atom feed of customer posts (a community forum, a review site)
and turn each new entry into a public ``post`` interaction. It polls; it cannot reply."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from scrm_core.channels import Capabilities, Channel, Page
from scrm_core.errors import ChannelError, MalformedPayload
from scrm_core.http import raise_for_status
from scrm_core.models import Interaction, Party
from scrm_rss.feed import Entry, FeedError, parse_feed

__all__ = ["FeedCursor", "RssChannel"]

log = logging.getLogger("scrm_rss")

#: how many entry ids the cursor remembers (feeds show a window of their latest entries)
SEEN_LIMIT = 500


class FeedCursor:
    """Where polling stopped: the feed's ETag, the newest entry time seen, and the ids seen recently."""

    def __init__(self, etag: str | None = None, since: str | None = None, seen: Sequence[str] = ()) -> None:
        self.etag = etag
        self.since = since
        self.seen = list(seen)

    @classmethod
    def load(cls, cursor: str | None) -> FeedCursor:
        if not cursor:
            return cls()
        data = json.loads(cursor)
        return cls(etag=data.get("etag"), since=data.get("since"), seen=data.get("seen", ()))

    def dump(self) -> str:
        return json.dumps({"etag": self.etag, "since": self.since, "seen": self.seen[-SEEN_LIMIT:]},
                          separators=(",", ":"))

    def is_new(self, entry: Entry) -> bool:
        if entry.id in self.seen:
            return False
        return self.since is None or entry.published is None or _stamp(entry.published) >= self.since

    def advance(self, entries: Sequence[Entry], etag: str | None) -> FeedCursor:
        stamps = [_stamp(e.published) for e in entries if e.published is not None]
        since = max([*stamps, *([self.since] if self.since else [])], default=None)
        return FeedCursor(etag=etag, since=since, seen=[*self.seen, *(e.id for e in entries)])


class RssChannel(Channel):
    capabilities: ClassVar[Capabilities] = Capabilities(polling=True, threading=False)
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "required": ["account", "feed_url"],
        "additionalProperties": False,
        "properties": {
            "account": {"type": "string", "minLength": 1},
            "feed_url": {"type": "string", "pattern": "^https?://"},
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 300},
        },
    }

    async def poll(self, account: str, cursor: str | None) -> Page:
        state = FeedCursor.load(cursor)
        response = await self._fetch(state.etag)
        if response.status_code == 304:
            return Page(cursor=cursor)
        try:
            entries = parse_feed(response.content)
        except FeedError as exc:
            raise MalformedPayload(str(exc), channel=self.name) from None
        new = sorted((e for e in entries if state.is_new(e)), key=_oldest_first)
        interactions = [self._interaction(account, entry) for entry in new]
        return Page(interactions=interactions, cursor=state.advance(new, response.headers.get("etag")).dump())

    async def _fetch(self, etag: str | None) -> httpx.Response:
        headers = {"accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
        if etag:
            headers["if-none-match"] = etag
        token = self.secrets.get("token")
        if token is not None:
            headers["authorization"] = f"Bearer {token.reveal()}"
        try:
            response = await self.http.get(str(self.settings["feed_url"]), headers=headers,
                                           timeout=float(self.settings.get("timeout_seconds", 30)))
        except httpx.TransportError as exc:
            raise ChannelError(f"{self.name}: {type(exc).__name__} fetching the feed", channel=self.name,
                               retryable=True) from None
        # feeds behind busy hosts answer 503 with Retry-After as often as 429
        raise_for_status(response, channel=self.name, what="feed", rate_limit_statuses=(429, 503))
        return response

    def _interaction(self, account: str, entry: Entry) -> Interaction:
        author = entry.author or "anonymous"
        text = f"{entry.title}\n\n{entry.text}".strip() if entry.title else entry.text
        return Interaction(
            channel=self.name, account=account, external_id=entry.id, kind="post", visibility="public",
            author=Party(platform_id=author, display_name=entry.author), text=text, link=entry.link,
            created_at=entry.published or datetime.now(UTC),
            metadata={"categories": ",".join(entry.categories)} if entry.categories else {},
        )


def _oldest_first(entry: Entry) -> tuple[str, str]:
    return (_stamp(entry.published) if entry.published else "", entry.id)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
