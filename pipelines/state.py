"""Persistent crawl state in one SQLite file (`--state DIR/state.sqlite`), so hourly runs add only news.

Layout (schema_version 1):
  meta(key, value)                         schema_version and bookkeeping
  articles(id, url, content_hash, first_seen, also_at, minhash)   kept articles and their copies
  lsh(band, bucket, article_id)            MinHash LSH buckets of kept articles
  records(record_id, show_key, article_id) every record id ever written
  latest(show_key, article_id, record_id)  newest record per show per article (for `supersedes`)
  fetched(url, article_id, lastmod)        article URLs already processed, with the lastmod seen
  validators(url, etag, last_modified)     conditional GET for feeds and sitemaps
  output(path, offset)                     how far each records file is known to be durable

One process writes (a lock file in DIR refuses a second run); WAL mode keeps readers safe.
`CrawlState(None)` keeps the same tables in memory for one-off runs and tests.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

SCHEMA_VERSION = 1

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (id TEXT PRIMARY KEY, url TEXT NOT NULL, content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL, also_at TEXT NOT NULL DEFAULT '[]', minhash BLOB);
CREATE INDEX IF NOT EXISTS articles_hash ON articles (content_hash);
CREATE TABLE IF NOT EXISTS lsh (band INTEGER NOT NULL, bucket BLOB NOT NULL, article_id TEXT NOT NULL,
    PRIMARY KEY (band, bucket, article_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (record_id TEXT PRIMARY KEY, show_key TEXT NOT NULL,
    article_id TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS latest (show_key TEXT NOT NULL, article_id TEXT NOT NULL, record_id TEXT NOT NULL,
    PRIMARY KEY (show_key, article_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fetched (url TEXT PRIMARY KEY, article_id TEXT, lastmod TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS validators (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS output (path TEXT PRIMARY KEY, offset INTEGER NOT NULL) WITHOUT ROWID;
"""


class StateError(RuntimeError):
    """The state directory cannot be used (locked by another run, newer schema, unreadable)."""


