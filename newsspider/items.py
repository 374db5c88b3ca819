"""Typed items that cross stage boundaries: the Article a spider yields and the record we write.

The record layout (schema v1) is defined here and nowhere else; `schema/record.schema.json`
is checked against it in tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass(slots=True)
class Article:
    """One fetched (or loaded) news article: what the extraction half needs, nothing of Scrapy."""

    url: str
    text: str
    canonical_url: str | None = None
    site: str | None = None
    title: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    emphasised: list[str] = field(default_factory=list)
    fetched_at: str | None = None
    html: str | None = None
    also_at: list[str] = field(default_factory=list)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = article_id(self.canonical_url or self.url)

    def to_json(self, with_html: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not with_html:
            data.pop("html")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        """Build from an Article line; unknown keys are ignored so older/newer files still load."""
        if not isinstance(data, dict):
            raise ValueError("an Article line must be a JSON object")
        url, text, html = data.get("url"), data.get("text"), data.get("html")
        if not isinstance(url, str) or not url:
            raise ValueError("an Article needs a non-empty 'url' string")
        if not isinstance(text, str) and not isinstance(html, str):
            raise ValueError("an Article needs a 'text' string (or 'html' to extract it from)")
        known = set(cls.__dataclass_fields__)
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs.setdefault("text", "")
        if kwargs["text"] is None:
            kwargs["text"] = ""
        for key in ("authors", "emphasised", "also_at"):
            value = kwargs.get(key)
            if value is None:
                kwargs.pop(key, None)
            elif not isinstance(value, list):
                raise ValueError(f"Article field {key!r} must be a list")
        return cls(**kwargs)


def article_id(url: str) -> str:
    """Stable id of an article: its canonical URL's hash, so re-crawls keep the id."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class ShowRecord:
    """One show as one article reports it: the line written to records.jsonl."""

    record_id: str
    show: dict[str, Any]
    studios: list[str]
    platforms: list[dict[str, str]]
    dates: list[dict[str, Any]]
    article: dict[str, Any]
    evidence: list[dict[str, Any]]
    primary: bool
    extracted_at: str
    extractor: dict[str, str]
    supersedes: str | None = None
    schema: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        data = {"schema": self.schema}
        data.update({k: v for k, v in asdict(self).items() if k != "schema"})
        if data["supersedes"] is None:
            del data["supersedes"]
        return data


@dataclass(slots=True)
class ArticleItem:
    """What flows through the item pipelines: an Article and what each stage adds to it."""

    article: Article
    link_ratio: float | None = None
    lastmod: str | None = None
    mentions: Any = None
    records: list[ShowRecord] = field(default_factory=list)
