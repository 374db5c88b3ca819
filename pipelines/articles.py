"""Article extraction (HTML in, Article out) and the pipeline stage that drops non-articles.

`extract_article` is a page object in the web-poet sense: a pure function of the page, no
crawling inside, so the crawl, `newsspider extract` and the tests call the same code.
Body text comes from trafilatura (best open extractor on the benchmark in benchmarks/);
dates follow the order pages are most often right about: JSON-LD, Open Graph/meta, <time>,
then htmldate's heuristics.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from htmldate import find_date
from lxml import etree
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsspider.items import Article, ArticleItem
from newsspider.urls import site_of

logger = logging.getLogger(__name__)

ARTICLE_TYPES = {"newsarticle", "article", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
                 "reviewnewsarticle", "review", "report", "webpage"}
EMPHASIS_TAGS = ("em", "i", "cite")
QUOTED = re.compile(r"[\"“‘']([^\"“”‘’']{2,80}?)[\"”’'](?=[\s,.;:!?)]|$)")
MAX_EMPHASIS_WORDS = 14


class NotAnArticle(ValueError):
    """Raised with a short machine-readable reason (used as the stats key)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def extract_article(html: str | bytes, url: str, fetched_at: str | None = None) -> Article:
    """Build an Article from a page; raises NotAnArticle when there is no article text in it."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    if not html.strip():
        raise NotAnArticle("empty", url)
    try:
        tree = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise NotAnArticle("unparseable", str(exc)) from exc
    meta = _metadata(tree, url)
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True,
                               deduplicate=False) or ""
    if not text.strip():
        raise NotAnArticle("no_text", url)
    title = meta.get("title") or _first_text(tree, "//h1") or _first_text(tree, "//title")
    published = meta.get("published") or _time_element(tree)
    if not published:
        try:
            published = find_date(tree, url=url, original_date=True, extensive_search=False)
        except Exception:  # htmldate raises on odd trees; a missing date is not fatal
            published = None
    return Article(
        url=url,
        text=text,
        canonical_url=_same_site(url, meta.get("canonical")),
        site=site_of(url) or None,
        title=_clean(title) if title else None,
        published=published,
        modified=meta.get("modified"),
        authors=meta.get("authors", []),
        language=meta.get("language"),
        emphasised=emphasised_spans(tree, text, title),
        fetched_at=fetched_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def complete(article: Article) -> Article:
    """Fill what an Article line left out from its `html`: the text, title, date and emphasised spans.

    `newsspider extract` accepts bare `url` + `text` lines; when the page itself came along,
    its italics and quotes are the best show-title hints there are, so they are recovered here.
    """
    if not article.html:
        if not article.emphasised:
            article.emphasised = quoted_titles(f"{article.title or ''}\n{article.text}")
        return article
    if not article.text.strip():
        try:
            page = extract_article(article.html, article.url, fetched_at=article.fetched_at)
        except NotAnArticle:
            return article
        article.text = page.text
        article.title = article.title or page.title
        article.published = article.published or page.published
        article.emphasised = article.emphasised or page.emphasised
        return article
    if not article.emphasised:
        try:
            tree = lxml.html.fromstring(article.html)
        except (etree.ParserError, ValueError):
            return article
        article.emphasised = emphasised_spans(tree, article.text, article.title)
    return article


TITLE_CONNECTORS = {"a", "an", "the", "of", "and", "in", "on", "to", "no", "x", "for", "with", "at", "from", "wa", "ga"}


def quoted_titles(text: str) -> list[str]:
    """Quoted spans that look like titles, not speech: short, mostly capitalised, no trailing comma or stop."""
    found: dict[str, None] = {}
    for match in QUOTED.finditer(text):
        span = _clean(match.group(1))
        words = span.split()
        if not words or len(words) > 8 or span[-1] in ",.;:" or not span[0].isupper():
            continue
        content = [w for w in words if w.lower() not in TITLE_CONNECTORS]
        if content and sum(w[0].isupper() or w[0].isdigit() for w in content) / len(content) >= 0.6:
            found.setdefault(span, None)
    return list(found)


def link_text_ratio(html: str, text: str) -> float:
    """Share of the extracted text's lines that are link text: high on headline feeds and tag pages."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if not lines:
        return 0.0
    try:
        tree = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return 0.0
    anchors = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    anchors = {a for a in anchors if len(a) >= 12}
    def is_linked(line: str) -> bool:
        return any(a in line and len(a) >= 0.6 * len(line) for a in anchors)

    ratio = sum(map(is_linked, lines)) / len(lines)
    items = [line for line in lines if line.startswith(("- ", "* ", "• "))]
    if len(items) >= 0.6 * len(lines):  # a page that is mostly a list: judge the list
        ratio = max(ratio, sum(map(is_linked, items)) / len(items))
    return ratio


