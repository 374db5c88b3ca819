"""Read records.jsonl files robustly for the analysis commands (`shows`, `timeline`, `diff`).

A records file is often still being appended to by a crawl, may mix schema versions after an
upgrade, or may have been edited by hand. So reading never stops at a bad line: each bad line
becomes a `Problem` ("records.jsonl:17: not JSON, skipped") and the good lines are still used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from newsspider.items import SCHEMA_VERSION, ShowRecord

Basis = Literal["published", "extracted_at"]

_RECORD_FIELDS = (
    "record_id", "show", "studios", "platforms", "dates", "article", "evidence", "primary",
    "extracted_at", "extractor",
)


class RecordsFileError(Exception):
    """The file as a whole cannot be read (missing, a directory, unreadable)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file; printed as `path:line: message` like a compiler."""

    path: str
    lineno: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.lineno}" if self.lineno is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Stamp:
    """When a record was reported: the article's published date, else its extraction time.

    `day` is the date as written (the site's own calendar day), which is what "same published
    date" means for conflicts; `instant` (UTC, naive dates at midnight) orders within a day.
    """

    day: str
    instant: datetime
    basis: Basis
    has_time: bool = True

    @property
    def sort_key(self) -> tuple[str, datetime]:
        return (self.day, self.instant)


@dataclass(frozen=True, slots=True)
class RecordLine:
    """A record together with where it came from, so every output can point back to its line."""

    path: str
    lineno: int
    record: ShowRecord
    stamp: Stamp

    @property
    def where(self) -> str:
        return f"{self.path}:{self.lineno}"

    @property
    def key(self) -> str:
        return str(self.record.show["key"])

    @property
    def title(self) -> str:
        return str(self.record.show["title"])

    @property
    def aliases(self) -> list[str]:
        return list(self.record.show.get("aliases") or [])

    @property
    def url(self) -> str:
        article = self.record.article
        return str(article.get("canonical_url") or article["url"])

    @property
    def site(self) -> str:
        """The reporting site; the URL's host when the record does not name one."""
        site = self.record.article.get("site")
        if site:
            return str(site)
        host = urlsplit(self.url).hostname or self.url
        return host.removeprefix("www.")

    @property
    def article_id(self) -> str:
        return str(self.record.article.get("id") or self.url)

    @property
    def sort_key(self) -> tuple[str, datetime, str, int]:
        return (*self.stamp.sort_key, self.path, self.lineno)


@dataclass(slots=True)
class RecordsFile:
    """Everything read from one file: the usable records, the problems, and the line count."""

    path: str
    records: list[RecordLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0

    @property
    def empty(self) -> bool:
        """True when the file had no non-blank line at all (a growing file that just started)."""
        return self.lines == 0


def parse_instant(text: str) -> tuple[str, datetime] | None:
    """(calendar day as written, UTC instant) of an ISO date or datetime, or None if not ISO."""
    text = text.strip()
    try:
        if _is_day(text):
            day = date.fromisoformat(text)
            return text, datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    day_text = moment.date().isoformat()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return day_text, moment.astimezone(UTC)


def stamp_of(record: ShowRecord) -> tuple[Stamp | None, str | None]:
    """The record's Stamp, and a note when `published` had to be passed over."""
    published = record.article.get("published")
    note = None
    if isinstance(published, str) and published.strip():
        parsed = parse_instant(published)
        if parsed:
            return Stamp(parsed[0], parsed[1], "published", not _is_day(published)), None
        note = f"article.published {published!r} is not an ISO date; ordered by extracted_at"
    parsed = parse_instant(record.extracted_at) if isinstance(record.extracted_at, str) else None
    if parsed is None:
        return None, note
    return Stamp(parsed[0], parsed[1], "extracted_at", not _is_day(record.extracted_at)), note


def _is_day(text: str) -> bool:
    return len(text.strip()) == 10


def _check_record(data: dict[str, Any]) -> str | None:
    """Why `data` cannot be used as a schema-1 record, or None. Checks what analysis reads."""
    missing = [name for name in _RECORD_FIELDS if name not in data]
    if missing:
        return f"missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
    show, article = data["show"], data["article"]
    if not isinstance(data["record_id"], str) or not data["record_id"]:
        return "record_id must be a non-empty string"
    if not isinstance(show, dict) or not isinstance(show.get("key"), str) or not show["key"]:
        return "show.key must be a non-empty string"
    if not isinstance(show.get("title"), str):
        return "show.title must be a string"
    if not isinstance(show.get("aliases", []), list) or not all(isinstance(a, str) for a in show["aliases"]):
        return "show.aliases must be a list of strings"
    if not isinstance(data["studios"], list) or not all(isinstance(s, str) for s in data["studios"]):
        return "studios must be a list of strings"
    platforms = data["platforms"]
    if not isinstance(platforms, list) or not all(
        isinstance(p, dict) and isinstance(p.get("name"), str) for p in platforms
    ):
        return "platforms must be a list of {name, kind} objects"
    dates = data["dates"]
    if not isinstance(dates, list) or not all(
        isinstance(d, dict) and isinstance(d.get("kind"), str) and isinstance(d.get("value"), str | None)
        for d in dates
    ):
        return "dates must be a list of {kind, text, value, precision} objects"
    if not isinstance(article, dict) or not isinstance(article.get("url"), str) or not article["url"]:
        return "article.url must be a non-empty string"
    if article.get("published") is not None and not isinstance(article["published"], str):
        return "article.published must be a string or null"
    if not isinstance(data["extracted_at"], str):
        return "extracted_at must be a string"
    return None


def _to_record(data: dict[str, Any]) -> ShowRecord:
    return ShowRecord(
        schema=SCHEMA_VERSION,
        supersedes=data.get("supersedes"),
        **{name: data[name] for name in _RECORD_FIELDS},
    )


def _read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise RecordsFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RecordsFileError(f"{path}: is a directory, not a records file") from None
    except OSError as exc:
        raise RecordsFileError(f"{path}: cannot read: {exc.strerror or exc}") from None


def iter_records(path: str | Path, problems: list[Problem]) -> Iterator[RecordLine]:
    """Yield each usable record line of `path`; append a Problem for every line skipped.

    Raises RecordsFileError when the file itself cannot be opened.
    """
    yield from _parse_lines(str(path), _read_bytes(path).split(b"\n"), problems)


def _parse_lines(name: str, lines: list[bytes], problems: list[Problem]) -> Iterator[RecordLine]:
    last_index = len(lines) - 1
    for index, line_bytes in enumerate(lines):
        lineno = index + 1
        if not line_bytes.strip():
            continue
        # The final chunk has no newline after it: a crawl may be half-way through writing it.
        torn = index == last_index
        try:
            line = line_bytes.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(name, lineno, "not UTF-8 text, skipped"))
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            message = (
                "torn last line (no newline at the end; is the file still being written?), skipped"
                if torn else "not JSON, skipped"
            )
            problems.append(Problem(name, lineno, message))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(name, lineno, f"a JSON {type(data).__name__}, not a record object, skipped"))
            continue
        version = data.get("schema")
        if version is None:
            problems.append(Problem(name, lineno, "no 'schema' field; not a newsspider record, skipped"))
            continue
        if version != SCHEMA_VERSION:
            problems.append(Problem(
                name, lineno,
                f"schema version {version!r}, this newsspider reads schema {SCHEMA_VERSION}, skipped",
            ))
            continue
        why = _check_record(data)
        if why:
            problems.append(Problem(name, lineno, f"{why}, skipped"))
            continue
        record = _to_record(data)
        stamp, note = stamp_of(record)
        if note:
            problems.append(Problem(name, lineno, note))
        if stamp is None:
            problems.append(Problem(name, lineno, "neither article.published nor extracted_at is an ISO date, skipped"))
            continue
        yield RecordLine(name, lineno, record, stamp)


