"""Per-crawl shared objects the pipelines use together (one CrawlState per crawler)."""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler

from pipelines.state import CrawlState

_ATTR = "_newsspider_state"


def state_for(crawler: Crawler) -> CrawlState:
    """The crawl's state, opened on first use from NEWSSPIDER_STATE_DIR and closed when the spider closes."""
    state = getattr(crawler, _ATTR, None)
    if state is None:
        state = CrawlState(crawler.settings.get("NEWSSPIDER_STATE_DIR"))
        setattr(crawler, _ATTR, state)

        def close(spider: object, reason: str) -> None:
            if reason == "finished":
                state.flush_validators()
            if getattr(crawler, "_newsspider_owns_state", True):
                state.close()

        crawler.signals.connect(close, signal=signals.spider_closed, weak=False)
    return state
