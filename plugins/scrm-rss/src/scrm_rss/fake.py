"""A fake feed server built on scrm's fake-platform toolkit: RSS 2.0 at ``/feed.xml`` and Atom at
``/atom.xml``, the latest ``window`` entries newest first (as real feeds do), an ETag with
``If-None-Match`` -> 304, and an optional bearer token for private feeds."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from attrs import frozen
from starlette.requests import Request
from starlette.responses import Response

from scrm_core.fakes import FakePlatform, bearer

__all__ = ["FakeEntry", "RssFake"]


@frozen(kw_only=True)
class FakeEntry:
    id: str
    title: str
    body: str
    author: str
    published: datetime


class RssFake(FakePlatform):
    def __init__(self, *, token: str | None = None, window: int = 20, **kwargs: Any) -> None:
        self.token = token
        self.window = window
        self.entries: list[FakeEntry] = []
        super().__init__(**kwargs)

    def setup(self) -> None:
        auth = bearer(lambda: self.token or "") if self.token else None
        self.add_route("/feed.xml", self.rss, auth=auth)
        self.add_route("/atom.xml", self.atom, auth=auth)

    def add_entries(self, count: int = 1, *, author: str = "forum-user") -> list[FakeEntry]:
        added: list[FakeEntry] = []
        for _ in range(count):
            number = len(self.entries) + len(added) + 1
            added.append(FakeEntry(
                id=f"https://forum.example/t/{number}", title=f"Topic {number}: my router keeps rebooting",
                body="<p>Since the update my router reboots every hour &amp; support did not answer. "
                     f"#{number}</p>",
                author=f"{author}-{number}",
                published=self.clock() - timedelta(hours=1) + timedelta(seconds=number)))
        self.entries += added
        return added

    def _latest(self) -> list[FakeEntry]:
        return list(reversed(self.entries))[: self.window]

    def _answer(self, request: Request, document: str, media_type: str) -> Response:
        etag = '"' + hashlib.sha256(document.encode()).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"etag": etag})
        return Response(document, media_type=media_type, headers={"etag": etag})

    async def rss(self, request: Request) -> Response:
        items = "".join(
            f"<item><guid isPermaLink=\"true\">{escape(e.id)}</guid><title>{escape(e.title)}</title>"
            f"<link>{escape(e.id)}</link><description>{escape(e.body)}</description>"
            f"<dc:creator>{escape(e.author)}</dc:creator><pubDate>{format_datetime(e.published)}</pubDate></item>"
            for e in self._latest())
        document = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                    'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Forum</title>'
                    f"<link>https://forum.example/</link><description>Latest topics</description>{items}"
                    "</channel></rss>")
        return self._answer(request, document, "application/rss+xml")

    async def atom(self, request: Request) -> Response:
        entries = "".join(
            f"<entry><id>{escape(e.id)}</id><title>{escape(e.title)}</title><link href=\"{escape(e.id)}\"/>"
            f"<author><name>{escape(e.author)}</name></author><published>{e.published.isoformat()}</published>"
            f"<updated>{e.published.isoformat()}</updated><content "
            f"type=\"html\">{escape(e.body)}</content></entry>"
            for e in self._latest())
        document = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                    f"<title>Forum</title><id>https://forum.example/</id>{entries}</feed>")
        return self._answer(request, document, "application/atom+xml")