class CrawlState:
    """Dedup and incremental-crawl memory shared by every stage of one run."""

    def __init__(self, directory: Path | str | None) -> None:
        self.directory = Path(directory) if directory is not None else None
        self._lock: IO[str] | None = None
        self._pending_validators: dict[str, tuple[str | None, str | None]] = {}
        if self.directory is None:
            self.db = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._acquire_lock()
            self.db = sqlite3.connect(self.directory / "state.sqlite", check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(DDL)
        self._check_schema()

    @property
    def jobdir(self) -> Path | None:
        """Scrapy's JOBDIR lives beside the database so a killed crawl resumes its queue."""
        return self.directory / "jobdir" if self.directory else None

    def _acquire_lock(self) -> None:
        assert self.directory is not None
        handle = open(self.directory / "lock", "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise StateError(f"{self.directory} is in use by {holder}; is another crawl still running? "
                             "Overlapping runs are refused.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {_now()}\n")
        handle.flush()
        self._lock = handle

    def _check_schema(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self.db.commit()
        elif int(row[0]) > SCHEMA_VERSION:
            raise StateError(f"state schema_version {row[0]} is newer than this newsspider understands "
                             f"({SCHEMA_VERSION}); upgrade newsspider or use a fresh --state DIR")

    def close(self) -> None:
        self.db.commit()
        self.db.close()
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def commit(self) -> None:
        self.db.commit()

    # articles --------------------------------------------------------------------------------
    def article_by_hash(self, content_hash: str) -> str | None:
        row = self.db.execute("SELECT id FROM articles WHERE content_hash=? LIMIT 1", (content_hash,)).fetchone()
        return row[0] if row else None

    def article_hash(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT content_hash FROM articles WHERE id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def add_article(self, article_id: str, url: str, content_hash: str, signature: bytes,
                    buckets: Iterable[tuple[int, bytes]]) -> None:
        self.db.execute("INSERT INTO articles (id, url, content_hash, first_seen, minhash) VALUES (?,?,?,?,?) "
                        "ON CONFLICT(id) DO UPDATE SET content_hash=excluded.content_hash, minhash=excluded.minhash",
                        (article_id, url, content_hash, _now(), signature))
        self.db.execute("DELETE FROM lsh WHERE article_id=?", (article_id,))
        self.db.executemany("INSERT OR IGNORE INTO lsh VALUES (?,?,?)",
                            ((band, bucket, article_id) for band, bucket in buckets))

    def lsh_candidates(self, buckets: Iterable[tuple[int, bytes]]) -> set[str]:
        found: set[str] = set()
        for band, bucket in buckets:
            found.update(r[0] for r in self.db.execute(
                "SELECT article_id FROM lsh WHERE band=? AND bucket=?", (band, bucket)))
        return found

    def signature(self, article_id: str) -> bytes | None:
        row = self.db.execute("SELECT minhash FROM articles WHERE id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def add_also_at(self, article_id: str, url: str) -> list[str]:
        row = self.db.execute("SELECT also_at FROM articles WHERE id=?", (article_id,)).fetchone()
        also = json.loads(row[0]) if row else []
        if url not in also:
            also.append(url)
            self.db.execute("UPDATE articles SET also_at=? WHERE id=?", (json.dumps(also), article_id))
        return also

    def also_at(self, article_id: str) -> list[str]:
        row = self.db.execute("SELECT also_at FROM articles WHERE id=?", (article_id,)).fetchone()
        return json.loads(row[0]) if row else []

    # fetched article URLs and validators -----------------------------------------------------------
    def fetched_lastmod(self, url: str) -> tuple[bool, str | None]:
        row = self.db.execute("SELECT lastmod FROM fetched WHERE url=?", (url,)).fetchone()
        return (True, row[0]) if row else (False, None)

    def mark_fetched(self, url: str, article_id: str | None, lastmod: str | None) -> None:
        self.db.execute("INSERT INTO fetched VALUES (?,?,?) ON CONFLICT(url) DO UPDATE SET "
                        "article_id=excluded.article_id, lastmod=excluded.lastmod", (url, article_id, lastmod))

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute("SELECT etag, last_modified FROM validators WHERE url=?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Held back until `flush_validators`: a feed may only count as seen once its articles are written."""
        self._pending_validators[url] = (etag, last_modified)

    def flush_validators(self) -> None:
        self.db.executemany("INSERT INTO validators VALUES (?,?,?) ON CONFLICT(url) DO UPDATE SET "
                            "etag=excluded.etag, last_modified=excluded.last_modified",
                            [(url, *v) for url, v in self._pending_validators.items()])
        self._pending_validators.clear()
        self.db.commit()

    # records ---------------------------------------------------------------------------------
    def has_record(self, record_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM records WHERE record_id=?", (record_id,)).fetchone() is not None

    def latest_record(self, show_key: str, article_id: str) -> str | None:
        row = self.db.execute("SELECT record_id FROM latest WHERE show_key=? AND article_id=?",
                              (show_key, article_id)).fetchone()
        return row[0] if row else None

    def add_records(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """(record_id, show_key, article_id) of records now durable in the output file."""
        for record_id, show_key, article_id in rows:
            self.db.execute("INSERT OR IGNORE INTO records VALUES (?,?,?)", (record_id, show_key, article_id))
            self.db.execute("INSERT INTO latest VALUES (?,?,?) ON CONFLICT(show_key, article_id) DO UPDATE "
                            "SET record_id=excluded.record_id", (show_key, article_id, record_id))

    def output_offset(self, path: Path) -> int:
        row = self.db.execute("SELECT offset FROM output WHERE path=?", (str(path.resolve()),)).fetchone()
        return int(row[0]) if row else 0

    def set_output_offset(self, path: Path, offset: int) -> None:
        self.db.execute("INSERT INTO output VALUES (?,?) ON CONFLICT(path) DO UPDATE SET offset=excluded.offset",
                        (str(path.resolve()), offset))

    def counts(self) -> dict[str, int]:
        return {table: self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("articles", "records", "fetched", "validators")}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
