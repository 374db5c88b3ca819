"""Parsers for RSS 2.0, Atom, sitemaps and Google News sitemaps.

Scrapy's own sitemap parser drops `news:publication_date` and `news:title`, which are exactly
what a news crawl wants, so we parse these formats ourselves. XML that declares entities is
refused outright (billion laughs, external entities); nothing is ever expanded or fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from lxml import etree

ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
MAX_SITEMAP_URLS = 50_000


class FeedError(ValueError):
    """The document is not a feed or sitemap we can read safely; `reason` is the stats key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Entry:
    """A link found in a feed or sitemap, with what the source says about it."""

    url: str
    title: str | None = None
    published: str | None = None
    updated: str | None = None


@dataclass(slots=True)
class Parsed:
    kind: str  # rss | atom | urlset | sitemapindex
    entries: list[Entry]
    truncated: bool = False


def parse(body: bytes, base_url: str, max_urls: int = MAX_SITEMAP_URLS) -> Parsed:
    """Parse a feed or sitemap body; raises FeedError on unsafe or unrecognised XML."""
    head = body[:4096]
    if ENTITY_DECL.search(head) or (b"<!DOCTYPE" in head.upper() and ENTITY_DECL.search(body[:65536])):
        raise FeedError("xml_entities", base_url)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             recover=True, remove_comments=True)
    try:
        root = etree.fromstring(body.strip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise FeedError("malformed_xml", str(exc)) from exc
    if root is None:
        raise FeedError("malformed_xml", base_url)
    name = etree.QName(root).localname.lower()
    if name == "rss" or name == "rdf":
        return Parsed("rss", _rss(root, base_url))
    if name == "feed":
        return Parsed("atom", _atom(root, base_url))
    if name in ("urlset", "sitemapindex"):
        entries, truncated = _sitemap(root, base_url, max_urls)
        return Parsed(name, entries, truncated)
    raise FeedError("not_a_feed", f"root element <{name}>")


def _children(node: Any, local: str) -> list[Any]:
    return [c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == local]


def _text(node: Any, local: str) -> str | None:
    for child in _children(node, local):
        text = "".join(child.itertext()).strip()
        if text:
            return text
    return None


def _rss(root: Any, base: str) -> list[Entry]:
    entries = []
    for item in root.iter():
        if not isinstance(item.tag, str) or etree.QName(item).localname != "item":
            continue
        link = _text(item, "link")
        if not link:
            guid = _children(item, "guid")
            if guid and guid[0].get("isPermaLink", "true") != "false":
                link = (guid[0].text or "").strip()
        if link:
            entries.append(Entry(urljoin(base, link), _text(item, "title"),
                                 _text(item, "pubDate") or _text(item, "date"), _text(item, "updated")))
    return entries


def _atom(root: Any, base: str) -> list[Entry]:
    entries = []
    for entry in _children(root, "entry"):
        href = None
        for link in _children(entry, "link"):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                href = link.get("href")
                break
        if href:
            entries.append(Entry(urljoin(base, href.strip()), _text(entry, "title"),
                                 _text(entry, "published"), _text(entry, "updated")))
    return entries


def _sitemap(root: Any, base: str, max_urls: int) -> tuple[list[Entry], bool]:
    entries: list[Entry] = []
    for node in root:
        if not isinstance(node.tag, str) or etree.QName(node).localname not in ("url", "sitemap"):
            continue
        if len(entries) >= max_urls:
            return entries, True
        loc = _text(node, "loc")
        if not loc:
            continue
        title = published = None
        for news in _children(node, "news"):
            title = _text(news, "title")
            published = _text(news, "publication_date")
        entries.append(Entry(urljoin(base, loc), title, published, _text(node, "lastmod")))
    return entries, False
