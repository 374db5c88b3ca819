"""Append-only JSON Lines output that is never torn and never repeats a record.

One writer per file. Each record is serialised first and written as one whole line; the
file is fsynced every N records and at close, and only then are the record ids committed
to the state. After a kill, the lines past the last committed offset are re-read on the next
start and their ids committed, so nothing is lost and nothing is written twice. A torn last
line (a crash mid-write by something else) is cut off and set aside beside the file.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler

from newsspider.items import ArticleItem, ShowRecord
from pipelines.state import CrawlState

logger = logging.getLogger(__name__)


def repair_torn_tail(path: Path) -> Path | None:
    """Cut a partial last line off `path`; returns where the fragment was saved, if there was one."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with open(path, "rb+") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return None
        chunk = 1 << 16
        pos = size
        cut = 0
        while pos > 0:
            start = max(0, pos - chunk)
            handle.seek(start)
            data = handle.read(pos - start)
            idx = data.rfind(b"\n")
            if idx >= 0:
                cut = start + idx + 1
                break
            pos = start
        handle.seek(cut)
        fragment = handle.read()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"{path.name}.torn-{stamp}")
        aside.write_bytes(fragment)
        handle.truncate(cut)
        handle.flush()
        os.fsync(handle.fileno())
    logger.warning("%s ended with a torn line (%d bytes); set aside in %s", path, len(fragment), aside)
    return aside


class JsonlWriter:
    """Whole-line appends with periodic fsync; `on_durable` is called with what became durable."""

    def __init__(self, path: Path, fsync_every: int = 50) -> None:
        self.path = path
        self.fsync_every = max(1, fsync_every)
        path.parent.mkdir(parents=True, exist_ok=True)
        repair_torn_tail(path)
        self.handle = open(path, "ab")  # noqa: SIM115 - held for the writer's life
        self.pending = 0

    def write(self, obj: dict[str, Any]) -> bool:
        """Append one line; True when this write made everything so far durable."""
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        self.handle.write(line)
        self.handle.flush()  # in the page cache now: a killed process cannot tear or lose it
        self.pending += 1
        if self.pending >= self.fsync_every:
            self.sync()
            return True
        return False

    def sync(self) -> int:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.pending = 0
        return self.handle.tell()

    def close(self) -> int:
        offset = self.sync()
        self.handle.close()
        return offset


class RecordSink:
    """Writes records once: skips ids already in the state or file, commits ids after fsync."""

    def __init__(self, path: Path, state: CrawlState, fsync_every: int = 50) -> None:
        self.path = path
        self.state = state
        self.recover()
        self.writer = JsonlWriter(path, fsync_every)
        self.unsynced: list[tuple[str, str, str]] = []
        self.written = 0
        self.skipped = 0

    def recover(self) -> None:
        """Commit ids of lines written after the last committed offset (a run killed before commit)."""
        if not self.path.exists():
            return
        repair_torn_tail(self.path)
        offset = self.state.output_offset(self.path)
        size = self.path.stat().st_size
        if offset > size:
            offset = 0  # the file was replaced or truncated: trust its lines, not the offset
        rows = []
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            for line in handle:
                try:
                    rec = json.loads(line)
                    rows.append((rec["record_id"], rec["show"]["key"], rec["article"]["id"]))
                except (ValueError, KeyError, TypeError):
                    continue
        if rows:
            logger.info("%s: %d records after the last checkpoint recovered into the state", self.path, len(rows))
        self.state.add_records(rows)
        self.state.set_output_offset(self.path, size)
        self.state.commit()

    def write(self, record: ShowRecord) -> bool:
        if self.state.has_record(record.record_id) or any(r[0] == record.record_id for r in self.unsynced):
            self.skipped += 1
            return False
        durable = self.writer.write(record.to_json())
        self.unsynced.append((record.record_id, record.show["key"], record.article["id"]))
        self.written += 1
        if durable:
            self._commit(self.writer.handle.tell())
        return True

    def _commit(self, offset: int) -> None:
        self.state.add_records(self.unsynced)
        self.state.set_output_offset(self.path, offset)
        self.state.commit()
        self.unsynced = []

    def checkpoint(self) -> None:
        self._commit(self.writer.sync())

    def close(self) -> None:
        self._commit(self.writer.close())


class ExportPipeline:
    """Last stage of the crawl: records to NEWSSPIDER_OUTPUT, articles to NEWSSPIDER_ARTICLES_OUTPUT."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.sink: RecordSink | None = None
        self.articles: JsonlWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExportPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from newsspider.runtime import state_for

        settings = self.crawler.settings
        every = settings.getint("NEWSSPIDER_FSYNC_EVERY")
        self.sink = RecordSink(Path(settings.get("NEWSSPIDER_OUTPUT")), state_for(self.crawler), every)
        articles = settings.get("NEWSSPIDER_ARTICLES_OUTPUT")
        if articles:
            self.articles = JsonlWriter(Path(articles), every)

    def process_item(self, item: ArticleItem) -> dict[str, Any]:
        """Writes, then hands Scrapy's feed exports (`scrapy crawl news -O x.jsonl`) plain JSON data."""
        assert self.sink is not None
        stats = self.crawler.stats
        if self.articles is not None:
            self.articles.write(item.article.to_json())
        for record in item.records:
            if self.sink.write(record):
                stats.inc_value("newsspider/records/written")
            else:
                stats.inc_value("newsspider/records/already_written")
        # Marked only now, so a page whose records never reached the file is fetched again next run.
        self.sink.state.mark_fetched(item.article.url, item.article.id, item.lastmod)
        return {"article": item.article.to_json(), "records": [r.to_json() for r in item.records]}

    def close_spider(self) -> None:
        if self.articles is not None:
            self.articles.close()
        if self.sink is not None:
            self.sink.close()
