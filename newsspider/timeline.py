"""What the news said about one show, in the order it said it.

Reports are folded in publication order into claims: the first report, each date that is set,
refined (2024-01 → 2024-01-10, still consistent) or changed (2024-01-10 → 2024-04, not
consistent), each platform or studio that appears, and conflicts — reports on the same day
that disagree. A conflict is kept as a conflict until a later report settles it; nothing here
picks a winner silently. `shows` and `diff` read their "current" dates from the same fold, so
the three commands never disagree about what is known.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby
from typing import Any, Literal

from newsspider.records_io import Basis, RecordLine

DateSlot = Literal["announcement", "premiere", "release"]
DATE_SLOTS: tuple[DateSlot, ...] = ("announcement", "premiere", "release")
Relation = Literal["same", "refines", "vaguer", "differs"]
Action = Literal["first_report", "set", "refinement", "change", "conflict", "resolution", "added"]
Field = Literal["show", "announcement", "premiere", "release", "platforms", "studios"]

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SEASON = re.compile(r"^(\d{4})-(winter|spring|summer|fall|autumn)$", re.IGNORECASE)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_HALF = re.compile(r"^(\d{4})-H([12])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_YEARLESS = re.compile(r"^--(\d{2})-(\d{2})$")
# Seasons are read generously (they overlap by a month) because "winter 2024" is January's
# anime cour in one article and December-to-February television in another; a day inside
# either reading is a refinement, not a change.
_SEASON_MONTHS = {"winter": (-1, 3), "spring": (3, 6), "summer": (6, 9), "fall": (9, 12), "autumn": (9, 12)}


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date as a record states it: value at some precision, maybe early/mid/late."""

    value: str
    precision: str | None = None
    qualifier: str | None = None
    text: str = ""

    @property
    def label(self) -> str:
        return f"{self.qualifier} {self.value}" if self.qualifier else self.value

    @property
    def identity(self) -> tuple[str, str | None]:
        return (self.value, self.qualifier)

    @classmethod
    def from_record(cls, entry: dict[str, Any]) -> DateValue:
        return cls(str(entry["value"]), entry.get("precision"), entry.get("qualifier"), str(entry.get("text") or ""))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, first: int, last: int) -> tuple[date, date]:
    start = date(year - 1, 12, 1) if first <= 0 else date(year, first, 1)
    return start, _month_end(year, last)


def value_interval(value: str) -> tuple[date, date] | None:
    """The days a date value could mean, or None (year-less, open or unknown formats)."""
    try:
        if m := _DAY.match(value):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return day, day
        if m := _MONTH.match(value):
            return _months(int(m[1]), int(m[2]), int(m[2]))
        if m := _SEASON.match(value):
            first, last = _SEASON_MONTHS[m[2].lower()]
            return _months(int(m[1]), first, last)
        if m := _QUARTER.match(value):
            quarter = int(m[2])
            return _months(int(m[1]), 3 * quarter - 2, 3 * quarter)
        if m := _HALF.match(value):
            half = int(m[2])
            return _months(int(m[1]), 6 * half - 5, 6 * half)
        if m := _YEAR.match(value):
            return _months(int(m[1]), 1, 12)
    except ValueError:
        return None
    if value.count("/") == 1:
        start_text, end_text = value.split("/")
        start, end = value_interval(start_text), value_interval(end_text)
        if start and end and start[0] <= end[1]:
            return start[0], end[1]
    return None


def interval(value: DateValue) -> tuple[date, date] | None:
    """Like value_interval, narrowed to a third of the span for early/mid/late."""
    span = value_interval(value.value)
    if span is None or value.qualifier not in ("early", "mid", "late"):
        return span
    start, end = span
    third = (end - start).days // 3
    if value.qualifier == "early":
        return start, start + timedelta(days=third)
    if value.qualifier == "mid":
        return start + timedelta(days=third), end - timedelta(days=third)
    return end - timedelta(days=third), end


