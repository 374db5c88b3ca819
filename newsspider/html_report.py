"""Self-contained HTML reports: hand-written inline SVG charts plus tables, nothing fetched.

The file must open offline and years later, so there is no script, no stylesheet link, no
font or CDN; the only URLs in it are the article links (`<a href>`), and only http(s) ones.
The per-show chart is a "slip chart": x is when a report appeared, y is the date it gave, so
a delay reads as a step up and a refinement as a bar shrinking to a point.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from newsspider.shows import ShowRow
from newsspider.timeline import DATE_SLOTS, Claim, Source, Timeline, interval

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;
padding:0 1rem;color:#1d2330;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.5rem;border-bottom:1px solid #dde}
.meta,.note{color:#5b6273}.aliases{color:#5b6273;margin-top:-.5rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{text-align:left;padding:.3rem .5rem;
border-bottom:1px solid #e6e8ef;vertical-align:top}th{background:#f4f5f9}
tr.conflict td{background:#fdecec}tr.change td:nth-child(2){color:#a14d00}
tr.refinement td:nth-child(2){color:#1a6b3a}.fallback{color:#a14d00;cursor:help}
svg{display:block;max-width:100%;height:auto;background:#fbfbfd;border:1px solid #e6e8ef}
svg text{font:11px system-ui,sans-serif;fill:#444}.legend span{margin-right:1rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;vertical-align:middle;margin-right:.3rem}
"""