def emphasised_spans(tree: Any, text: str, title: str | None) -> list[str]:
    """Short spans the page itself sets apart (<em>, <i>, <cite>, quotes) that appear in the text.

    Pages italicise or quote titles of works, so these are strong show-title hints.
    """
    haystack = f"{title or ''}\n{text}"
    seen: dict[str, None] = {}
    for tag in EMPHASIS_TAGS:
        for el in tree.iter(tag):
            span = _clean(el.text_content())
            if _keep_emphasis(span, haystack):
                seen.setdefault(span, None)
    for match in QUOTED.finditer(haystack):
        span = _clean(match.group(1))
        if _keep_emphasis(span, haystack) and span[:1].isupper():
            seen.setdefault(span, None)
    return list(seen)


def _keep_emphasis(span: str, haystack: str) -> bool:
    return bool(span) and 0 < len(span.split()) <= MAX_EMPHASIS_WORDS and any(c.isalpha() for c in span) \
        and span in haystack


def _metadata(tree: Any, url: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for node in _jsonld_nodes(tree):
        types = node.get("@type")
        types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
        if not any(str(t).lower() in ARTICLE_TYPES for t in types):
            continue
        meta.setdefault("published", _iso(node.get("datePublished")))
        meta.setdefault("modified", _iso(node.get("dateModified")))
        headline = node.get("headline") or node.get("name")
        if isinstance(headline, str):
            meta.setdefault("title", headline)
        authors = _authors(node.get("author"))
        if authors:
            meta.setdefault("authors", authors)
    metas = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key and el.get("content"):
            metas.setdefault(key, el.get("content").strip())
    for key in ("article:published_time", "og:published_time", "datepublished", "pubdate",
                "publish-date", "date", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date"):
        if not meta.get("published") and metas.get(key):
            meta["published"] = _iso(metas[key])
    for key in ("article:modified_time", "og:updated_time", "datemodified", "last-modified"):
        if not meta.get("modified") and metas.get(key):
            meta["modified"] = _iso(metas[key])
    if not meta.get("title"):
        meta["title"] = metas.get("og:title") or metas.get("twitter:title")
    if not meta.get("authors"):
        author = metas.get("author") or metas.get("article:author") or metas.get("parsely-author")
        if author and not author.startswith("http"):
            meta["authors"] = [_clean(author)]
    canonical = tree.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href")
    meta["canonical"] = urljoin(url, canonical[0].strip()) if canonical else metas.get("og:url")
    lang = tree.get("lang") or metas.get("og:locale") or metas.get("content-language")
    if lang:
        meta["language"] = lang.replace("_", "-").split("-")[0].lower()
    return {k: v for k, v in meta.items() if v}


def _jsonld_nodes(tree: Any) -> Iterator[dict[str, Any]]:
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content() or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                if "@graph" in node:
                    stack.append(node["@graph"])
                yield node


def _authors(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(_clean(name))
    return names


def _time_element(tree: Any) -> str | None:
    for value in tree.xpath("//article//time/@datetime | //time[@itemprop='datePublished']/@datetime"
                            " | //time[@pubdate]/@datetime | //time/@datetime"):
        iso = _iso(value)
        if iso:
            return iso
    return None


def _iso(value: Any) -> str | None:
    """An ISO-8601 date or datetime string as the page gave it, or None if it is not one."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        match = re.match(r"(\d{4}-\d{2}-\d{2})", value)
        return match.group(1) if match else None
    if len(value) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat()


def _same_site(url: str, canonical: str | None) -> str | None:
    """Honour rel=canonical only inside the same site: other hosts' canonicals are often wrong or hostile."""
    if not canonical:
        return None
    here, there = urlsplit(url), urlsplit(canonical)
    if there.scheme not in ("http", "https"):
        return None
    if _registered(here.hostname) == _registered(there.hostname) and here.port == there.port:
        return canonical
    return None


def _registered(host: str | None) -> str:
    parts = (host or "").lower().split(".")
    if parts and parts[0] in ("www", "m", "amp", "mobile"):
        parts = parts[1:]
    return ".".join(parts)


def _first_text(tree: Any, xpath: str) -> str | None:
    found = tree.xpath(xpath)
    return _clean(found[0].text_content()) if found else None


def _clean(text: str) -> str:
    return " ".join(text.split())



def rejection(article: Article, link_ratio: float | None, min_words: int, max_link_ratio: float) -> str | None:
    """Why this Article is not worth extracting (the stats key), or None to keep it."""
    if len(article.text.split()) < min_words:
        return "too_short"
    if link_ratio is not None and link_ratio > max_link_ratio:
        return "listing"
    return None


class ArticlesPipeline:
    """First stage: drops stubs and listing pages, counted under newsspider/dropped/<reason>."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.min_words = crawler.settings.getint("NEWSSPIDER_MIN_WORDS")
        self.max_link_ratio = crawler.settings.getfloat("NEWSSPIDER_MAX_LINK_RATIO")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticlesPipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        reason = rejection(item.article, item.link_ratio, self.min_words, self.max_link_ratio)
        if reason:
            self.crawler.stats.inc_value(f"newsspider/dropped/{reason}")
            raise DropItem(f"{reason}: {item.article.url}")
        return item
