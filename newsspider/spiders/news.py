"""NewsSpider: from feeds, news sitemaps and section pages to Articles.

The spider knows HTTP and HTML only. It finds article links, fetches them and hands the page
to `pipelines.articles.extract_article`; everything about entities happens in the pipelines.
Every page it refuses is counted under `newsspider/...` in the crawl stats.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newsspider.feeds import FeedError, parse
from newsspider.items import ArticleItem, article_id
from newsspider.runtime import state_for
from newsspider.sources import DEFAULT_SOURCES, Site, load_sources, sites_from_start_urls
from newsspider.urls import canonicalize
from pipelines.articles import NotAnArticle, extract_article, link_text_ratio

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
XML_SNIFF = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|urlset|sitemapindex|rdf:RDF)\b", re.S)
BINARY_MAGIC = {b"%PDF": "pdf", b"\x89PNG": "image", b"\xff\xd8\xff": "image", b"GIF8": "image",
                b"PK\x03\x04": "archive", b"\x1f\x8b": "archive", b"RIFF": "media"}
# Heuristic article links when a site gives no patterns: a dated path or a long hyphenated slug.
DATED_PATH = re.compile(r"/(19|20)\d{2}[/-]\d{1,2}[/-]")
SLUG = re.compile(r"/[^/]*[a-z0-9]+(-[a-z0-9]+){3,}[^/]*/?$", re.I)
NOT_ARTICLE_PATH = re.compile(r"/(tag|tags|category|categories|author|authors|page|search|feed|login|"
                              r"about|contact|privacy|terms|newsletter|subscribe)(/|$)", re.I)
PAGINATION = re.compile(r"([?&](page|p|paged)=\d+|/page/\d+/?$)", re.I)


class NewsSpider(scrapy.Spider):
    """Crawl the sites of a sources file (or home pages given with start_url) for articles."""

    name = "news"

    def __init__(self, sources: str | None = None, start_url: str | list[str] | None = None,
                 allow_domain: str | list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        starts = _as_list(start_url)
        if starts:
            self.sites = sites_from_start_urls(starts, _as_list(allow_domain))
        else:
            self.sites = load_sources(sources or DEFAULT_SOURCES)
        self.allowed_domains = sorted({d for s in self.sites for d in s.allowed_domains})
        self.section_pages: Counter[str] = Counter()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites:
            for url in site.feeds + site.sitemaps:
                yield self._xml_request(url, site, depth=0)
            for url in site.sections:
                yield scrapy.Request(url, self.parse_section, cb_kwargs={"site": site}, dont_filter=True,
                                     errback=self.on_error)
            for url in site.start_urls:
                yield scrapy.Request(url, self.parse_home, cb_kwargs={"site": site}, dont_filter=True,
                                     errback=self.on_error)

    def _xml_request(self, url: str, site: Site, depth: int) -> scrapy.Request:
        return scrapy.Request(url, self.parse_xml, cb_kwargs={"site": site, "depth": depth}, errback=self.on_error,
                              meta={"newsspider_conditional": True}, dont_filter=True)

    def on_error(self, failure: Failure) -> None:
        """Every failed request is counted by reason (newsspider/failed/...) and logged; the crawl goes on."""
        exc = failure.value
        request = getattr(failure, "request", None)
        if isinstance(exc, HttpError):
            reason = f"http_{exc.response.status}"
        elif isinstance(exc, IgnoreRequest):
            text = str(exc).lower()
            reason = ("robots_txt" if "robots" in text else "redirect_limit" if "redirect" in text
                      else "ignored")
        else:
            text = repr(exc).lower()
            reason = ("too_large" if "maxsize" in text or "max size" in text or "cancel" in text
                      else type(exc).__name__.lower())
        self.crawler.stats.inc_value(f"newsspider/failed/{reason}")
        self.logger.info("Request failed (%s): %s", reason, request.url if request else failure)

    def parse_xml(self, response: Response, site: Site, depth: int) -> Iterator[scrapy.Request]:
        """A feed, sitemap or sitemap index: follow what it lists."""
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("newsspider/feeds/not_modified")
            return
        try:
            parsed = parse(response.body, response.url,
                           max_urls=self.settings.getint("NEWSSPIDER_SITEMAP_MAX_URLS"))
        except FeedError as exc:
            stats.inc_value(f"newsspider/dropped/feed_{exc.reason}")
            self.logger.warning("Refused %s: %s", response.url, exc)
            return
        stats.inc_value(f"newsspider/feeds/{parsed.kind}")
        if parsed.truncated:
            stats.inc_value("newsspider/dropped/sitemap_truncated")
            self.logger.warning("Sitemap %s lists more than the limit; the rest is ignored", response.url)
        if parsed.kind == "sitemapindex":
            if depth >= self.settings.getint("NEWSSPIDER_SITEMAP_MAX_DEPTH"):
                stats.inc_value("newsspider/dropped/sitemap_too_deep")
                return
            for entry in parsed.entries:
                if site.allows(entry.url):
                    yield self._xml_request(entry.url, site, depth + 1)
            return
        for entry in parsed.entries:
            if not site.allows(entry.url):
                stats.inc_value("newsspider/skipped/offsite_link")
                continue
            if site.is_article_url(entry.url) is False:
                stats.inc_value("newsspider/skipped/not_article_link")
                continue
            request = self._article_request(entry.url, site, hint={
                "title": entry.title, "published": entry.published, "updated": entry.updated})
            if request is not None:
                yield request

    def parse_home(self, response: Response, site: Site) -> Iterator[scrapy.Request]:
        """A home page: discover feeds (<link rel=alternate>), then treat the page as a section."""
        if isinstance(response, TextResponse):
            for href in response.xpath("//link[@rel='alternate'][contains(@type,'rss') or "
                                       "contains(@type,'atom')]/@href").getall():
                url = urljoin(response.url, href)
                if site.allows(url):
                    self.crawler.stats.inc_value("newsspider/discovered/feed")
                    yield self._xml_request(url, site, depth=0)
            root = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}"
            for path in ("/sitemap.xml", "/news-sitemap.xml"):
                yield self._xml_request(root + path, site, depth=0)
        yield from self.parse_section(response, site)

    def parse_section(self, response: Response, site: Site) -> Iterator[scrapy.Request]:
        """A listing page: article links and the next page, within the per-site page budget."""
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            stats.inc_value("newsspider/dropped/section_not_html")
            return
        self.section_pages[site.name] += 1
        for href in response.xpath("//a/@href").getall():
            url = urljoin(response.url, href.strip())
            if not url.startswith(("http://", "https://")) or not site.allows(url):
                continue
            if _is_article_link(site, url):
                request = self._article_request(url, site, hint={})
                if request is not None:
                    yield request
        budget = self.settings.getint("NEWSSPIDER_SECTION_PAGES")
        if self.section_pages[site.name] >= budget:
            stats.inc_value("newsspider/skipped/section_budget")
            return
        nexts = response.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").getall()
        nexts += [h for h in response.xpath("//a/@href").getall() if PAGINATION.search(h)]
        for href in nexts[:5]:
            url = canonicalize(urljoin(response.url, href))
            if site.allows(url):
                yield scrapy.Request(url, self.parse_section, cb_kwargs={"site": site}, errback=self.on_error)

    def _article_request(self, url: str, site: Site, hint: dict[str, str | None]) -> scrapy.Request | None:
        """A request for an article page, or None when an earlier run processed it and nothing says it changed."""
        url = canonicalize(url)
        seen, lastmod = state_for(self.crawler).fetched_lastmod(url)
        changed = bool(hint.get("updated")) and hint.get("updated") != lastmod
        if seen and not changed:
            self.crawler.stats.inc_value("newsspider/skipped/already_fetched")
            return None
        return scrapy.Request(url, self.parse_article, cb_kwargs={"site": site, "hint": hint},
                              dont_filter=seen and changed, errback=self.on_error,
                              meta={"newsspider_article": True})

    def parse_article(self, response: Response, site: Site, hint: dict[str, str | None]
                      ) -> Iterator[ArticleItem]:
        stats = self.crawler.stats
        reason = _not_html(response)
        if reason:
            stats.inc_value(f"newsspider/dropped/{reason}")
            self.logger.info("Dropped %s: %s", response.url, reason)
            return
        assert isinstance(response, TextResponse)
        fetched_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            article = extract_article(response.text, response.url, fetched_at=fetched_at)
        except NotAnArticle as exc:
            stats.inc_value(f"newsspider/dropped/{exc.reason}")
            self.logger.info("Dropped %s: %s", response.url, exc)
            return
        except Exception as exc:  # a page must never stop the crawl
            stats.inc_value("newsspider/dropped/extract_error")
            self.logger.warning("Extraction failed on %s: %r", response.url, exc)
            return
        if not article.published and hint.get("published"):
            article.published = hint["published"]
        if not article.title and hint.get("title"):
            article.title = hint["title"]
        article.canonical_url = canonicalize(article.canonical_url or response.url)
        article.id = article_id(article.canonical_url)
        stats.inc_value("newsspider/articles/fetched")
        yield ArticleItem(article=article, link_ratio=link_text_ratio(response.text, article.text),
                          lastmod=hint.get("updated"))


def _is_article_link(site: Site, url: str) -> bool:
    verdict = site.is_article_url(url)
    if verdict is not None:
        return verdict
    path = urlsplit(url).path
    if NOT_ARTICLE_PATH.search(path) or PAGINATION.search(url):
        return False
    return bool(DATED_PATH.search(path) or SLUG.search(path))


def _not_html(response: Response) -> str | None:
    """Why this response is not an HTML article page (sniffed, not trusted from headers), or None."""
    body = response.body[:1024]
    for magic, kind in BINARY_MAGIC.items():
        if body.startswith(magic):
            return f"not_html_{kind}"
    ctype = (response.headers.get(b"Content-Type") or b"").lower()
    if b"\x00" in body:
        return "not_html_binary"
    if XML_SNIFF.match(body):
        return "not_html_xml"
    if body.lstrip()[:1] in (b"{", b"["):
        return "not_html_json"
    if not isinstance(response, TextResponse):
        return "not_html_other"
    if ctype and not any(t in ctype for t in HTML_TYPES) and b"<html" not in body.lower():
        return "not_html_other"
    return None


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    return list(value)
