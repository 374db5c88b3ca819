"""One row per show: records merged by show identity, summarised for a table or a file.

Merge rule. Records are first grouped by `show.key` (computed upstream by the one function that
owns show identity, which already folds case, punctuation, "Season 2"/"Part 2" and leading
articles). Two keys are then merged when a record of one lists an *alias* that, compared
loosely (Unicode NFKC, case-folded, letters and digits only), equals a title or alias of a
record of the other — e.g. "frieren-beyond-journeys-end" with alias "Sousou no Frieren" and a
record keyed "sousou-no-frieren". Equal *titles* under different keys are not merged: upstream
kept them apart on purpose (two shows called "The Office"). The merged show takes the key
with most records (then the earliest reported, then the alphabetically first), its most
frequent title, and every other name as an alias; all keys are listed in `keys`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from newsspider.records_io import RecordLine
from newsspider.timeline import CurrentDate, DateValue, Source, Timeline, build_timeline, interval, record_date

ROW_FORMAT_VERSION = 1
_NOT_ALNUM = re.compile(r"[\W_]+")


def name_token(name: str) -> str:
    """Loose form of a title or alias used only to find shared aliases between keys."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", name).casefold())


@dataclass(slots=True)
class ShowGroup:
    """All current records of one show after key and alias merging."""

    key: str
    title: str
    aliases: list[str]
    keys: list[str]
    lines: list[RecordLine]

    def names(self) -> list[str]:
        return [self.key, self.title, *self.aliases, *self.keys]

    def timeline(self) -> Timeline:
        return build_timeline(self.key, self.title, self.aliases, self.keys, self.lines)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def group_records(lines: Iterable[RecordLine]) -> list[ShowGroup]:
    """Group records into shows by key, merging keys that share an alias (see module doc)."""
    by_key: dict[str, list[RecordLine]] = {}
    for line in lines:
        by_key.setdefault(line.key, []).append(line)
    names_of: dict[str, set[str]] = {key: set() for key in by_key}
    aliases_of: dict[str, set[str]] = {key: set() for key in by_key}
    for key, key_lines in by_key.items():
        for line in key_lines:
            names_of[key].add(name_token(line.title))
            aliases_of[key].update(name_token(alias) for alias in line.aliases)
        names_of[key] |= aliases_of[key]
        names_of[key].discard("")
        aliases_of[key].discard("")
    owners: dict[str, list[str]] = {}
    for key, tokens in names_of.items():
        for token in tokens:
            owners.setdefault(token, []).append(key)
    merged = _UnionFind()
    for key, tokens in aliases_of.items():
        merged.find(key)
        for token in tokens:
            for other in owners.get(token, []):
                merged.union(key, other)
    members: dict[str, list[str]] = {}
    for key in by_key:
        members.setdefault(merged.find(key), []).append(key)
    groups = [_make_group({key: by_key[key] for key in keys}) for keys in members.values()]
    return sorted(groups, key=lambda g: (g.title.casefold(), g.key))


def _make_group(by_key: dict[str, list[RecordLine]]) -> ShowGroup:
    def rank(key: str) -> tuple[int, tuple[Any, ...], str]:
        return (-len(by_key[key]), min(line.sort_key for line in by_key[key]), key)

    keys = sorted(by_key, key=rank)
    main = keys[0]
    latest_first = sorted(by_key[main], key=lambda line: line.sort_key, reverse=True)
    counts = Counter(line.title for line in latest_first)
    title = max(counts, key=lambda t: counts[t])  # ties: the most recently reported (first seen)
    lines = sorted((line for key in keys for line in by_key[key]), key=lambda line: line.sort_key)
    seen = {name_token(title)}
    aliases: list[str] = []
    for line in lines:
        for name in (line.title, *line.aliases):
            token = name_token(name)
            if token and token not in seen:
                seen.add(token)
                aliases.append(name)
    return ShowGroup(main, title, aliases, keys, lines)