def _yearless(value: DateValue) -> tuple[int, int] | None:
    m = _YEARLESS.match(value.value)
    return (int(m[1]), int(m[2])) if m else None


def _holds_month_day(span: tuple[date, date], month_day: tuple[int, int]) -> bool:
    for year in range(span[0].year, span[1].year + 1):
        try:
            day = date(year, *month_day)
        except ValueError:
            continue
        if span[0] <= day <= span[1]:
            return True
    return False


def compare(old: DateValue, new: DateValue) -> Relation:
    """How a new report relates to what was known: same, refines (narrower and inside),
    vaguer (wider and containing), or differs (not consistent: a change)."""
    if old.identity == new.identity:
        return "same"
    old_span, new_span = interval(old), interval(new)
    if old_span and new_span:
        if old_span == new_span:
            return "same"
        if old_span[0] <= new_span[0] and new_span[1] <= old_span[1]:
            return "refines"
        if new_span[0] <= old_span[0] and old_span[1] <= new_span[1]:
            return "vaguer"
        return "differs"
    old_md, new_md = _yearless(old), _yearless(new)
    if old_md and new_span:
        if new_span[0] == new_span[1] and (new_span[0].month, new_span[0].day) == old_md:
            return "refines"
        return "vaguer" if _holds_month_day(new_span, old_md) else "differs"
    if new_md and old_span:
        return "vaguer" if _holds_month_day(old_span, new_md) else "differs"
    return "differs"


def span_days(value: DateValue) -> float:
    """Width of a value in days, for picking the most precise of consistent reports."""
    span = interval(value)
    if span:
        return (span[1] - span[0]).days + 1
    return 366.5 if _yearless(value) else float("inf")


@dataclass(slots=True)
class Source:
    """One article that reported a claim, with what ordered it (published or extracted_at)."""

    site: str
    url: str
    title: str | None
    published: str | None
    when: str
    basis: Basis
    record_id: str
    line: str

    @classmethod
    def of(cls, line: RecordLine) -> Source:
        article = line.record.article
        return cls(
            site=line.site, url=line.url, title=article.get("title"), published=article.get("published"),
            when=line.stamp.day, basis=line.stamp.basis, record_id=line.record.record_id, line=line.where,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "site": self.site, "url": self.url, "title": self.title, "published": self.published,
            "when": self.when, "basis": self.basis, "record_id": self.record_id, "line": self.line,
        }


@dataclass(slots=True)
class ClaimValue:
    """One side of a conflict: a value and who reported it."""

    value: DateValue
    sources: list[Source]

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value.value, "precision": self.value.precision, "qualifier": self.value.qualifier,
            "text": self.value.text, "sources": [s.to_json() for s in self.sources],
        }


@dataclass(slots=True)
class Claim:
    """One step of a show's story: what changed, when, and who said so."""

    when: str
    basis: Basis
    field: Field
    action: Action
    new: str | None
    old: str | None = None
    value: DateValue | None = None
    sources: list[Source] = field(default_factory=list)
    confirmed_by: list[Source] = field(default_factory=list)
    values: list[ClaimValue] = field(default_factory=list)

    def add_source(self, source: Source, confirmation: bool) -> None:
        """Record another article saying the same thing; one entry per article."""
        known = {s.url for s in self.sources} | {s.url for s in self.confirmed_by}
        if source.url not in known:
            (self.confirmed_by if confirmation else self.sources).append(source)

    @property
    def summary(self) -> str:
        """One line a reader understands without the table around it."""
        if self.action == "first_report":
            return f"first report: {self.new}"
        if self.action == "added":
            return f"{'platform' if self.field == 'platforms' else 'studio'} + {self.new}"
        if self.action == "conflict":
            sides = " vs ".join(
                f"{v.value.label} ({', '.join(s.site for s in v.sources)})" for v in self.values
            )
            return f"{self.field} CONFLICT: {sides}"
        precision = f" ({self.value.precision})" if self.value and self.value.precision else ""
        if self.action == "set":
            return f"{self.field}: {self.new}{precision}"
        verb = {"refinement": "refined", "change": "changed", "resolution": "settled"}[self.action]
        return f"{self.field} {verb}: {self.old} → {self.new}{precision}"

    def to_json(self) -> dict[str, Any]:
        value = self.value
        return {
            "when": self.when,
            "basis": self.basis,
            "field": self.field,
            "action": self.action,
            "old": self.old,
            "new": self.new,
            "precision": value.precision if value else None,
            "qualifier": value.qualifier if value else None,
            "text": value.text if value else None,
            "summary": self.summary,
            "sources": [s.to_json() for s in self.sources],
            "confirmed_by": [s.to_json() for s in self.confirmed_by],
            "values": [v.to_json() for v in self.values],
        }


