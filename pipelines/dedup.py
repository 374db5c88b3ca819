"""Article-level deduplication: exact content hash, then MinHash LSH for syndicated near-copies.

URL-level duplicates never get here (canonical URLs share Scrapy's request fingerprint);
what arrives is the same story under a URL we could not fold, or republished on another
site. The first-seen article wins; a copy becomes `also_at` on it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsspider.items import Article, ArticleItem
from pipelines.state import CrawlState

logger = logging.getLogger(__name__)

WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE = 5
NUM_PERM = 64
BANDS = 16  # 16 bands x 4 rows: candidate pairs from Jaccard ~0.5 up; verified against the threshold


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str  # new | updated | unchanged | duplicate | near_duplicate
    original_id: str | None = None
    similarity: float | None = None


def normalise(text: str) -> list[str]:
    """Lower-cased word tokens: what two copies of one story share despite markup and spacing."""
    return WORD.findall(text.lower())


def content_hash(words: list[str]) -> str:
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()


def signature(words: list[str]) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM, seed=7)
    grams = {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    mh.update_batch([g.encode("utf-8") for g in grams])
    return mh


def buckets(mh: MinHash) -> list[tuple[int, bytes]]:
    rows = NUM_PERM // BANDS
    values = mh.hashvalues.astype(np.uint64)
    return [(b, hashlib.blake2b(values[b * rows:(b + 1) * rows].tobytes(), digest_size=8).digest())
            for b in range(BANDS)]


def similarity(a: MinHash, b_bytes: bytes) -> float:
    other = np.frombuffer(b_bytes, dtype=np.uint64)
    return float(np.count_nonzero(a.hashvalues.astype(np.uint64) == other)) / NUM_PERM


class Deduplicator:
    """Decides whether an article is new, an update of one we have, or a copy of another."""

    def __init__(self, state: CrawlState, threshold: float = 0.5) -> None:
        self.state = state
        self.threshold = threshold

    def check(self, article: Article) -> Verdict:
        words = normalise(article.text)
        digest = content_hash(words)
        same = self.state.article_by_hash(digest)
        if same == article.id:
            return Verdict("unchanged", same, 1.0)
        if same is not None:
            article.also_at = self.state.add_also_at(same, article.canonical_url or article.url)
            return Verdict("duplicate", same, 1.0)
        mh = signature(words)
        bands = buckets(mh)
        best: tuple[float, str] | None = None
        for candidate in self.state.lsh_candidates(bands) - {article.id}:
            stored = self.state.signature(candidate)
            if stored is None:
                continue
            score = similarity(mh, stored)
            if score >= self.threshold and (best is None or score > best[0]):
                best = (score, candidate)
        if best is not None:
            self.state.add_also_at(best[1], article.canonical_url or article.url)
            return Verdict("near_duplicate", best[1], best[0])
        updated = self.state.article_hash(article.id) is not None
        self.state.add_article(article.id, article.canonical_url or article.url, digest,
                               mh.hashvalues.astype(np.uint64).tobytes(), bands)
        article.also_at = self.state.also_at(article.id)
        return Verdict("updated" if updated else "new", article.id)


class DedupPipeline:
    """Drops copies (counted as newsspider/dropped/duplicate and .../near_duplicate) and unchanged re-crawls."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.dedup: Deduplicator | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from newsspider.runtime import state_for

        self.dedup = Deduplicator(state_for(self.crawler),
                                  self.crawler.settings.getfloat("NEWSSPIDER_NEAR_DUP_THRESHOLD"))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert self.dedup is not None
        verdict = self.dedup.check(item.article)
        stats = self.crawler.stats
        if verdict.kind in ("duplicate", "near_duplicate"):
            stats.inc_value(f"newsspider/dropped/{verdict.kind}")
            logger.info("%s is a copy of article %s (similarity %.2f)", item.article.url, verdict.original_id,
                        verdict.similarity or 0)
            raise DropItem(f"{verdict.kind} of {verdict.original_id}")
        stats.inc_value(f"newsspider/articles/{verdict.kind}")
        return item
