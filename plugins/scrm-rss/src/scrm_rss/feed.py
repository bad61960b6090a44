"""RSS 2.0 and Atom documents -> entries, with nothing platform-specific: the channel turns entries into
Interactions."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element, ParseError

from attrs import frozen
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

__all__ = ["Entry", "FeedError", "parse_feed"]

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class FeedError(ValueError):
    """The document is not a feed we can read; the message says why."""


@frozen(kw_only=True)
class Entry:
    id: str
    title: str
    text: str
    author: str | None
    link: str | None
    published: datetime | None
    categories: tuple[str, ...] = ()


def parse_feed(document: bytes) -> list[Entry]:
    """Every entry of an RSS 2.0 or Atom document, in document order."""
    try:
        root = fromstring(document)
    except DefusedXmlException as exc:
        raise FeedError(f"feed refused: {type(exc).__name__} (entities and DTDs are not allowed)") from None
    except ParseError as exc:
        raise FeedError(f"feed is not well-formed XML: {exc}") from None
    if root.tag == f"{ATOM}feed":
        return [_atom_entry(e) for e in root.iter(f"{ATOM}entry")]
    if root.tag == "rss" and root.find("channel") is not None:
        return [_rss_item(i) for i in root.iter("item")]
    raise FeedError(f"root element <{root.tag}> is neither an RSS 2.0 <rss> nor an Atom <feed>")


def _text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def plain_text(markup: str) -> str:
    """Feed bodies are HTML fragments: tags dropped, entities decoded, whitespace collapsed."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


def _rss_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso_date(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _fallback_id(*parts: str) -> str:
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _rss_item(item: Element) -> Entry:
    title, link = _text(item.find("title")), _text(item.find("link")) or None
    body = _text(item.find(f"{CONTENT}encoded")) or _text(item.find("description"))
    published = _rss_date(_text(item.find("pubDate")))
    author = _text(item.find(f"{DC}creator")) or _rss_author(_text(item.find("author")))
    entry_id = _text(item.find("guid")) or link or _fallback_id(title, body, _text(item.find("pubDate")))
    return Entry(id=entry_id, title=title, text=plain_text(body), author=author or None, link=link,
                 published=published, categories=tuple(_text(c) for c in item.findall("category")))


def _rss_author(value: str) -> str:
    # RSS 2.0 <author> is "email (Name)"; the name is what people recognise
    match = re.fullmatch(r"\s*(\S+@\S+)\s*\((.+)\)\s*", value)
    return match.group(2).strip() if match else value


def _atom_links(entry: Element) -> Iterator[str]:
    for link in entry.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            yield str(link.get("href"))


def _atom_entry(entry: Element) -> Entry:
    title = _text(entry.find(f"{ATOM}title"))
    body = _text(entry.find(f"{ATOM}content")) or _text(entry.find(f"{ATOM}summary"))
    stamp = _text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated"))
    author = _text(entry.find(f"{ATOM}author/{ATOM}name")) or _text(entry.find(f"{DC}creator"))
    link = next(_atom_links(entry), None)
    entry_id = _text(entry.find(f"{ATOM}id")) or link or _fallback_id(title, body, stamp)
    return Entry(id=entry_id, title=title, text=plain_text(body), author=author or None, link=link,
                 published=_iso_date(stamp),
                 categories=tuple(str(c.get("term")) for c in entry.findall(f"{ATOM}category")
                                  if c.get("term")))