@dataclass(slots=True)
class CurrentDate:
    """What is known now for one date slot; `disputed` holds the other sides of an open conflict."""

    value: DateValue
    source: Source
    disputed: list[DateValue] = field(default_factory=list)


@dataclass(slots=True)
class Timeline:
    """A show's claims in order, plus the state they lead to."""

    key: str
    title: str
    aliases: list[str]
    keys: list[str]
    claims: list[Claim]
    dates: dict[DateSlot, CurrentDate]
    platforms: list[tuple[str, str, Source]]
    studios: list[tuple[str, Source]]
    records: int
    ordered_by_extraction: int

    def since(self, day: str) -> list[Claim]:
        return [c for c in self.claims if c.when >= day]

    def to_json(self, since: str | None = None) -> dict[str, Any]:
        shown = self.since(since) if since else self.claims
        return {
            "key": self.key,
            "title": self.title,
            "aliases": self.aliases,
            "keys": self.keys,
            "records": self.records,
            "ordered_by_extraction": self.ordered_by_extraction,
            "hidden_before_since": len(self.claims) - len(shown),
            "claims": [c.to_json() for c in shown],
        }


@dataclass(slots=True)
class _Slot:
    claim: Claim | None = None
    current: DateValue | None = None
    source: Source | None = None
    conflict: list[ClaimValue] = field(default_factory=list)


def record_date(line: RecordLine, slot: DateSlot) -> DateValue | None:
    """The record's first stated (not superseded) date of this kind that has a value."""
    for entry in line.record.dates:
        if entry.get("kind") == slot and entry.get("value") and not entry.get("superseded"):
            return DateValue.from_record(entry)
    return None


def _order(line: RecordLine) -> tuple[Any, ...]:
    # Reports ordered by extraction time sort after published ones of the same day: they are
    # a fallback, and keeping them apart stops them forming "same published date" conflicts.
    return (line.stamp.day, line.stamp.basis != "published", *line.sort_key[1:])


def build_timeline(
    key: str, title: str, aliases: list[str], keys: list[str], lines: Sequence[RecordLine]
) -> Timeline:
    """Fold one show's records (any order) into its claims and current state."""
    ordered = sorted(lines, key=_order)
    claims: list[Claim] = []
    slots: dict[DateSlot, _Slot] = {slot: _Slot() for slot in DATE_SLOTS}
    platforms: dict[str, tuple[str, str, Claim]] = {}
    studios: dict[str, tuple[str, Claim]] = {}
    for index, ((day, _), group_iter) in enumerate(
        groupby(ordered, key=lambda line: (line.stamp.day, line.stamp.basis))
    ):
        group = list(group_iter)
        basis = group[0].stamp.basis
        if index == 0:
            first = Claim(day, basis, "show", "first_report", title)
            for line in group:
                first.add_source(Source.of(line), confirmation=False)
            claims.append(first)
        for slot in DATE_SLOTS:
            _fold_dates(day, basis, slot, group, slots[slot], claims)
        _fold_names(day, basis, group, claims, platforms, studios)
    dates: dict[DateSlot, CurrentDate] = {}
    for slot, state in slots.items():
        if state.current is not None and state.source is not None:
            disputed = [v.value for v in state.conflict if v.value.identity != state.current.identity]
            dates[slot] = CurrentDate(state.current, state.source, disputed)
    return Timeline(
        key=key, title=title, aliases=aliases, keys=keys, claims=claims, dates=dates,
        platforms=[(name, kind, claim.sources[0]) for name, kind, claim in platforms.values()],
        studios=[(name, claim.sources[0]) for name, claim in studios.values()],
        records=len(ordered),
        ordered_by_extraction=sum(1 for line in ordered if line.stamp.basis == "extracted_at"),
    )