@dataclass(slots=True)
class DateInfo:
    """The date a show is now believed to premiere or release, and the article that said so."""

    value: str
    precision: str | None
    qualifier: str | None
    text: str
    disputed: list[str]
    source: Source

    @classmethod
    def of(cls, current: CurrentDate) -> DateInfo:
        value = current.value
        return cls(value.value, value.precision, value.qualifier, value.text,
                   [d.label for d in current.disputed], current.source)

    @property
    def date_value(self) -> DateValue:
        return DateValue(self.value, self.precision, self.qualifier, self.text)

    @property
    def label(self) -> str:
        text = self.date_value.label
        return f"{text} (disputed: {', '.join(self.disputed)})" if self.disputed else text

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value, "precision": self.precision, "qualifier": self.qualifier, "text": self.text,
            "disputed": self.disputed, "source": source_json(self.source),
        }


@dataclass(slots=True)
class Announced:
    """The earliest sign of the show: a stated announcement date, else the first article's date."""

    date: str
    basis: Literal["announcement", "published", "extracted_at"]
    source: Source

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date, "basis": self.basis, "source": source_json(self.source)}


@dataclass(slots=True)
class ShowRow:
    """One line of `newsspider shows` (schema/show.schema.json)."""

    key: str
    title: str
    aliases: list[str]
    keys: list[str]
    studios: list[str]
    platforms: list[dict[str, str]]
    premiere: DateInfo | None
    release: DateInfo | None
    first_announced: Announced
    sources: int
    articles: int
    records: int
    last_seen: str
    # Where each studio/platform was first reported; `diff` cites it, rows do not carry it.
    name_sources: dict[str, Source] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "aliases": self.aliases,
            "keys": self.keys,
            "studios": self.studios,
            "platforms": self.platforms,
            "premiere": self.premiere.to_json() if self.premiere else None,
            "release": self.release.to_json() if self.release else None,
            "first_announced": self.first_announced.to_json(),
            "sources": self.sources,
            "articles": self.articles,
            "records": self.records,
            "last_seen": self.last_seen,
        }

    def to_flat(self) -> dict[str, Any]:
        """A flat row for CSV: lists joined with "; ", nested objects spread into columns."""
        flat: dict[str, Any] = {
            "key": self.key, "title": self.title, "aliases": "; ".join(self.aliases),
            "keys": "; ".join(self.keys), "studios": "; ".join(self.studios),
            "platforms": "; ".join(f"{p['name']} ({p['kind']})" if p["kind"] else p["name"] for p in self.platforms),
        }
        for slot, info in (("premiere", self.premiere), ("release", self.release)):
            flat[slot] = info.value if info else ""
            flat[f"{slot}_precision"] = (info.precision or "") if info else ""
            flat[f"{slot}_qualifier"] = (info.qualifier or "") if info else ""
            flat[f"{slot}_disputed"] = "; ".join(info.disputed) if info else ""
            flat[f"{slot}_site"] = info.source.site if info else ""
            flat[f"{slot}_url"] = info.source.url if info else ""
        flat.update({
            "first_announced": self.first_announced.date,
            "first_announced_basis": self.first_announced.basis,
            "first_announced_site": self.first_announced.source.site,
            "first_announced_url": self.first_announced.source.url,
            "sources": self.sources, "articles": self.articles, "records": self.records,
            "last_seen": self.last_seen,
        })
        return flat


CSV_COLUMNS = [
    "key", "title", "aliases", "keys", "studios", "platforms",
    *(f"{slot}{suffix}" for slot in ("premiere", "release")
      for suffix in ("", "_precision", "_qualifier", "_disputed", "_site", "_url")),
    "first_announced", "first_announced_basis", "first_announced_site", "first_announced_url",
    "sources", "articles", "records", "last_seen",
]


def source_json(source: Source) -> dict[str, Any]:
    return {"site": source.site, "url": source.url, "published": source.published, "basis": source.basis}


def _first_announced(lines: Sequence[RecordLine]) -> Announced:
    """Earliest of: any stated announcement date (by the start of its span), any report date."""
    first = min(lines, key=lambda line: line.sort_key)
    best = Announced(first.stamp.day, first.stamp.basis, Source.of(first))
    best_start = best.date
    for line in lines:
        value = record_date(line, "announcement")
        span = interval(value) if value else None
        if value and span and span[0].isoformat() <= best_start:
            best, best_start = Announced(value.value, "announcement", Source.of(line)), span[0].isoformat()
    return best