_COLOURS = {
    "first_report": "#5b6273", "set": "#2b6cb0", "refinement": "#2f855a", "change": "#c05621",
    "conflict": "#c53030", "resolution": "#6b46c1", "added": "#718096",
}
_SLOT_COLOURS = {"announcement": "#718096", "premiere": "#2b6cb0", "release": "#2f855a"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _link(source: Source, text: str | None = None) -> str:
    """An article link, only for http(s) URLs; anything else is shown as plain text."""
    label = _e(text or source.site)
    if source.url.startswith(("http://", "https://")):
        return f'<a href="{_e(source.url)}" title="{_e(source.title or source.site)}">{label}</a>'
    return label


@dataclass(frozen=True, slots=True)
class _Scale:
    """Linear map from days to pixels."""

    start: date
    end: date
    low: float
    high: float

    def __call__(self, day: date) -> float:
        total = max((self.end - self.start).days, 1)
        return self.low + (self.high - self.low) * (day - self.start).days / total


def _padded(days: Sequence[date]) -> tuple[date, date]:
    start, end = min(days), max(days)
    pad = timedelta(days=max(7, (end - start).days // 20))
    return start - pad, end + pad


def _ticks(start: date, end: date, most: int = 8) -> list[date]:
    """First-of-month ticks at a step (1, 2, 3, 6, 12, 24… months) that gives at most `most`."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60, 120) if months / s <= most), 240)
    month_index = start.year * 12 + start.month - 1
    month_index += -month_index % step
    ticks = []
    while True:
        tick = date(month_index // 12, month_index % 12 + 1, 1)
        if tick > end:
            return ticks
        if tick >= start:
            ticks.append(tick)
        month_index += step


def _tick_label(day: date) -> str:
    return str(day.year) if day.month == 1 else f"{day.year}-{day.month:02d}"


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _report_days(timeline: Timeline) -> list[date]:
    return [_day(s.when) for c in timeline.claims for s in (*c.sources, *c.confirmed_by)]


def overview_svg(timelines: Sequence[Timeline]) -> str:
    """One row per show: a line from first to last report, a dot per claim, the current
    premiere/release span as a bar, on one shared time axis."""
    days: list[date] = []
    for timeline in timelines:
        days += _report_days(timeline)
        days += [d for current in timeline.dates.values() if (span := interval(current.value)) for d in span]
    if not days:
        return ""
    start, end = _padded(days)
    row_height, top, label_width, width = 24, 28, 230, 1000
    height = top + row_height * len(timelines) + 10
    x = _Scale(start, end, label_width, width - 20)
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Overview of {len(timelines)} shows">']
    for tick in _ticks(start, end):
        px = x(tick)
        parts.append(f'<line x1="{px:.1f}" y1="{top - 8}" x2="{px:.1f}" y2="{height - 5}" stroke="#e2e4ec"/>')
        parts.append(f'<text x="{px:.1f}" y="{top - 12}" text-anchor="middle">{_tick_label(tick)}</text>')
    for row, timeline in enumerate(timelines):
        cy = top + row_height * row + row_height / 2
        title = timeline.title if len(timeline.title) <= 34 else timeline.title[:33] + "…"
        parts.append(f'<text x="6" y="{cy + 4:.1f}"><title>{_e(timeline.title)}</title>{_e(title)}</text>')
        reports = _report_days(timeline)
        parts.append(
            f'<line x1="{x(min(reports)):.1f}" y1="{cy:.1f}" x2="{x(max(reports)):.1f}" y2="{cy:.1f}" '
            'stroke="#a0a7b8" stroke-width="2"/>'
        )
        for slot, current in timeline.dates.items():
            span = interval(current.value)
            if slot == "announcement" or span is None:
                continue
            x0, x1 = x(span[0]), x(span[1])
            colour = _COLOURS["conflict"] if current.disputed else _SLOT_COLOURS[slot]
            parts.append(
                f'<rect x="{x0:.1f}" y="{cy - 7:.1f}" width="{max(x1 - x0, 4):.1f}" height="14" rx="3" '
                f'fill="{colour}" fill-opacity="0.35" stroke="{colour}"><title>{_e(slot)}: '
                f'{_e(current.value.label)}</title></rect>'
            )
        for claim in timeline.claims:
            parts.append(
                f'<circle cx="{x(_day(claim.when)):.1f}" cy="{cy:.1f}" r="4" fill="{_COLOURS[claim.action]}">'
                f"<title>{_e(claim.when)}: {_e(claim.summary)}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def slip_svg(timeline: Timeline) -> str:
    """Per show: each dated report as a bar spanning the days its value could mean, at the date
    it was reported; the dashed diagonal is "reported on the day itself"."""
    points: list[tuple[date, date, date, str, str]] = []
    for claim in timeline.claims:
        if claim.field not in DATE_SLOTS:
            continue
        if claim.action == "conflict":
            sides = [(v.value, s, "conflict") for v in claim.values for s in v.sources]
        else:
            assert claim.value is not None
            sides = [(claim.value, s, claim.field) for s in claim.sources]
            sides += [(claim.value, s, "confirmed") for s in claim.confirmed_by]
        for value, source, kind in sides:
            span = interval(value)
            if span:
                tip = f"{source.when} {source.site}: {claim.field} {value.label}"
                points.append((_day(source.when), span[0], span[1], kind, tip))
    if not points:
        return ""
    width, height, left, bottom, top = 1000, 320, 70, 40, 18
    x_start, x_end = _padded([p[0] for p in points])
    y_start, y_end = _padded([d for p in points for d in p[1:3]])
    x = _Scale(x_start, x_end, left, width - 15)
    y = _Scale(y_start, y_end, height - bottom, top)
    colours = {**_SLOT_COLOURS, "conflict": _COLOURS["conflict"], "confirmed": "#a0a7b8"}
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Reported dates of {_e(timeline.title)}">']
    for tick in _ticks(x_start, x_end):
        px = x(tick)
        parts.append(f'<line x1="{px:.1f}" y1="{top}" x2="{px:.1f}" y2="{height - bottom}" stroke="#eceef4"/>')
        parts.append(f'<text x="{px:.1f}" y="{height - bottom + 16}" text-anchor="middle">{_tick_label(tick)}</text>')
    for tick in _ticks(y_start, y_end, most=6):
        py = y(tick)
        parts.append(f'<line x1="{left}" y1="{py:.1f}" x2="{width - 15}" y2="{py:.1f}" stroke="#eceef4"/>')
        parts.append(f'<text x="{left - 6}" y="{py + 4:.1f}" text-anchor="end">{_tick_label(tick)}</text>')
    low, high = max(x_start, y_start), min(x_end, y_end)
    if low < high:
        parts.append(
            f'<line x1="{x(low):.1f}" y1="{y(low):.1f}" x2="{x(high):.1f}" y2="{y(high):.1f}" '
            'stroke="#c9ccd6" stroke-dasharray="4 4"><title>reported on the day itself</title></line>'
        )
    parts.append(f'<text x="{width - 15}" y="{height - 6}" text-anchor="end">reported on →</text>')
    parts.append(f'<text x="{left + 4}" y="{top - 3}">date given ↑</text>')
    for reported, first, last, kind, tip in sorted(points, key=lambda p: p[3] != "confirmed"):
        px, y0, y1 = x(reported), y(first), y(last)
        colour = colours.get(kind, "#2b6cb0")
        if y0 - y1 < 3:
            parts.append(f'<circle cx="{px:.1f}" cy="{(y0 + y1) / 2:.1f}" r="4" fill="{colour}">'
                         f"<title>{_e(tip)}</title></circle>")
        else:
            parts.append(f'<rect x="{px - 3:.1f}" y="{y1:.1f}" width="6" height="{y0 - y1:.1f}" rx="2" '
                         f'fill="{colour}" fill-opacity="0.6"><title>{_e(tip)}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def _when_cell(claim: Claim) -> str:
    if claim.basis == "extracted_at":
        return (f'{_e(claim.when)}<span class="fallback" title="no published date: ordered by '
                f'extraction time">*</span>')
    return _e(claim.when)


def _claims_table(claims: Sequence[Claim]) -> str:
    rows = []
    for claim in claims:
        if claim.action == "conflict":
            who = "<br>".join(
                f"{_e(v.value.label)}: " + ", ".join(_link(s) for s in v.sources) for v in claim.values
            )
        else:
            who = ", ".join(_link(s) for s in claim.sources)
        also = ", ".join(_link(s) for s in claim.confirmed_by)
        rows.append(
            f'<tr class="{_e(claim.action)}"><td>{_when_cell(claim)}</td><td>{_e(claim.summary)}</td>'
            f"<td>{who}</td><td>{also}</td></tr>"
        )
    return (
        "<table><thead><tr><th>When</th><th>What</th><th>Reported by</th><th>Also reported by</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _legend() -> str:
    items = "".join(
        f'<span><i class="swatch" style="background:{colour}"></i>{_e(action.replace("_", " "))}</span>'
        for action, colour in _COLOURS.items()
    )
    return f'<p class="legend">{items}</p>'


_SLIP_LEGEND = '<p class="legend">' + "".join(
    f'<span><i class="swatch" style="background:{colour}"></i>{label}</span>'
    for label, colour in (("premiere", _SLOT_COLOURS["premiere"]), ("release", _SLOT_COLOURS["release"]),
                          ("announcement", _SLOT_COLOURS["announcement"]), ("conflict", _COLOURS["conflict"]),
                          ("later report of the same date", "#a0a7b8"))
) + "</p>"


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def _anchor(key: str) -> str:
    return "show-" + "".join(ch if ch.isalnum() else "-" for ch in key)


def render_timelines(timelines: Sequence[Timeline], records_file: str, since: str | None = None) -> str:
    """The `timeline --format html` page: overview (several shows), then per show a chart and table."""
    heading = timelines[0].title if len(timelines) == 1 else f"Timeline of {len(timelines)} shows"
    body = [f"<h1>{_e(heading)}</h1>",
            f'<p class="meta">From {_e(records_file)}{f", claims since {_e(since)}" if since else ""}. '
            'Dates marked <span class="fallback">*</span> come from extraction time: the article had '
            "no published date.</p>", _legend()]
    if len(timelines) > 1:
        links = ", ".join(f'<a href="#{_anchor(t.key)}">{_e(t.title)}</a>' for t in timelines)
        body += ["<h2>Overview</h2>", overview_svg(timelines), f"<p>{links}</p>"]
    for timeline in timelines:
        claims = timeline.since(since) if since else timeline.claims
        body.append(f'<section id="{_anchor(timeline.key)}"><h2>{_e(timeline.title)}</h2>')
        names = ", ".join(timeline.aliases)
        body.append(f'<p class="aliases">key {_e(timeline.key)}{f"; also known as {_e(names)}" if names else ""}</p>')
        chart = slip_svg(timeline)
        body.append(chart + _SLIP_LEGEND if chart else overview_svg([timeline]))
        hidden = len(timeline.claims) - len(claims)
        if hidden:
            body.append(f'<p class="note">{hidden} earlier claim(s) before {_e(since)} not shown.</p>')
        body.append(_claims_table(claims) + "</section>")
    return _page(heading, "".join(body))


def render_shows(rows: Sequence[ShowRow], timelines: Sequence[Timeline], records_file: str) -> str:
    """The `shows --format html` page: the overview chart and the shows table."""
    body = [f"<h1>{len(rows)} shows</h1>", f'<p class="meta">From {_e(records_file)}.</p>', _legend(),
            overview_svg(timelines)]
    cells = []
    for row in rows:
        dated = row.premiere or row.release
        date_cell = (f"{_e(dated.label)} ({_e(dated.precision or '?')})<br>{_link(dated.source)}"
                     if dated else "")
        platforms = ", ".join(f"{p['name']} ({p['kind']})" if p["kind"] else p["name"] for p in row.platforms)
        announced = row.first_announced
        cells.append(
            f"<tr><td>{_e(row.title)}</td><td>{_e(', '.join(row.aliases))}</td><td>{_e(', '.join(row.studios))}</td>"
            f"<td>{_e(platforms)}</td><td>{date_cell}</td>"
            f"<td>{_e(announced.date)}<br>{_link(announced.source)}</td><td>{row.sources}</td>"
            f"<td>{_e(row.last_seen)}</td></tr>"
        )
    body.append(
        "<table><thead><tr><th>Title</th><th>Aliases</th><th>Studios</th><th>Platforms</th>"
        "<th>Premiere / release</th><th>First announced</th><th>Sources</th><th>Last seen</th></tr></thead>"
        f"<tbody>{''.join(cells)}</tbody></table>"
    )
    return _page(f"{len(rows)} shows", "".join(body))