def _fold_dates(
    day: str, basis: Basis, slot: DateSlot, group: list[RecordLine], state: _Slot, claims: list[Claim]
) -> None:
    reports = [(value, Source.of(line)) for line in group if (value := record_date(line, slot))]
    if not reports:
        return
    values = [value for value, _ in reports]
    if any(compare(a, b) == "differs" for i, a in enumerate(values) for b in values[i + 1:]):
        sides: dict[tuple[str, str | None], ClaimValue] = {}
        for value, source in reports:
            sides.setdefault(value.identity, ClaimValue(value, [])).sources.append(source)
        conflict = Claim(day, basis, slot, "conflict", None, old=_state_label(state), values=list(sides.values()))
        conflict.sources = [source for _, source in reports]
        claims.append(conflict)
        # The latest report stands as "current" for tables, but the conflict stays visible in
        # `disputed` until a later day settles it.
        state.claim, state.current, state.source = conflict, reports[-1][0], reports[-1][1]
        state.conflict = conflict.values
        return
    best = min(values, key=span_days)
    if state.conflict:
        claim = Claim(day, basis, slot, "resolution", best.label, old=_state_label(state), value=best)
    elif state.current is None:
        claim = Claim(day, basis, slot, "set", best.label, value=best)
    else:
        relation = compare(state.current, best)
        if relation in ("same", "vaguer"):
            assert state.claim is not None
            for _, source in reports:
                state.claim.add_source(source, confirmation=True)
            return
        action: Action = "refinement" if relation == "refines" else "change"
        claim = Claim(day, basis, slot, action, best.label, old=state.current.label, value=best)
    for value, source in reports:
        claim.add_source(source, confirmation=value.identity != best.identity)
    claims.append(claim)
    state.claim, state.current, state.conflict = claim, best, []
    state.source = claim.sources[0]


def _state_label(state: _Slot) -> str | None:
    if state.conflict:
        return " | ".join(v.value.label for v in state.conflict)
    return state.current.label if state.current else None


def _fold_names(
    day: str,
    basis: Basis,
    group: list[RecordLine],
    claims: list[Claim],
    platforms: dict[str, tuple[str, str, Claim]],
    studios: dict[str, tuple[str, Claim]],
) -> None:
    """Platforms and studios only ever appear: an article not naming one says nothing about it."""
    for line in group:
        source = Source.of(line)
        for platform in line.record.platforms:
            name, kind = str(platform["name"]), str(platform.get("kind") or "")
            known = platforms.get(name.casefold())
            if known is None:
                label = f"{name} ({kind})" if kind else name
                claim = Claim(day, basis, "platforms", "added", label, sources=[source])
                claims.append(claim)
                platforms[name.casefold()] = (name, kind, claim)
            else:
                known[2].add_source(source, confirmation=known[2].when != day)
        for studio in line.record.studios:
            known_studio = studios.get(studio.casefold())
            if known_studio is None:
                claim = Claim(day, basis, "studios", "added", studio, sources=[source])
                claims.append(claim)
                studios[studio.casefold()] = (studio, claim)
            else:
                known_studio[1].add_source(source, confirmation=known_studio[1].when != day)