def build_row(group: ShowGroup, timeline: Timeline | None = None) -> ShowRow:
    """Summarise one show group; pass its timeline if already built."""
    timeline = timeline or group.timeline()
    premiere, release = timeline.dates.get("premiere"), timeline.dates.get("release")
    name_sources = {f"platform:{name}": source for name, _, source in timeline.platforms}
    name_sources.update({f"studio:{name}": source for name, source in timeline.studios})
    last = max(group.lines, key=lambda line: line.sort_key)
    return ShowRow(
        key=group.key,
        title=group.title,
        aliases=group.aliases,
        keys=group.keys,
        studios=[name for name, _ in timeline.studios],
        platforms=[{"name": name, "kind": kind} for name, kind, _ in timeline.platforms],
        premiere=DateInfo.of(premiere) if premiere else None,
        release=DateInfo.of(release) if release else None,
        first_announced=_first_announced(group.lines),
        sources=len({line.site for line in group.lines}),
        articles=len({line.article_id for line in group.lines}),
        records=len(group.lines),
        last_seen=last.stamp.day,
        name_sources=name_sources,
    )


def build_shows(lines: Iterable[RecordLine]) -> list[ShowRow]:
    """All show rows of a set of records, sorted by title."""
    return [build_row(group) for group in group_records(lines)]


def find_groups(groups: Sequence[ShowGroup], query: str) -> list[ShowGroup]:
    """Groups a `--show` argument names: exact key/title/alias match first, else substring."""
    token = name_token(query)
    if not token:
        return []
    exact = [g for g in groups if token in {name_token(n) for n in g.names()}]
    if exact:
        return exact
    return [g for g in groups if any(token in name_token(n) for n in g.names())]


def rows_document(rows: Sequence[ShowRow], source: str) -> dict[str, Any]:
    """The `--format json` document of `shows`."""
    return {
        "format": "newsspider-shows",
        "version": ROW_FORMAT_VERSION,
        "records_file": source,
        "shows": [row.to_json() for row in rows],
    }


def rows_to_jsonl(rows: Sequence[ShowRow]) -> str:
    return "".join(json.dumps(row.to_json(), ensure_ascii=False) + "\n" for row in rows)


def rows_to_csv(rows: Sequence[ShowRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row.to_flat())
    return buffer.getvalue()


def write_parquet(rows: Sequence[ShowRow], path: str | Path) -> None:
    """Parquet keeps the nested row (lists, structs); needs the `analysis` extra (pyarrow).

    Raises ImportError with the install hint when pyarrow is missing.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ImportError("writing Parquet needs pyarrow: pip install 'newsspider[analysis]'") from exc
    table = pa.Table.from_pylist([row.to_json() for row in rows], schema=_parquet_schema(pa))
    pq.write_table(table, str(path))


def _parquet_schema(pa: Any) -> Any:
    """An explicit schema, so an all-null column (no release dates yet) keeps its real type."""
    source = pa.struct([("site", pa.string()), ("url", pa.string()), ("published", pa.string()),
                        ("basis", pa.string())])
    date_info = pa.struct([("value", pa.string()), ("precision", pa.string()), ("qualifier", pa.string()),
                           ("text", pa.string()), ("disputed", pa.list_(pa.string())), ("source", source)])
    return pa.schema([
        ("key", pa.string()), ("title", pa.string()), ("aliases", pa.list_(pa.string())),
        ("keys", pa.list_(pa.string())), ("studios", pa.list_(pa.string())),
        ("platforms", pa.list_(pa.struct([("name", pa.string()), ("kind", pa.string())]))),
        ("premiere", date_info), ("release", date_info),
        ("first_announced", pa.struct([("date", pa.string()), ("basis", pa.string()), ("source", source)])),
        ("sources", pa.int64()), ("articles", pa.int64()), ("records", pa.int64()), ("last_seen", pa.string()),
    ])
