"""Downloader middlewares: robots.txt without its race, retries that back off, conditional GET."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxtMiddleware
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.settings import BaseSettings
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

DELAY_KEY = "newsspider_retry_delay"


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, plus an exponential delay: a struggling server gets room to recover."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("NEWSSPIDER_RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("NEWSSPIDER_RETRY_BACKOFF_MAX")

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = retry.meta.get("retry_times", 1)
            retry.meta[DELAY_KEY] = min(self.cap, self.base * 2 ** (attempt - 1))
        return retry


class BackoffDelayMiddleware:
    """Waits the delay a retried request carries before it is downloaded."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffDelayMiddleware:
        return cls()

    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop(DELAY_KEY, 0)
        if delay:
            await asyncio.sleep(delay)


class ConditionalGetMiddleware:
    """Conditional GET for feeds and sitemaps: send the validators of the last run, keep the new ones.

    A 304 reaches the spider (which counts it) instead of being treated as an error.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("newsspider_conditional"):
            return
        from newsspider.runtime import state_for

        etag, last_modified = state_for(self.crawler).validators(request.url)
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode("latin-1"))
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since", last_modified.encode("latin-1"))
        request.meta.setdefault("handle_httpstatus_list", [304])

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("newsspider_conditional") and response.status == 200:
            from newsspider.runtime import state_for

            etag = response.headers.get(b"ETag")
            last_modified = response.headers.get(b"Last-Modified")
            if etag or last_modified:
                state_for(self.crawler).set_validators(
                    request.url, etag.decode("latin-1") if etag else None,
                    last_modified.decode("latin-1") if last_modified else None)
        if response.status == 304:
            self.crawler.stats.inc_value("newsspider/requests/not_modified")
        return response


class RobotsTxtMiddleware(_ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with the race fixed that lets requests through unchecked.

    In Scrapy 2.19 every request that waits for a host's robots.txt awaits the same Deferred,
    and only the first waiter receives the parser; the others get None, which means "allowed".
    By then the parser is stored for the host, so a waiter that got None looks it up again.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        if parser is None:
            stored = self._parsers.get(urlparse_cached(request).netloc)
            if stored is not None and not isinstance(stored, Deferred):
                return stored
        return parser
