"""The extraction half without crawling: Article lines in, record lines out.

Runs the same stage functions the crawl's item pipelines run (validation, dedup, entities,
records, export), so `newsspider extract` and a crawl produce the same records.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsspider.items import Article
from pipelines.articles import complete
from pipelines.dedup import Deduplicator
from pipelines.entities import EntityExtractor
from pipelines.export import RecordSink
from pipelines.records import build_records
from pipelines.state import CrawlState

logger = logging.getLogger(__name__)


@dataclass
class ExtractSummary:
    read: int = 0
    extracted: int = 0
    records_written: int = 0
    records_already_written: int = 0
    shows: set[str] = field(default_factory=set)
    failed: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def line(self) -> str:
        failed = ", ".join(f"{k} {v}" for k, v in sorted(self.failed.items())) or "none"
        dropped = ", ".join(f"{k} {v}" for k, v in sorted(self.dropped.items())) or "none"
        rate = self.read / self.seconds if self.seconds else 0.0
        return (f"{self.read} articles read, {self.extracted} extracted, failed: {failed}; dropped: {dropped}; "
                f"{self.records_written} records written ({self.records_already_written} already present), "
                f"{len(self.shows)} shows; {rate:.1f} articles/s")


def read_articles(path: Path, summary: ExtractSummary) -> Iterator[Article]:
    """Article lines from a JSONL file ('-' for stdin); bad lines are counted and named, not fatal."""
    handle = sys.stdin if str(path) == "-" else open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    try:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            summary.read += 1
            try:
                yield complete(Article.from_json(json.loads(line)))
            except ValueError as exc:
                reason = "not_json" if isinstance(exc, json.JSONDecodeError) else "bad_article"
                summary.failed[reason] += 1
                logger.warning("%s:%d: %s, skipped", path, lineno, exc)
    finally:
        if handle is not sys.stdin:
            handle.close()


def extract(input_path: Path, output: Path, state_dir: Path | None = None, model: Path | None = None,
            batch_size: int = 16, workers: int = 1, min_words: int = 1,
            progress: Callable[[ExtractSummary], None] | None = None) -> ExtractSummary:
    summary = ExtractSummary()
    started = time.perf_counter()
    state = CrawlState(state_dir)
    try:
        extractor = EntityExtractor(model, batch_size=batch_size, n_process=workers)
        dedup = Deduplicator(state)
        sink = RecordSink(output, state)

        def kept() -> Iterator[Article]:
            for article in read_articles(input_path, summary):
                if len(article.text.split()) < min_words:
                    summary.dropped["too_short"] += 1
                    continue
                verdict = dedup.check(article)
                if verdict.kind in ("duplicate", "near_duplicate"):
                    summary.dropped[verdict.kind] += 1
                    continue
                yield article

        for article, result in extractor.pipe(kept()):
            if isinstance(result, Exception):
                summary.failed["ner_error"] += 1
                continue
            summary.extracted += 1
            for record in build_records(article, result, state):
                summary.shows.add(record.show["key"])
                if sink.write(record):
                    summary.records_written += 1
                else:
                    summary.records_already_written += 1
            if progress is not None:
                summary.seconds = time.perf_counter() - started
                progress(summary)
        sink.close()
    finally:
        state.close()
    summary.seconds = time.perf_counter() - started
    return summary
