"""Run a crawl in this process and report what happened (the summary a user reads at the end)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from newsspider.spiders.news import NewsSpider
from pipelines.state import CrawlState


@dataclass
class CrawlSummary:
    stats: dict[str, Any]
    output: Path
    shows: int

    @property
    def finished(self) -> bool:
        return self.stats.get("finish_reason") == "finished"

    def counts(self, prefix: str) -> dict[str, int]:
        return {k[len(prefix):]: int(v) for k, v in sorted(self.stats.items())
                if k.startswith(prefix) and isinstance(v, int)}

    def text(self) -> str:
        s = self.stats
        dropped = self.counts("newsspider/dropped/")
        skipped = self.counts("newsspider/skipped/")
        lines = [
            f"crawl {s.get('finish_reason', 'unknown')}: {s.get('downloader/request_count', 0)} requests, "
            f"{s.get('newsspider/requests/not_modified', 0)} not modified (304), "
            f"{s.get('newsspider/articles/fetched', 0)} articles crawled",
            "dropped: " + (", ".join(f"{k} {v}" for k, v in dropped.items()) or "none"),
            "skipped: " + (", ".join(f"{k} {v}" for k, v in skipped.items()) or "none"),
            f"records written: {s.get('newsspider/records/written', 0)} "
            f"(already present: {s.get('newsspider/records/already_written', 0)}) → {self.output}",
            f"shows in {self.output.name}: {self.shows}",
        ]
        return "\n".join(lines)


def count_shows(path: Path) -> int:
    keys = set()
    if path.exists():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    keys.add(json.loads(line)["show"]["key"])
                except (ValueError, KeyError, TypeError):
                    continue
    return len(keys)


def run_crawl(output: Path, sources: Path | None = None, start_urls: list[str] | None = None,
              allow_domains: list[str] | None = None, state_dir: Path | None = None,
              articles_output: Path | None = None, settings: dict[str, Any] | None = None) -> CrawlSummary:
    """Crawl until done; the state directory is locked for the whole run (raises StateError if taken)."""
    state = CrawlState(state_dir)
    try:
        project = get_project_settings()
        project.set("NEWSSPIDER_OUTPUT", str(output), priority="cmdline")
        project.set("NEWSSPIDER_ARTICLES_OUTPUT",
                    str(articles_output or output.with_name("articles.jsonl")), priority="cmdline")
        project.set("NEWSSPIDER_STATE_DIR", str(state_dir) if state_dir else None, priority="cmdline")
        for key, value in (settings or {}).items():
            project.set(key, value, priority="cmdline")
        process = CrawlerProcess(project, install_root_handler=True)
        logging.getLogger("scrapy").setLevel(project.get("LOG_LEVEL", "INFO"))
        crawler = process.create_crawler(NewsSpider)
        crawler._newsspider_state = state  # type: ignore[attr-defined]
        crawler._newsspider_owns_state = False  # type: ignore[attr-defined]
        kwargs: dict[str, Any] = {}
        if start_urls:
            kwargs["start_url"] = start_urls
            kwargs["allow_domain"] = allow_domains or []
        else:
            kwargs["sources"] = str(sources) if sources else None
        process.crawl(crawler, **kwargs)
        process.start()
        stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    finally:
        state.close()
    return CrawlSummary(stats, output, count_shows(output))
