"""What changed between two states of the records: two crawls, or one growing file at two dates.

Both sides are summarised into show rows exactly as `newsspider shows` does, then compared
row by row. Only facts count as differences — title, aliases, studios, platforms, premiere and
release dates; more articles repeating the same facts (sources, last_seen) do not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from newsspider.shows import DateInfo, ShowRow, name_token, source_json
from newsspider.timeline import Source, compare

DIFF_FORMAT_VERSION = 1
ChangeKind = Literal["added", "removed", "changed", "refined"]


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a diff, as the user named it."""

    path: str
    at: str | None
    records: int
    shows: int

    @property
    def label(self) -> str:
        return f"{self.path} at {self.at}" if self.at else self.path

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "at": self.at, "records": self.records, "shows": self.shows}


@dataclass(slots=True)
class Change:
    """One field of one show that differs, and the article the new value came from."""

    field: str
    change: ChangeKind
    old: str | None
    new: str | None
    source: Source | None = None

    @property
    def summary(self) -> str:
        if self.change == "added":
            return f"{self.field} + {self.new}"
        if self.change == "removed":
            return f"{self.field} - {self.old}"
        note = " (refinement)" if self.change == "refined" else ""
        return f"{self.field} {self.old} → {self.new}{note}"

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field, "change": self.change, "old": self.old, "new": self.new,
            "summary": self.summary, "source": source_json(self.source) if self.source else None,
        }


@dataclass(slots=True)
class ShowDiff:
    """A show present on both sides whose facts differ."""

    key: str
    title: str
    keys: list[str]
    changes: list[Change]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "keys": self.keys,
                "changes": [c.to_json() for c in self.changes]}


@dataclass(slots=True)
class DiffResult:
    """Shows added, removed and changed from `old` to `new`."""

    old: Side
    new: Side
    added: list[ShowRow] = field(default_factory=list)
    removed: list[ShowRow] = field(default_factory=list)
    changed: list[ShowDiff] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "newsspider-diff",
            "version": DIFF_FORMAT_VERSION,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "summary": {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)},
            "added": [row.to_json() for row in self.added],
            "removed": [row.to_json() for row in self.removed],
            "changed": [show.to_json() for show in self.changed],
        }


def _match(old_rows: Sequence[ShowRow], new_rows: Sequence[ShowRow]) -> list[tuple[ShowRow | None, ShowRow | None]]:
    """Pair rows by key, then by any shared merged key (alias merging can change the main key)."""
    pairs: list[tuple[ShowRow | None, ShowRow | None]] = []
    unmatched_new = {row.key: row for row in new_rows}
    leftovers: list[ShowRow] = []
    for row in old_rows:
        if row.key in unmatched_new:
            pairs.append((row, unmatched_new.pop(row.key)))
        else:
            leftovers.append(row)
    for row in leftovers:
        partner = next((n for n in unmatched_new.values() if set(n.keys) & set(row.keys)), None)
        if partner is not None:
            del unmatched_new[partner.key]
        pairs.append((row, partner))
    pairs.extend((None, row) for row in unmatched_new.values())
    return pairs


def _name_changes(
    label: str, old: Sequence[str], new: Sequence[str], sources: dict[str, Source], fold: Callable[[str], str]
) -> list[Change]:
    """Names added and removed; `sources` maps a new name to the article that first gave it."""
    old_by = {fold(name): name for name in old}
    new_by = {fold(name): name for name in new}
    changes = [Change(label, "removed", old_by[k], None) for k in old_by if k not in new_by]
    changes += [Change(label, "added", None, new_by[k], sources.get(new_by[k])) for k in new_by if k not in old_by]
    return changes


def _platform_label(platform: dict[str, str]) -> str:
    return f"{platform['name']} ({platform['kind']})" if platform.get("kind") else platform["name"]


def _date_change(slot: str, old: DateInfo | None, new: DateInfo | None) -> Change | None:
    if old is None and new is None:
        return None
    if old is None:
        assert new is not None
        return Change(slot, "added", None, new.label, new.source)
    if new is None:
        return Change(slot, "removed", old.label, None)
    relation = compare(old.date_value, new.date_value)
    if relation == "same" and sorted(old.disputed) == sorted(new.disputed):
        return None
    return Change(slot, "refined" if relation == "refines" else "changed", old.label, new.label, new.source)


def compare_rows(old: ShowRow, new: ShowRow) -> list[Change]:
    """The fact-level differences between two rows of the same show."""
    changes: list[Change] = []
    if old.title != new.title:
        changes.append(Change("title", "changed", old.title, new.title))
    changes += _name_changes("aliases", old.aliases, new.aliases, {}, name_token)
    studio_sources = {k.removeprefix("studio:"): v for k, v in new.name_sources.items() if k.startswith("studio:")}
    changes += _name_changes("studios", old.studios, new.studios, studio_sources, str.casefold)
    old_platforms = {p["name"].casefold(): p for p in old.platforms}
    new_platforms = {p["name"].casefold(): p for p in new.platforms}
    for name, platform in old_platforms.items():
        if name not in new_platforms:
            changes.append(Change("platforms", "removed", _platform_label(platform), None))
        elif new_platforms[name].get("kind") != platform.get("kind"):
            changes.append(Change("platforms", "changed", _platform_label(platform),
                                  _platform_label(new_platforms[name])))
    for name, platform in new_platforms.items():
        if name not in old_platforms:
            source = new.name_sources.get(f"platform:{platform['name']}")
            changes.append(Change("platforms", "added", None, _platform_label(platform), source))
    for slot, old_date, new_date in (("premiere", old.premiere, new.premiere), ("release", old.release, new.release)):
        change = _date_change(slot, old_date, new_date)
        if change:
            changes.append(change)
    return changes


def diff_rows(old_rows: Sequence[ShowRow], new_rows: Sequence[ShowRow], old: Side, new: Side) -> DiffResult:
    """Compare two sets of show rows (as built by `shows.build_shows`)."""
    result = DiffResult(old, new)
    for old_row, new_row in _match(old_rows, new_rows):
        if old_row is None:
            assert new_row is not None
            result.added.append(new_row)
        elif new_row is None:
            result.removed.append(old_row)
        elif changes := compare_rows(old_row, new_row):
            result.changed.append(ShowDiff(new_row.key, new_row.title, new_row.keys, changes))
    for rows in (result.added, result.removed):
        rows.sort(key=lambda row: (row.title.casefold(), row.key))
    result.changed.sort(key=lambda show: (show.title.casefold(), show.key))
    return result