def read_records(path: str | Path) -> RecordsFile:
    """Read a whole records file: usable lines resolved to current records, plus problems.

    Resolution: when two lines share a record_id the later line wins (a re-extraction appended
    to the file), and a record named by another record's `supersedes` is dropped.
    """
    raw_lines = _read_bytes(path).split(b"\n")
    problems: list[Problem] = []
    lines = list(_parse_lines(str(path), raw_lines, problems))
    result = RecordsFile(str(path), current_records(lines, problems), problems)
    result.lines = sum(1 for line in raw_lines if line.strip())
    result.problems.sort(key=lambda p: (p.lineno or 0))
    return result


def current_records(lines: Iterable[RecordLine], problems: list[Problem] | None = None) -> list[RecordLine]:
    """Drop records replaced by a later line with the same id or named in a `supersedes`."""
    by_id: dict[str, RecordLine] = {}
    for line in lines:
        earlier = by_id.pop(line.record.record_id, None)
        if earlier is not None and problems is not None:
            problems.append(Problem(
                line.path, line.lineno,
                f"record_id {line.record.record_id} repeats line {earlier.lineno}; this line is used",
            ))
        by_id[line.record.record_id] = line
    superseded = {line.record.supersedes for line in by_id.values() if line.record.supersedes}
    return [line for line in by_id.values() if line.record.record_id not in superseded]


def parse_cutoff(text: str) -> tuple[str, datetime | None]:
    """A `--at`/`--since` argument: (day, instant or None when only a day was given).

    Raises ValueError with a message a user can act on.
    """
    parsed = parse_instant(text)
    if parsed is None:
        raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD or an ISO datetime like 2024-01-09T12:00Z")
    return (parsed[0], None) if _is_day(text) else parsed


def reported_by(line: RecordLine, cutoff: tuple[str, datetime | None]) -> bool:
    """Whether `line` was reported at or before the cutoff (a whole day when only a day is given)."""
    day, instant = cutoff
    if instant is None or not line.stamp.has_time:
        return line.stamp.day <= day
    return line.stamp.instant <= instant
