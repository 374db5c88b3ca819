"""Entity stage: run the spaCy pipeline from models/ over articles, in batches, and return plain Mentions.

The stage knows Articles and text, never Scrapy responses. The crawl calls it through
EntitiesPipeline, which batches items on a worker thread so the reactor keeps crawling;
`newsspider extract` calls `EntityExtractor.pipe` directly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import Any

import spacy
from scrapy.crawler import Crawler

from newsspider.items import Article, ArticleItem

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "newsspider_ner"
# Longer texts are cut: a 5 MB "article" is a dump, and spaCy's cost grows with length.
MAX_TEXT_CHARS = 100_000


class ModelError(RuntimeError):
    """The NER pipeline cannot be loaded; says where it looked and how to build it."""


@dataclass(frozen=True, slots=True)
class Mention:
    label: str
    text: str
    start: int  # offsets into Article.text; negative when the mention is in the headline
    end: int
    canonical: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    show: Mention
    field: str  # studios | platforms | dates
    target: Mention
    sentence: str
    sentence_start: int


@dataclass(slots=True)
class Mentions:
    """What the pipeline found in one article, detached from spaCy objects."""

    entities: list[Mention] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    primary: list[str] = field(default_factory=list)
    model: str = "newsspider-ner"

    @property
    def shows(self) -> list[Mention]:
        return [m for m in self.entities if m.label == "SHOW"]


def load_model(path: Path | str | None = None) -> spacy.Language:
    import models.components  # noqa: F401 - registers the factories the pipeline names

    path = Path(path) if path else MODEL_DIR
    if not (path / "config.cfg").exists():
        raise ModelError(f"no spaCy pipeline at {path}; build it with `make model` (see models/MODEL_CARD.md)")
    return spacy.load(path)


def compose(article: Article) -> tuple[str, int]:
    """The text the model reads: the headline first unless the body already opens with it."""
    text = article.text[:MAX_TEXT_CHARS]
    title = (article.title or "").strip()
    if not title or title in text[:500]:
        return text, 0
    return f"{title}\n{text}", len(title) + 1


class EntityExtractor:
    """Batches articles through nlp.pipe; one bad article becomes an error value, not a failed batch."""

    def __init__(self, model: Path | str | None = None, batch_size: int = 16, n_process: int = 1) -> None:
        self.nlp = load_model(model)
        self.batch_size = batch_size
        self.n_process = n_process
        meta = self.nlp.meta
        self.model_name = f"{meta.get('name', 'newsspider_ner')} {meta.get('version', '0.0.0')}"

    def pipe(self, articles: Iterable[Article]) -> Iterator[tuple[Article, Mentions | Exception]]:
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.batch_size * max(1, self.n_process):
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def _doc(self, article: Article) -> tuple[Any, int]:
        text, shift = compose(article)
        doc = self.nlp.make_doc(text)
        doc._.emphasised = list(article.emphasised or [])
        return doc, shift

    def _run(self, batch: list[Article]) -> Iterator[tuple[Article, Mentions | Exception]]:
        prepared = [self._doc(a) for a in batch]
        shifts = [shift for _, shift in prepared]
        processed: list[Any]
        try:
            processed = list(self.nlp.pipe([d for d, _ in prepared], batch_size=self.batch_size,
                                           n_process=self.n_process))
        except Exception as exc:  # isolate the article that broke the batch, on fresh docs
            logger.warning("nlp.pipe failed on a batch (%r); retrying its articles one by one", exc)
            processed = []
            for article in batch:
                try:
                    processed.append(self.nlp(self._doc(article)[0]))
                except Exception as one:
                    logger.warning("NER failed on %s: %r", article.url, one)
                    processed.append(one)
        for article, doc, shift in zip(batch, processed, shifts, strict=True):
            yield article, doc if isinstance(doc, Exception) else to_mentions(doc, shift, self.model_name)


def to_mentions(doc: Any, shift: int, model: str) -> Mentions:
    from models.components import split_kb

    by_offsets: dict[tuple[int, int], Mention] = {}
    entities = []
    for ent in doc.ents:
        kind, canonical = split_kb(ent.kb_id_)
        mention = Mention(ent.label_, ent.text, ent.start_char - shift, ent.end_char - shift, canonical, kind)
        by_offsets[(ent.start_char, ent.end_char)] = mention
        entities.append(mention)
    links = []
    for link in doc._.links or []:
        show, target = by_offsets.get(link["show"]), by_offsets.get(link["target"])
        if show is None or target is None:
            continue
        s_start, s_end = link["sentence"]
        links.append(Link(show, link["field"], target, doc.text[s_start:s_end].strip(), s_start - shift))
    return Mentions(entities, links, list(doc._.primary or []), model)


class EntitiesPipeline:
    """Crawl stage: micro-batches articles to nlp.pipe on one worker thread, off the reactor."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.model_path = settings.get("NEWSSPIDER_MODEL")
        self.batch_size = settings.getint("NEWSSPIDER_NLP_BATCH")
        self.extractor: EntityExtractor | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsspider-nlp")
        self.queue: list[tuple[Article, Future[Mentions | Exception]]] = []
        self.lock = Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EntitiesPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.extractor = EntityExtractor(self.model_path, batch_size=self.batch_size)

    def close_spider(self) -> None:
        self.executor.shutdown(wait=True)

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        future: Future[Mentions | Exception] = Future()
        with self.lock:
            self.queue.append((item.article, future))
        self.executor.submit(self._drain)
        result = await asyncio.wrap_future(future)
        stats = self.crawler.stats
        if isinstance(result, Exception):
            stats.inc_value("newsspider/extract_failed/ner")
            item.mentions = Mentions()
        else:
            item.mentions = result
            stats.inc_value("newsspider/articles/analysed")
        return item

    def _drain(self) -> None:
        """Take whatever is queued (up to a batch) and pipe it; later calls find an empty queue."""
        with self.lock:
            batch, self.queue = self.queue[: self.batch_size], self.queue[self.batch_size:]
        if not batch:
            return
        assert self.extractor is not None
        try:
            results = dict(zip([id(a) for a, _ in batch],
                               (r for _, r in self.extractor.pipe(a for a, _ in batch)), strict=True))
        except Exception as exc:
            for _, future in batch:
                future.set_result(exc)
            return
        for article, future in batch:
            future.set_result(results[id(article)])
