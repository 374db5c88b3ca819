"""Records stage: one ShowRecord per show per article, from the linked mentions.

Studios and platforms take their canonical gazetteer names; dates go through pipelines.dates
(value, precision, kind); every claim keeps its evidence sentence and offsets. record_id
hashes the show key, the article and the claims, so an unchanged article re-crawled yields the
same ids, and an edited claim yields a new record that `supersedes` the old one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler

from newsspider import __version__
from newsspider.items import Article, ArticleItem, ShowRecord
from pipelines import dates
from pipelines.entities import Mention, Mentions
from pipelines.identity import show_key
from pipelines.state import CrawlState

BROADCAST_HINT = re.compile(r"\b(TV|Television|Channel|Network|BBC|ITV|NHK|Broadcasting|Toonami|Adult Swim|"
                            r"Cartoon Network|FX|AMC|HBO|Showtime|Starz|NBC|CBS|ABC|Fox|CW)\b", re.I)
THEATRICAL_HINT = re.compile(r"\b(IMAX|Cinema|Cinemas|Theatres?|Theaters?|Dolby|4DX|ScreenX)\b", re.I)


def platform_kind(mention: Mention) -> str:
    if mention.kind in ("streaming", "broadcast", "theatrical"):
        return mention.kind
    if THEATRICAL_HINT.search(mention.text):
        return "theatrical"
    if BROADCAST_HINT.search(mention.text):
        return "broadcast"
    return "streaming"


PAREN_ALIAS = re.compile(r"^\s*[(（]\s*(a\.?k\.?a\.?|also known as|known as|or|original title|jp\.?:?)?\s*[\"“]?\s*$", re.I)


def _show_groups(shows: list[Mention], text: str = "") -> dict[str, list[Mention]]:
    """Mentions grouped by show key, with two in-article merges.

    A short form ("Frieren") joins the full title it starts ("Frieren: Beyond Journey's End"), and
    a title followed by another in parentheses ("The Apothecary Diaries (Kusuriya no Hitorigoto)")
    names one show twice; the first spelling keys the group.
    """
    groups: dict[str, list[Mention]] = {}
    for mention in shows:
        groups.setdefault(show_key(mention.text), []).append(mention)
    ordered = sorted(shows, key=lambda m: m.start)
    for first, second in zip(ordered, ordered[1:], strict=False):
        if 0 <= first.end <= second.start and PAREN_ALIAS.match(text[first.end:second.start]):
            main, alias = show_key(first.text), show_key(second.text)
            if main != alias and main in groups and alias in groups:
                groups[main].extend(groups.pop(alias))
    keys = sorted(groups, key=len, reverse=True)
    for short in sorted(groups, key=len):
        for long in keys:
            if long != short and long.startswith(short + "-") and short in groups and long in groups and any(
                    ":" in m.text or " – " in m.text or " - " in m.text for m in groups[long]):
                groups[long].extend(groups.pop(short))
                break
    return groups


def _title(mentions: list[Mention]) -> str:
    counts = Counter(m.text for m in mentions)
    return max(counts, key=lambda t: (len(t.split(":")[0]) > 0, counts[t] + len(t) / 100, len(t)))


def build_records(article: Article, mentions: Mentions, state: CrawlState | None = None,
                  model: str = "", extracted_at: str | None = None) -> list[ShowRecord]:
    """The records of one article; `state` supplies `supersedes` for shows whose claims changed."""
    groups = _show_groups(mentions.shows, article.text)
    key_of = {id(m): key for key, ms in groups.items() for m in ms}
    base = dates.base_date(article.published, article.url, article.fetched_at)
    now = extracted_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    claims: dict[str, dict[str, Any]] = {key: {"studios": {}, "platforms": {}, "dates": {}, "evidence": []}
                                         for key in groups}
    for link in mentions.links:
        key = key_of.get(id(link.show))
        if key is None:
            continue
        bucket = claims[key]
        target = link.target
        if link.field == "studios":
            value = target.canonical or target.text
            bucket["studios"].setdefault(value, None)
        elif link.field == "platforms":
            value = target.canonical or target.text
            bucket["platforms"].setdefault(value, {"name": value, "kind": platform_kind(target)})
        else:
            local_start = target.start - link.sentence_start
            values = dates.resolve(target.text, link.sentence, local_start, local_start + len(target.text), base,
                                   start=target.start, end=target.end)
            if not values:
                continue
            for dv in values:
                bucket["dates"].setdefault((dv.kind, dv.value, dv.text, dv.superseded), dv.to_json())
            value = target.text
        if target.start >= 0:
            bucket["evidence"].append({"field": link.field, "value": value, "sentence": link.sentence,
                                       "start": target.start, "end": target.end})
    primary = {k for k in groups if k in set(mentions.primary)}
    article_json = {"id": article.id, "url": article.url, "canonical_url": article.canonical_url,
                    "site": article.site, "title": article.title, "published": article.published,
                    "also_at": list(article.also_at)}
    records = []
    for key, ms in groups.items():
        bucket = claims[key]
        title = _title(ms)
        aliases = sorted({m.text for m in ms} - {title})
        studios = list(bucket["studios"])
        platforms = list(bucket["platforms"].values())
        date_list = list(bucket["dates"].values())
        claim_blob = json.dumps([studios, platforms, date_list], sort_keys=True, ensure_ascii=False)
        record_id = hashlib.sha1(f"{key}|{article.id}|{claim_blob}".encode()).hexdigest()
        supersedes = None
        if state is not None:
            previous = state.latest_record(key, article.id)
            if previous and previous != record_id:
                supersedes = previous
        evidence = list({(e["field"], e["value"], e["start"]): e for e in bucket["evidence"]}.values())
        records.append(ShowRecord(
            record_id=record_id,
            show={"title": title, "key": key, "aliases": aliases},
            studios=studios, platforms=platforms, dates=date_list, article=article_json,
            evidence=evidence, primary=key in primary, extracted_at=now,
            extractor={"version": __version__, "model": model or mentions.model}, supersedes=supersedes))
    return records


class RecordsPipeline:
    """Crawl stage: item.mentions → item.records."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state: CrawlState | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecordsPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from newsspider.runtime import state_for

        self.state = state_for(self.crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        mentions = item.mentions if isinstance(item.mentions, Mentions) else Mentions()
        item.records = build_records(item.article, mentions, self.state, model=mentions.model)
        self.crawler.stats.inc_value("newsspider/records/built", len(item.records))
        return item

